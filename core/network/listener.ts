import * as fs from 'node:fs';
import * as net from 'node:net';
import { FilterStatus, isCloseEvent } from '../../plugin-sdk';
import type { ConnectionEventListener, ListenerFilter, ListenerFilterCallbacks, Logger, NetworkFilterChainFactory, TlsInfo } from '../../plugin-sdk';
import { formatAddress, type ParsedAddress } from '../config/address';
import type { ConnectionMetrics } from './connection-metrics';
import { ServerConnection } from './server-connection';
import { joinHostPort } from './socket-connection';
import { ListenerTls } from './tls/listener-tls';
import type { ServerTlsConfig } from './tls/server-tls-config';
import type { ListenerTlsStats } from './tls/tls-stats';

/** Something a connection holds for its whole life (the plugin generations its filters run on). */
export interface ConnectionPins {
  /** Pins; the returned function unpins (calling it more than once does nothing). */
  acquire(): () => void;
}

/**
 * What a new connection is built from. A listener holds one at a time; a plugin swap replaces it
 * with {@link Listener.replaceChains}, and connections keep the one they were accepted with.
 */
export interface ListenerChains {
  /** One creator per configured listener filter, run in order on every accepted socket. */
  readonly listenerFilters: readonly (() => ListenerFilter)[];
  /** Built once per listener (per rebuild); each adds its filters to every new connection. */
  readonly filterChainFactories: readonly NetworkFilterChainFactory[];
  /** Acquired when a socket is accepted, released when its connection closes. */
  readonly pins: ConnectionPins;
}

export interface ListenerOptions {
  name: string;
  address: ParsedAddress;
  chains: ListenerChains;
  idleTimeoutMs: number;
  bufferLimit: number;
  metrics: ConnectionMetrics;
  logger: Logger;
  /** TLS termination (filter_chains[0].tls_context / tls_context_set); absent for plaintext. */
  tls?: ListenerTlsSettings;
}

export interface ListenerTlsSettings {
  config: ServerTlsConfig;
  /** MOSN's `inspector`: plaintext clients are served instead of refused. */
  inspector: boolean;
  handshakeTimeoutMs: number;
  stats: ListenerTlsStats;
}

/**
 * A TCP or unix-socket listener: accepts sockets paused, runs listener filters, then creates a
 * connection with its network filter chain and lets it read.
 */
export class Listener {
  readonly name: string;
  readonly connections = new Set<ServerConnection>();
  private server: net.Server | undefined;
  private boundAddress = '';
  /** Unpins what each open connection was built from, when it closes. */
  private readonly pinned = new Map<ServerConnection, () => void>();
  private chainsValue: ListenerChains;
  private readonly tls: ListenerTls | undefined;
  private readonly onConnectionClosed: ConnectionEventListener = {
    onEvent: (event, conn) => {
      if (!isCloseEvent(event)) return;
      const release = this.pinned.get(conn as ServerConnection);
      if (release) {
        this.pinned.delete(conn as ServerConnection);
        release();
      }
      this.connections.delete(conn as ServerConnection);
      if (this.connections.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    },
  };
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: ListenerOptions) {
    this.name = options.name;
    this.chainsValue = options.chains;
    const t = options.tls;
    this.tls =
      t &&
      new ListenerTls(t.config, {
        inspector: t.inspector,
        handshakeTimeoutMs: t.handshakeTimeoutMs,
        stats: t.stats,
        logger: options.logger,
        ready: (socket, destination, info) => this.onHandshaken(socket, destination, info),
      });
  }

  /** What new connections are built from now. */
  get chains(): ListenerChains {
    return this.chainsValue;
  }

  /** New connections take `next` from now on; open ones keep what they were accepted with. */
  replaceChains(next: ListenerChains): void {
    this.chainsValue = next;
  }

  /** The address actually bound (`ip:port` with the real port when 0 was configured). */
  get address(): string {
    return this.boundAddress;
  }

