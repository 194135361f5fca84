import { FilterStatus } from '../../plugin-sdk';
import type {
  Connection,
  ConnectionEvent,
  IoBuffer,
  ReadFilter,
  ReadFilterCallbacks,
  ServerStreamCallbacks,
  ServerStreamConnection,
  StreamReceiver,
  StreamSender,
} from '../../plugin-sdk';
import { isCloseEvent } from '../../plugin-sdk';
import { DownstreamStream } from './downstream-stream';
import { PlainForwardStream } from './plain-forward-stream';
import { ipOf, type DownstreamConnectionInfo, type ProxyContext } from './proxy-context';

/**
 * MOSN's `proxy` network filter on one downstream connection: the downstream protocol's codec
 * decodes bytes into request streams, each handled by a DownstreamStream.
 */
export class ProxyFilter implements ReadFilter, ServerStreamCallbacks {
  private connection!: Connection;
  private codec!: ServerStreamConnection;
  private downstream!: DownstreamConnectionInfo;

  constructor(private readonly ctx: ProxyContext) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    const connection = callbacks.connection;
    this.connection = connection;
    this.downstream = { connection, clientIp: ipOf(connection.remoteAddress), lbContext: { downstreamConnection: connection } };
    this.codec = this.ctx.downstreamProtocol.factory.createServerConnection(connection, this, {
      maxHeaderBytes: this.ctx.maxHeaderBytes,
      maxFrameBytes: this.ctx.maxFrameBytes,
      logger: this.ctx.logger,
    });
    connection.addEventListener({
      onEvent: (event: ConnectionEvent) => {
        if (isCloseEvent(event)) this.codec.onConnectionClose();
      },
    });
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    try {
      this.codec.dispatch(buffer, endStream);
    } catch (err) {
      // A codec bug must cost this connection only.
      this.ctx.logger.error({ connection: this.connection.id, protocol: this.ctx.downstreamProtocol.name, err: err instanceof Error ? err.message : String(err) }, 'protocol codec threw; closing the connection');
      buffer.clear();
      this.connection.close('NoFlush');
    }
    return FilterStatus.Stop;
  }

  /** Graceful stop: the codec tells the client to go elsewhere (GOAWAY, Connection: close). */
  onDrain(): void {
    try {
      this.codec.goAway();
    } catch (err) {
      this.ctx.logger.warn({ connection: this.connection.id, protocol: this.ctx.downstreamProtocol.name, err: err instanceof Error ? err.message : String(err) }, 'protocol codec goAway threw');
    }
  }

  onNewStream(responder: StreamSender): StreamReceiver {
    const ctx = this.ctx;
    if (ctx.forwardsFrames && ctx.streamFilters.current.factories.length === 0) return new PlainForwardStream(ctx, this.downstream, responder);
    return new DownstreamStream(ctx, this.downstream, responder);
  }
}
