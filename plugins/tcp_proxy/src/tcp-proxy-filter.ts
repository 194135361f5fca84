import { FilterStatus, isCloseEvent } from 'mosn-plugin-sdk';
import type {
  ClientConnection,
  ClusterManager,
  Connection,
  ConnectionEvent,
  ConnectionEventListener,
  IoBuffer,
  Logger,
  ReadFilter,
  ReadFilterCallbacks,
} from 'mosn-plugin-sdk';
import type { TcpProxyConfig } from './tcp-proxy-config';

/**
 * One downstream connection's proxy: opens an upstream connection when the downstream one is
 * established, copies bytes both ways, propagates half-close (FIN) each way, pauses the side
 * feeding a full write buffer, and closes one side when the other closes.
 */
export class TcpProxyFilter implements ReadFilter {
  private downstream!: Connection;
  private upstream: ClientConnection | undefined;
  private attempts = 0;
  private readonly downstreamEvents: ConnectionEventListener;
  private readonly upstreamEvents: ConnectionEventListener;

  constructor(
    private readonly config: TcpProxyConfig,
    private readonly clusters: ClusterManager,
    private readonly logger: Logger,
  ) {
    this.downstreamEvents = {
      onEvent: (event) => this.onDownstreamEvent(event),
      onAboveWriteBufferHighWatermark: () => this.upstream?.readDisable(true),
      onBelowWriteBufferLowWatermark: () => this.upstream?.readDisable(false),
    };
    this.upstreamEvents = {
      onEvent: (event, conn) => this.onUpstreamEvent(event, conn as ClientConnection),
      onAboveWriteBufferHighWatermark: () => this.downstream.readDisable(true),
      onBelowWriteBufferLowWatermark: () => this.downstream.readDisable(false),
    };
  }

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.downstream = callbacks.connection;
    this.downstream.addEventListener(this.downstreamEvents);
    if (this.config.idleTimeoutMs > 0) this.downstream.setIdleTimeout(this.config.idleTimeoutMs);
  }

  onNewConnection(): FilterStatus {
    // Hold downstream bytes in the socket until the upstream side exists.
    this.downstream.readDisable(true);
    this.connectUpstream();
    return FilterStatus.Stop;
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    const upstream = this.upstream;
    if (!upstream || upstream.state === 'closed') {
      buffer.clear();
      return FilterStatus.Stop;
    }
    for (const chunk of buffer.takeChunks()) upstream.write(chunk);
    if (endStream) upstream.end();
    return FilterStatus.Stop;
  }

  private connectUpstream(): void {
    this.attempts++;
    const d = this.downstream;
    const cluster = this.config.clusterFor(ipOf(d.remoteAddress), ipOf(d.localAddress));
    const upstream = cluster === undefined ? undefined : this.clusters.createConnection(cluster, { downstreamConnection: d });
    if (!upstream) {
      this.logger.warn({ connection: d.id, cluster }, 'tcp_proxy: no upstream host; closing downstream');
      d.close('NoFlush');
      return;
    }
    this.upstream = upstream;
    upstream.addReadFilter(new UpstreamToDownstream(d));
    upstream.addEventListener(this.upstreamEvents);
    if (this.config.idleTimeoutMs > 0) upstream.setIdleTimeout(this.config.idleTimeoutMs);
    upstream.connect();
  }

  private onUpstreamEvent(event: ConnectionEvent, upstream: ClientConnection): void {
    if (upstream !== this.upstream) return;
    if (event === 'Connected') {
      this.downstream.readDisable(false);
      return;
    }
    if (event === 'ConnectFailed' || event === 'ConnectTimeout') {
      this.logger.warn({ connection: this.downstream.id, host: upstream.hostAddress, cluster: upstream.clusterName, event }, 'tcp_proxy: upstream connect failed');
      if (this.attempts < this.config.maxConnectAttempts && this.downstream.state !== 'closed') {
        this.connectUpstream();
        return;
      }
      this.downstream.close('NoFlush');
      return;
    }
    if (isCloseEvent(event)) this.downstream.close('FlushWrite');
  }

  private onDownstreamEvent(event: ConnectionEvent): void {
    if (!isCloseEvent(event)) return;
    this.upstream?.close(event === 'RemoteClose' || event === 'LocalClose' ? 'FlushWrite' : 'NoFlush');
  }
}

/** Installed on the upstream connection: its bytes (and FIN) go to the downstream connection. */
class UpstreamToDownstream implements ReadFilter {
  constructor(private readonly downstream: Connection) {}

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    for (const chunk of buffer.takeChunks()) this.downstream.write(chunk);
    if (endStream) this.downstream.end();
    return FilterStatus.Stop;
  }
}

function ipOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon > 0 ? address.slice(0, colon) : address;
}