  /** Binds and starts accepting. Rejects (nothing left bound) when the address is taken. */
  start(): Promise<string> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.onAccept(socket));
    this.server = server;
    const addr = this.options.address;
    if (addr.kind === 'unix') removeStaleSocket(addr.path, this.options.logger);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const onListening = (): void => {
        server.off('error', reject);
        server.on('error', (err) => this.options.logger.error({ listener: this.name, err: err.message }, 'listener error'));
        const a = server.address();
        this.boundAddress = typeof a === 'string' || a === null ? formatAddress(addr) : joinHostPort(a.address, a.port);
        resolve(this.boundAddress);
      };
      if (addr.kind === 'unix') server.listen(addr.path, onListening);
      else server.listen(addr.port, addr.host, onListening);
    });
  }

  /** Stops accepting new connections; existing ones go on. */
  stopAccepting(): Promise<void> {
    const server = this.server;
    if (!server || !server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => undefined);
      // close() calls back only when every connection is gone; stopping to accept is immediate.
      setImmediate(resolve);
    });
  }

  /** Resolves when no connection of this listener is open. */
  whenIdle(): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes every open connection. */
  /** Graceful stop: every open connection's filters hear that the listener drains. */
  drainConnections(): void {
    for (const c of [...this.connections]) c.filters.drain();
  }

  closeConnections(type: 'FlushWrite' | 'NoFlush'): void {
    for (const c of [...this.connections]) c.close(type);
  }

  private onAccept(socket: net.Socket): void {
    const chains = this.chainsValue;
    let release: () => void;
    try {
      release = chains.pins.acquire();
    } catch (err) {
      this.options.logger.error({ listener: this.name, err: String(err) }, 'listener chains unusable; socket closed');
      socket.destroy();
      return;
    }
    const filters = chains.listenerFilters;
    if (filters.length === 0) {
      this.admit(socket, undefined, chains, release);
      return;
    }
    // Until a connection exists, the socket's end is what lets go of the chains.
    socket.once('close', release);
    let originalDestination: string | undefined;
    let index = 0;
    const callbacks: ListenerFilterCallbacks = {
      remoteAddress: joinHostPort(socket.remoteAddress, socket.remotePort),
      localAddress: joinHostPort(socket.localAddress, socket.localPort),
      setOriginalDestination: (a) => {
        originalDestination = a;
      },
      continueFilterChain: (ok) => {
        if (!ok) socket.destroy();
        else {
          index++;
          run();
        }
      },
    };
    const run = (): void => {
      for (; index < filters.length; index++) {
        let status: FilterStatus;
        try {
          status = filters[index]().onAccept(callbacks);
        } catch (err) {
          this.options.logger.error({ listener: this.name, err: String(err) }, 'listener filter threw; socket closed');
          socket.destroy();
          return;
        }
        if (status === FilterStatus.Stop) return;
      }
      socket.off('close', release);
      this.admit(socket, originalDestination, chains, release);
    };
    run();
  }

  /**
   * After the listener filters. A TLS listener lets go of the accept-time chains (the listener
   * filters are done) and builds the connection from the chains current when the handshake ends.
   */
  private admit(socket: net.Socket, originalDestination: string | undefined, chains: ListenerChains, release: () => void): void {
    if (!this.tls || socket.destroyed) {
      this.createConnection(socket, originalDestination, chains, release, undefined);
      return;
    }
    release();
    this.tls.accept(socket, originalDestination);
  }

  private onHandshaken(socket: net.Socket, originalDestination: string | undefined, tls: TlsInfo | undefined): void {
    const chains = this.chainsValue;
    let release: () => void;
    try {
      release = chains.pins.acquire();
    } catch (err) {
      this.options.logger.error({ listener: this.name, err: String(err) }, 'listener chains unusable; socket closed');
      socket.destroy();
      return;
    }
    this.createConnection(socket, originalDestination, chains, release, tls);
  }

  private createConnection(socket: net.Socket, originalDestination: string | undefined, chains: ListenerChains, release: () => void, tls: TlsInfo | undefined): void {
    if (socket.destroyed) {
      release();
      return;
    }
    const o = this.options;
    const conn = new ServerConnection(socket, {
      bufferLimit: o.bufferLimit,
      idleTimeoutMs: o.idleTimeoutMs,
      metrics: o.metrics,
      logger: o.logger,
      unixPath: o.address.kind === 'unix' ? o.address.path : undefined,
    });
    conn.originalDestination = originalDestination;
    conn.tls = tls;
    this.connections.add(conn);
    this.pinned.set(conn, release);
    conn.addEventListener(this.onConnectionClosed);
    try {
      const factories = chains.filterChainFactories;
      for (let i = 0; i < factories.length; i++) {
        factories[i].createFilterChain(conn, conn.filters);
        if (conn.state === 'closed') return; // a guarded filter refused the connection
      }
      conn.start();
    } catch (err) {
      o.logger.error({ listener: this.name, connection: conn.id, err: err instanceof Error ? err.message : String(err) }, 'network filter threw; connection closed');
      conn.close('NoFlush');
    }
  }

  private forget(conn: { id: number }): void {
    for (const c of this.connections) {
      if (c.id === conn.id) {
        if (c.state === 'closed') this.connections.delete(c);
        return;
      }
    }
  }
}

/** A unix socket file left by a previous run would make bind fail with EADDRINUSE. */
function removeStaleSocket(path: string, logger: Logger): void {
  try {
    if (fs.statSync(path).isSocket()) {
      fs.unlinkSync(path);
      logger.warn({ path }, 'removed stale unix socket file');
    }
  } catch {
    // absent: nothing to remove
  }
}
