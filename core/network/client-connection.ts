import * as net from 'node:net';
import type { ClientConnection, ReadFilter } from '../../plugin-sdk';
import type { ParsedAddress } from '../config/address';
import type { Counter } from '../metrics/metrics-registry';
import { sharedBufferReads } from './read-buffer';
import { SocketConnection, type SocketConnectionOptions } from './socket-connection';

export interface ClientConnectionOptions extends SocketConnectionOptions {
  address: ParsedAddress;
  hostAddress: string;
  clusterName: string;
  connectTimeoutMs: number;
  /** Counted when connecting fails or times out (upstream connection_con_fail). */
  connectFailures: Counter;
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

  constructor(options: ClientConnectionOptions) {
    super(options);
    this.address = options.address;
    this.hostAddress = options.hostAddress;
    this.clusterName = options.clusterName;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.connectFailures = options.connectFailures;
    this.remoteAddress = options.hostAddress;
  }

  addReadFilter(filter: ReadFilter): void {
    this.filters.addReadFilter(filter);
  }

  connect(): void {
    if (this.started) return;
    this.started = true;
    this.metrics.total.inc();
    const onread = sharedBufferReads((chunk) => this.onSocketData(chunk));
    const opts: net.NetConnectOpts =
      this.address.kind === 'unix'
        ? { path: this.address.path, allowHalfOpen: true, onread }
        : { host: this.address.host, port: this.address.port, allowHalfOpen: true, noDelay: true, onread };
    const socket = net.connect(opts);
    this.attach(socket, true);
    socket.once('connect', () => this.onConnected(socket));
    if (this.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => this.onConnectTimeout(), this.connectTimeoutMs);
    }
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
    this.logger.debug({ host: this.hostAddress, cluster: this.clusterName, reason }, 'upstream connect failed');
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
