import * as net from 'node:net';
import type { PluginResources, PluginTimer } from '../../plugin-sdk/api/plugin-resources';

/** Told about a throw from a plugin callback the host ran on the plugin's behalf. */
export type PluginCallbackErrorHandler = (error: unknown, where: string) => void;

/** How many resources of each sort a generation holds right now (for reports and tests). */
export interface ResourceCounts {
  timeouts: number;
  intervals: number;
  servers: number;
  sockets: number;
  disposeHooks: number;
}

/** Longest wait for a tracked server to finish closing before dispose goes on without it. */
const SERVER_CLOSE_TIMEOUT_MS = 5_000;

/**
 * The host side of {@link PluginResources} for one plugin generation: every timer, interval,
 * server and socket the plugin opens through its context is tracked here, and {@link closeAll}
 * (run when the generation is disposed) closes whatever is still open.
 *
 * Why tracked per generation rather than per plugin: during a reload two generations of one
 * plugin run side by side (old streams finish on the old one), and each must release exactly its
 * own resources when it goes.
 */
export class HostResources implements PluginResources {
  private readonly timeouts = new Set<PluginTimer>();
  private readonly intervals = new Set<PluginTimer>();
  private readonly servers = new Set<net.Server>();
  /** Outbound sockets and the connections tracked servers accepted. */
  private readonly sockets = new Set<net.Socket>();
  private readonly hooks: (() => void | Promise<void>)[] = [];
  private closed = false;

  /**
   * @param owner names the plugin and generation in error messages (`plugin "x" generation 3`).
   * @param onCallbackError receives throws from plugin callbacks run here (timers, listeners).
   */
  constructor(
    private readonly owner: string,
    private readonly onCallbackError: PluginCallbackErrorHandler,
  ) {}

  /** Whether {@link closeAll} has run; every method throws from then on. */
  get isClosed(): boolean {
    return this.closed;
  }

  counts(): ResourceCounts {
    return {
      timeouts: this.timeouts.size,
      intervals: this.intervals.size,
      servers: this.servers.size,
      sockets: this.sockets.size,
      disposeHooks: this.hooks.length,
    };
  }

  setTimeout = (callback: () => void, ms: number): PluginTimer => {
    this.assertOpen('setTimeout');
    const timer: PluginTimer = setTimeout(() => {
      // A fired timeout is done: stop tracking it so long-lived generations do not accumulate them.
      this.timeouts.delete(timer);
      this.guard(callback, 'setTimeout callback');
    }, ms);
    this.timeouts.add(timer);
    return timer;
  };

  setInterval = (callback: () => void, ms: number): PluginTimer => {
    this.assertOpen('setInterval');
    const timer: PluginTimer = setInterval(() => this.guard(callback, 'setInterval callback'), ms);
    this.intervals.add(timer);
    return timer;
  };

  clearTimeout = (timer: PluginTimer | undefined): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timeouts.delete(timer);
  };

  clearInterval = (timer: PluginTimer | undefined): void => {
    if (timer === undefined) return;
    clearInterval(timer);
    this.intervals.delete(timer);
  };

  createServer = ((
    optionsOrListener?: net.ServerOpts | ((socket: net.Socket) => void),
    maybeListener?: (socket: net.Socket) => void,
  ): net.Server => {
    this.assertOpen('createServer');
    const options = typeof optionsOrListener === 'object' ? optionsOrListener : {};
    const listener = typeof optionsOrListener === 'function' ? optionsOrListener : maybeListener;
    const server = net.createServer(options);
    if (listener) server.on('connection', (socket) => this.guard(() => listener(socket), 'createServer connection listener'));
    // Accepted connections are the plugin's too: they die with the generation.
    server.on('connection', (socket) => this.trackSocket(socket));
    server.once('close', () => this.servers.delete(server));
    this.logUnhandledErrors(server, 'server');
    this.servers.add(server);
    return server;
  }) as PluginResources['createServer'];

  connect = (options: net.NetConnectOpts, connectListener?: () => void): net.Socket => {
    this.assertOpen('connect');
    const socket = net.connect(options);
    if (connectListener) socket.once('connect', () => this.guard(connectListener, 'connect listener'));
    this.trackSocket(socket);
    return socket;
  };

  onDispose = (hook: () => void | Promise<void>): (() => void) => {
    this.assertOpen('onDispose');
    if (typeof hook !== 'function') throw new TypeError(`${this.owner}: onDispose needs a function`);
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.lastIndexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  };

  /**
   * Runs the dispose hooks (last registered first; a throw or rejection is reported and the rest
   * still run), then clears every timer and interval, destroys every socket and closes every
   * server, waiting (bounded) until the servers have released their handles. Idempotent.
   */
  async closeAll(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.hooks.splice(0).reverse()) {
      try {
        await hook();
      } catch (err) {
        this.onCallbackError(err, 'onDispose hook');
      }
    }
    for (const t of this.timeouts) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timeouts.clear();
    this.intervals.clear();
    // Sockets first: a server's close callback only fires once its connections are gone.
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all(servers.map(closeServer));
  }

  private trackSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.logUnhandledErrors(socket, 'socket');
  }

  /**
   * An `error` event without a listener throws and would take the whole process down; report it
   * against the plugin instead. Ours is the only listener exactly when the plugin added none.
   */
  private logUnhandledErrors(emitter: net.Server | net.Socket, what: string): void {
    emitter.on('error', (err) => {
      if (emitter.listenerCount('error') === 1) this.onCallbackError(err, `unhandled ${what} error`);
    });
  }

  private guard(fn: () => void, where: string): void {
    try {
      fn();
    } catch (err) {
      this.onCallbackError(err, where);
    }
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new Error(`${this.owner} is disposed; ${method} is no longer available`);
  }
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SERVER_CLOSE_TIMEOUT_MS);
    // A listen() still resolving a host name binds after this close; close it again then.
    server.once('listening', () => server.close());
    // The callback also runs (with ERR_SERVER_NOT_RUNNING) for a server that never listened.
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
