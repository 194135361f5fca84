import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ClientConnection, ReadFilter } from '../../plugin-sdk';
import type { ParsedAddress } from '../config/address';
import type { Counter } from '../metrics/metrics-registry';
import { sharedBufferReads } from './read-buffer';
import { SocketConnection, type SocketConnectionOptions } from './socket-connection';
import type { UpstreamTlsOptions } from './tls/cluster-tls';
import { SocketTlsInfo } from './tls/tls-info';

export interface ClientConnectionOptions extends SocketConnectionOptions {
  address: ParsedAddress;
  hostAddress: string;
  clusterName: string;
  connectTimeoutMs: number;
  /** Counted when connecting fails or times out (upstream connection_con_fail). */
  connectFailures: Counter;
  /** Originate TLS (the cluster's tls_context); `Connected` then means the handshake is done. */
  tls?: UpstreamTlsOptions;
}

/** An outbound connection to an upstream host. */
export class OutboundConnection extends SocketConnection implements ClientConnection {
  override state: 'connecting' | 'open' | 'closed' = 'connecting';
  readonly hostAddress: string;
  readonly clusterName: string;
  private readonly address: ParsedAddress;
  private readonly connectTimeoutMs: number;
  private readonly connectFailures: Counter;
  private connectTimer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly tlsOptions: UpstreamTlsOptions | undefined;
  /** TLS only: TCP is up and the handshake is under way; a failure now is a handshake failure. */
  private handshaking = false;
  private handshakeError: Error | undefined;

  constructor(options: ClientConnectionOptions) {
    super(options);
    this.address = options.address;
    this.hostAddress = options.hostAddress;
    this.clusterName = options.clusterName;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.connectFailures = options.connectFailures;
    this.tlsOptions = options.tls;
    this.remoteAddress = options.hostAddress;
  }

  addReadFilter(filter: ReadFilter): void {
    this.filters.addReadFilter(filter);
  }

  connect(): void {
    if (this.started) return;
    this.started = true;
    this.metrics.total.inc();
    if (this.tlsOptions) this.connectTls(this.tlsOptions);
    else this.connectPlain();
    if (this.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => this.onConnectTimeout(), this.connectTimeoutMs);
    }
  }

  private connectPlain(): void {
    const onread = sharedBufferReads((chunk) => this.onSocketData(chunk));
    const opts: net.NetConnectOpts =
      this.address.kind === 'unix'
        ? { path: this.address.path, allowHalfOpen: true, onread }
        : { host: this.address.host, port: this.address.port, allowHalfOpen: true, noDelay: true, onread };
    const socket = net.connect(opts);
    this.attach(socket, true);
    socket.once('connect', () => this.onConnected(socket));
  }

  /**
   * TLS over a new TCP connection: `Connected` once the handshake is done (connect_timeout covers
   * both). Decrypted bytes arrive as 'data' events (no shared read buffer: TLS owns the reads).
   */
  private connectTls(options: UpstreamTlsOptions): void {
    const target: tls.ConnectionOptions =
      this.address.kind === 'unix' ? { path: this.address.path } : { host: this.address.host, port: this.address.port };
    // tls.connect honours allowHalfOpen (as net.connect does); @types/node leaves it out.
    const socket = tls.connect({ ...target, ...options.connect, allowHalfOpen: true } as tls.ConnectionOptions);
    this.attach(socket);
    socket.once('connect', () => {
      socket.setNoDelay(true);
      this.handshaking = true;
    });
    socket.once('error', (err) => {
      if (this.state === 'connecting') this.handshakeError = err;
    });
    socket.once('secureConnect', () => {
      this.handshaking = false;
      this.tls = new SocketTlsInfo(socket, options.serverName);
      this.onConnected(socket);
    });
  }

  private onConnected(socket: net.Socket): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.metrics.active.inc();
    this.captureAddresses(socket, this.address.kind === 'unix' ? this.address.path : undefined);
    if (this.address.kind !== 'unix') this.remoteAddress = this.hostAddress;
    this.emit('Connected');
    this.filters.initializeReadFilters();
  }

  private onConnectTimeout(): void {
    if (this.state !== 'connecting') return;
    this.failConnect('ConnectTimeout');
  }

  protected override onSocketClose(): void {
    if (this.state === 'connecting') this.failConnect('ConnectFailed');
    else super.onSocketClose();
  }

  private failConnect(reason: 'ConnectFailed' | 'ConnectTimeout'): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectFailures.inc();
    if (this.handshaking) {
      this.handshaking = false;
      this.tlsOptions?.handshakeFailures.inc();
      const err = this.handshakeError as (Error & { code?: string; reason?: string }) | undefined;
      const why = reason === 'ConnectTimeout' ? 'timed out' : (err?.reason ?? err?.message ?? 'connection closed');
      this.logger.warn({ host: this.hostAddress, cluster: this.clusterName, code: err?.code, reason: why }, `upstream TLS handshake failed: ${why}`);
    } else this.logger.debug({ host: this.hostAddress, cluster: this.clusterName, reason }, 'upstream connect failed');
    this.socket?.destroy();
    this.finishClose(reason);
  }

  override close(type?: 'FlushWrite' | 'NoFlush'): void {
    if (this.state === 'connecting') {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.socket?.destroy();
      this.finishClose('LocalClose');
      return;
    }
    super.close(type);
  }
}
