import type {
  ClientConnection,
  CodecOptions,
  Connection,
  IoBuffer,
  ProtocolFactory,
  ServerStreamCallbacks,
  ServerStreamConnection,
} from '../../plugin-sdk';
import type { FactoryRegistry } from '../host/factory-registry';
import { sniffProtocol } from './protocol-sniffer';

/**
 * The server side of `Auto` on one connection: holds the first bytes until a registered protocol
 * recognises them, then hands the connection (those bytes included) to that protocol's codec.
 */
class AutoServerConnection implements ServerStreamConnection {
  private inner: ServerStreamConnection | undefined;

  constructor(
    private readonly registry: FactoryRegistry,
    private readonly connection: Connection,
    private readonly callbacks: ServerStreamCallbacks,
    private readonly options: CodecOptions,
  ) {}

  get activeStreams(): number {
    return this.inner?.activeStreams ?? 0;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    if (!this.inner) {
      if (this.connection.state === 'closed') return;
      const chosen = sniffProtocol(this.registry, buffer, endStream, this.connection, this.options.logger);
      if (!chosen) return;
      this.inner = chosen.factory.createServerConnection(this.connection, this.callbacks, this.options);
    }
    this.inner.dispatch(buffer, endStream);
  }

  goAway(): void {
    this.inner?.goAway();
  }

  onConnectionClose(): void {
    this.inner?.onConnectionClose();
  }
}

/**
 * The kernel's `Auto` protocol (MOSN's protocol sniffing): a downstream connection speaks
 * whichever registered protocol recognises its first bytes (each protocol's `match`: http1's
 * request-line methods, bolt 0x01, boltv2 0x02...).
 *
 * As an upstream protocol `Auto` means "the same as the downstream connection" (MOSN's
 * getUpstreamProtocol). The pool a request uses is chosen per listener, not per connection, so
 * the kernel's `proxy` filter resolves that itself (see auto-upstream-proxy.ts) and this factory
 * never makes upstream connections.
 */
export function createAutoProtocol(registry: FactoryRegistry): ProtocolFactory {
  return Object.freeze({
    poolMode: 'ping-pong',
    createServerConnection(connection: Connection, callbacks: ServerStreamCallbacks, options: CodecOptions): ServerStreamConnection {
      return new AutoServerConnection(registry, connection, callbacks, options);
    },
    createClientConnection(_connection: ClientConnection): never {
      throw new Error('"Auto" cannot open upstream connections: it means "the downstream connection\'s protocol", which the proxy resolves per connection');
    },
  } satisfies ProtocolFactory);
}
