import type * as net from 'node:net';
import type { CloseType, Connection, ConnectionEvent, ConnectionEventListener, Logger } from '../../plugin-sdk';
import { FilterChain, type FilterChainSink } from './filter-chain';
import type { ConnectionMetrics } from './connection-metrics';

let nextConnectionId = 1;

/** How long a FlushWrite close waits for the peer to take the pending bytes (MOSN's write timeout). */
const FLUSH_CLOSE_TIMEOUT_MS = 15_000;

export interface SocketConnectionOptions {
  bufferLimit: number;
  idleTimeoutMs: number;
  metrics: ConnectionMetrics;
  logger: Logger;
}

/**
 * A kernel connection over a net.Socket (TCP or unix): runs the filter chains, keeps counters,
 * turns socket events into MOSN connection events, and applies backpressure in both directions:
 * reading pauses while filters hold more than the buffer limit, and watermark events tell the
 * feeder of this connection to pause while its write buffer is above the limit.
 */
export class SocketConnection implements Connection, FilterChainSink {
  readonly id = nextConnectionId++;
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  aboveWriteBufferHighWatermark = false;
  localAddress = '';
  remoteAddress = '';
  readonly bufferLimit: number;
  readonly filters: FilterChain;
  protected socket: net.Socket | undefined;
  protected readonly logger: Logger;
  protected readonly metrics: ConnectionMetrics;
  private readonly listeners: ConnectionEventListener[] = [];
  private readDisableCount = 0;
  private pausedForBuffer = false;
  private idleTimeoutMs: number;
  /** Set when this side decides the close reason before the socket's 'close' arrives. */
  private closeReason: ConnectionEvent | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket?.uncork();
  };

  constructor(options: SocketConnectionOptions) {
    this.bufferLimit = options.bufferLimit;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.filters = new FilterChain(this, this);
  }

  /** Wires a socket's events to this connection. */
  protected attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('end', () => this.filters.onRead(undefined, true));
    socket.on('drain', () => this.onSocketDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    socket.on('timeout', () => this.onIdleTimeout());
    if (this.idleTimeoutMs > 0) socket.setTimeout(this.idleTimeoutMs);
    if (this.readDisableCount > 0) socket.pause();
  }

  /** Records the addresses once the socket is connected. */
  protected captureAddresses(socket: net.Socket, unixPath?: string): void {
    if (unixPath !== undefined) {
      this.localAddress = `unix:${unixPath}`;
      this.remoteAddress = `unix:${unixPath}`;
      return;
    }
    this.localAddress = joinHostPort(socket.localAddress, socket.localPort);
    this.remoteAddress = joinHostPort(socket.remoteAddress, socket.remotePort);
  }

  /** Bytes handed to the socket and not yet sent (bounded by the watermark backpressure). */
  get writeBuffered(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Bytes read and held by filters (reading pauses above the buffer limit). */
  get readBuffered(): number {
    return this.filters.readBuffer.length;
  }

  write(data: Buffer): void {
    if (this.state === 'closed' || data.length === 0) return;
    if (this.filters.hasWriteFilters) this.filters.onWrite(data, false);
    else this.writeToSocket(data);
  }

  end(): void {
    if (this.state === 'closed') return;
    if (this.filters.hasWriteFilters) this.filters.onWrite(undefined, true);
    else this.socket?.end();
  }

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed' || !this.socket) {
      if (this.state !== 'closed' && !this.socket) this.finishClose('LocalClose');
      return;
    }
    this.closeReason ??= 'LocalClose';
    const socket = this.socket;
    if (type === 'NoFlush' || socket.writableLength === 0 || socket.writableFinished) {
      socket.destroy();
      return;
    }
    socket.end();
    socket.once('finish', () => socket.destroy());
    this.flushTimer = setTimeout(() => socket.destroy(), FLUSH_CLOSE_TIMEOUT_MS);
    this.flushTimer.unref();
  }

  readDisable(disable: boolean): void {
    if (disable) this.readDisableCount++;
    else if (this.readDisableCount > 0) this.readDisableCount--;
    this.updateReading();
  }

  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
    this.socket?.setTimeout(ms);
  }

  addEventListener(listener: ConnectionEventListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(listener: ConnectionEventListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  // FilterChainSink

  flushWrite(chunks: Buffer[], end: boolean): void {
    for (let i = 0; i < chunks.length; i++) this.writeToSocket(chunks[i]);
    if (end) this.socket?.end();
  }

  readChainRan(buffered: number): void {
    const over = buffered > this.bufferLimit;
    if (over !== this.pausedForBuffer) {
      this.pausedForBuffer = over;
      this.updateReading();
    }
  }

  // internals

  protected emit(event: ConnectionEvent): void {
    for (const l of this.listeners.slice()) {
      try {
        l.onEvent(event, this);
      } catch (err) {
        this.logger.error({ err, connection: this.id, event }, 'connection event listener threw');
      }
    }
  }

  private writeToSocket(data: Buffer): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.bytesWritten += data.length;
    this.metrics.bytesWritten.inc(data.length);
    // Everything written while handling one event (a response's head and body, several
    // pipelined replies) leaves in one writev: the syscall, not the bytes, is the cost.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      queueMicrotask(this.uncork);
    }
    socket.write(data);
    if (!this.aboveWriteBufferHighWatermark && socket.writableLength > this.bufferLimit) {
      this.aboveWriteBufferHighWatermark = true;
      for (const l of this.listeners.slice()) l.onAboveWriteBufferHighWatermark?.(this);
    }
  }

  private onSocketData(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    this.metrics.bytesRead.inc(chunk.length);
    this.filters.onRead(chunk, false);
  }

  private onSocketDrain(): void {
    if (!this.aboveWriteBufferHighWatermark) return;
    this.aboveWriteBufferHighWatermark = false;
    for (const l of this.listeners.slice()) l.onBelowWriteBufferLowWatermark?.(this);
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    const writeSide = err.code === 'EPIPE' || err.syscall === 'write';
    this.closeReason ??= writeSide ? 'OnWriteErrClose' : 'OnReadErrClose';
    this.logger.debug({ connection: this.id, err: err.message, code: err.code }, 'connection error');
  }

  private onIdleTimeout(): void {
    this.logger.debug({ connection: this.id, idleTimeoutMs: this.idleTimeoutMs }, 'connection idle timeout');
    this.closeReason ??= 'IdleTimeout';
    this.socket?.destroy();
  }

  protected onSocketClose(): void {
    this.finishClose(this.closeReason ?? 'RemoteClose');
  }

  protected finishClose(reason: ConnectionEvent): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (wasOpen) {
      this.metrics.active.dec();
      this.metrics.closed.inc();
    }
    this.emit(reason);
  }

  protected updateReading(): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.readDisableCount > 0 || this.pausedForBuffer) socket.pause();
    else socket.resume();
  }
}

export function joinHostPort(host: string | undefined, port: number | undefined): string {
  if (!host) return '';
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
