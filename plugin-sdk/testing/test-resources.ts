import * as net from 'node:net';
import type { PluginResources, PluginTimer } from '../api/plugin-resources';

/**
 * The harness's {@link PluginResources}: the same contract as the kernel's (tracked, closed on
 * dispose, throws after dispose), kept small. A throw from a callback run here is kept in
 * `errors` for the test to assert on rather than failing the process.
 */
export class TestResources implements PluginResources {
  /** Throws from plugin callbacks run through these resources, in order. */
  readonly errors: { where: string; error: unknown }[] = [];
  private readonly timers = new Set<PluginTimer>();
  private readonly servers = new Set<net.Server>();
  private readonly sockets = new Set<net.Socket>();
  private readonly hooks: (() => void | Promise<void>)[] = [];
  private closed = false;

  /** Open timers, intervals, servers and sockets (a test can check the plugin cleans up). */
  get openCount(): number {
    return this.timers.size + this.servers.size + this.sockets.size;
  }

  setTimeout = (callback: () => void, ms: number): PluginTimer => {
    this.assertOpen();
    const t: PluginTimer = setTimeout(() => {
      this.timers.delete(t);
      this.guard(callback, 'setTimeout callback');
    }, ms);
    this.timers.add(t);
    return t;
  };

  setInterval = (callback: () => void, ms: number): PluginTimer => {
    this.assertOpen();
    const t: PluginTimer = setInterval(() => this.guard(callback, 'setInterval callback'), ms);
    this.timers.add(t);
    return t;
  };

  clearTimeout = (timer: PluginTimer | undefined): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  };

  clearInterval = (timer: PluginTimer | undefined): void => {
    if (timer === undefined) return;
    clearInterval(timer);
    this.timers.delete(timer);
  };

  createServer = ((a?: net.ServerOpts | ((s: net.Socket) => void), b?: (s: net.Socket) => void): net.Server => {
    this.assertOpen();
    const listener = typeof a === 'function' ? a : b;
    const server = net.createServer(typeof a === 'object' ? a : {});
    if (listener) server.on('connection', (s) => this.guard(() => listener(s), 'createServer connection listener'));
    server.on('connection', (s) => this.track(s));
    server.once('close', () => this.servers.delete(server));
    this.servers.add(server);
    return server;
  }) as PluginResources['createServer'];

  connect = (options: net.NetConnectOpts, connectListener?: () => void): net.Socket => {
    this.assertOpen();
    const socket = net.connect(options);
    if (connectListener) socket.once('connect', () => this.guard(connectListener, 'connect listener'));
    this.track(socket);
    return socket;
  };

  onDispose = (hook: () => void | Promise<void>): (() => void) => {
    this.assertOpen();
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.lastIndexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  };

  /** Runs dispose hooks (last first), then closes everything still open. Idempotent. */
  async closeAll(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.hooks.splice(0).reverse()) {
      try {
        await hook();
      } catch (error) {
        this.errors.push({ where: 'onDispose hook', error });
      }
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all([...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.clear();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private guard(fn: () => void, where: string): void {
    try {
      fn();
    } catch (error) {
      this.errors.push({ where, error });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the test plugin is disposed');
  }
}
