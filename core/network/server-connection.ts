import type * as net from 'node:net';
import { SocketConnection, type SocketConnectionOptions } from './socket-connection';

/** A downstream connection accepted by a listener. */
export class ServerConnection extends SocketConnection {
  /** Set by a listener filter (e.g. original_dst); undefined when none did. */
  originalDestination: string | undefined;

  constructor(socket: net.Socket, options: SocketConnectionOptions & { unixPath?: string }) {
    super(options);
    this.captureAddresses(socket, options.unixPath);
    this.metrics.total.inc();
    this.metrics.active.inc();
    this.attach(socket);
  }

  /** Runs the read filters' onNewConnection; call after the filter chain is built. */
  start(): void {
    this.filters.initializeReadFilters();
    this.updateReading(); // the listener accepted it paused
  }
}
