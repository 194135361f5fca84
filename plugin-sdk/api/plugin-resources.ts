import type * as net from 'node:net';

/**
 * A timer or interval made through {@link PluginResources}: Node's own Timeout object, so
 * `refresh()`, `unref()` and `hasRef()` work as usual. Clear it with the context's
 * `clearTimeout`/`clearInterval` (the global ones work too, but the host then keeps tracking it
 * until the generation is disposed).
 */
export type PluginTimer = NodeJS.Timeout;

/**
 * Timers, servers, sockets and cleanup hooks owned by the host on the plugin's behalf.
 *
 * Why: a plugin generation is replaced on reload while the process keeps running. Anything the
 * plugin opened with Node's globals (a `setInterval`, a `net.Server`) would outlive its generation,
 * keep the old code alive and keep firing. What is opened through these methods is tracked per
 * generation and closed by the host when that generation is disposed (after `deactivate`), so a
 * reload never leaks a timer or a handle, even when `deactivate` is missing or throws.
 *
 * A throw from a callback given here (timer, server `connection` listener) is caught, logged and
 * counted against the plugin instead of crashing the process. Once the generation is disposed,
 * every method throws: a late callback cannot open new resources for code that is gone.
 */
export interface PluginResources {
  /** `setTimeout`, tracked: cleared when the generation is disposed. */
  setTimeout(callback: () => void, ms: number): PluginTimer;
  /** `setInterval`, tracked: cleared when the generation is disposed. */
  setInterval(callback: () => void, ms: number): PluginTimer;
  /** Clears a timer made by {@link setTimeout} and stops tracking it. Accepts undefined. */
  clearTimeout(timer: PluginTimer | undefined): void;
  /** Clears an interval made by {@link setInterval} and stops tracking it. Accepts undefined. */
  clearInterval(timer: PluginTimer | undefined): void;
  /**
   * `net.createServer`, tracked: on dispose the server stops listening and the connections it
   * accepted are destroyed. An `error` event nobody listens to is logged instead of thrown.
   */
  createServer(connectionListener?: (socket: net.Socket) => void): net.Server;
  createServer(options: net.ServerOpts, connectionListener?: (socket: net.Socket) => void): net.Server;
  /**
   * `net.connect`, tracked: destroyed on dispose if still open. An `error` event nobody listens to
   * is logged instead of thrown. (Upstream traffic of filters goes through the kernel's cluster
   * manager instead; this is for a plugin's own side channels, e.g. a config or auth service.)
   */
  connect(options: net.NetConnectOpts, connectListener?: () => void): net.Socket;
  /**
   * Runs `hook` when the generation is disposed, after `deactivate` and before the host closes
   * the remaining tracked resources; hooks run last-registered first and may be async. Returns a
   * function that unregisters the hook.
   */
  onDispose(hook: () => void | Promise<void>): () => void;
}
