import type * as net from 'node:net';
import type { CloseType, Connection, ConnectionEvent, ConnectionEventListener, Logger, TlsInfo } from '../../plugin-sdk';
import { FilterChain, type FilterChainSink } from './filter-chain';
import type { ConnectionMetrics } from './connection-metrics';
import { Deadline, type DeadlineOwner } from './deadlines';
import { type BatchedWriter, markDirty } from './write-batch';

let nextConnectionId = 1;

/** How long a FlushWrite close waits for the peer to take the pending bytes (MOSN's write timeout). */
const FLUSH_CLOSE_TIMEOUT_MS = 15_000;
/** A batch of writes up to this size is copied into one Buffer; a bigger one goes as a writev. */
const CONCAT_LIMIT = 64 * 1024;

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
 * feeder of this connection to pause while its write buffer (gathered writes included) is above
 * the limit. Writes are gathered and given to the socket once per event-loop turn (write-batch.ts).
 */
export class SocketConnection implements Connection, FilterChainSink, BatchedWriter, DeadlineOwner {
  readonly id = nextConnectionId++;
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  aboveWriteBufferHighWatermark = false;
  localAddress = '';
  remoteAddress = '';
  /** Set once a TLS handshake on this connection has completed. */
  tls: TlsInfo | undefined = undefined;
  readonly bufferLimit: number;
  readonly filters: FilterChain;
  protected socket: net.Socket | undefined;
  protected readonly logger: Logger;
  protected readonly metrics: ConnectionMetrics;
  private readonly listeners: ConnectionEventListener[] = [];
  private readDisableCount = 0;
  private pausedForBuffer = false;
  private idleTimeoutMs: number;
  /**
   * The idle timeout, pushed back on every read and every write batch. Not socket.setTimeout:
   * Node refreshes that timer on each read and each write call (~1 µs a request).
   */
  private idleTimer: Deadline | undefined;
  /** Set when this side decides the close reason before the socket's 'close' arrives. */
  private closeReason: ConnectionEvent | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /**
   * Writes gathered during this event-loop turn, given to the socket at once at its end
   * (write-batch.ts): one syscall per turn, and one wake-up of the peer. The array is reused.
   */
  private readonly pending: Buffer[] = [];
  private pendingCount = 0;
  private pendingBytes = 0;

  constructor(options: SocketConnectionOptions) {
    this.bufferLimit = options.bufferLimit;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.filters = new FilterChain(this, this);
  }

  /**
   * Wires a socket's events to this connection. `ownReads`: the socket was made with an `onread`
   * option that calls {@link onSocketData} itself (read-buffer.ts), so there are no 'data' events.
   */
  protected attach(socket: net.Socket, ownReads = false): void {
    this.socket = socket;
    if (!ownReads) socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('end', () => this.filters.onRead(undefined, true));
    socket.on('drain', () => this.onSocketDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    this.touch();
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
    return (this.socket?.writableLength ?? 0) + this.pendingBytes;
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
    else this.endSocket();
  }

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed' || !this.socket) {
      if (this.state !== 'closed' && !this.socket) this.finishClose('LocalClose');
      return;
    }
    this.closeReason ??= 'LocalClose';
    const socket = this.socket;
    if (type === 'NoFlush') this.discardPending();
    else this.flushPending();
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
    if (ms > 0) this.touch();
    else this.idleTimer?.disarm();
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
    if (end) this.endSocket();
  }

  // BatchedWriter

  /** Gives the gathered writes to the socket: one Buffer, so one write syscall. */
  flushPending(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      this.discardPending();
      return;
    }
    const pending = this.pending;
    if (n === 1) {
      socket.write(pending[0]);
    } else if (this.pendingBytes <= CONCAT_LIMIT) {
      socket.write(Buffer.concat(pending.length === n ? pending : pending.slice(0, n), this.pendingBytes));
    } else {
      // Big batches go as a writev (no copy).
      socket.cork();
      for (let i = 0; i < n; i++) socket.write(pending[i]);
      socket.uncork();
    }
    this.discardPending();
    this.touch();
    // Above the watermark, the socket's 'drain' says when to go on; but Node emits it only when a
    // write filled its own buffer (16 KiB). When it will not come (the kernel took the batch, or
    // the limit is below 16 KiB), feeding may go on now.
    if (this.aboveWriteBufferHighWatermark && !socket.writableNeedDrain) this.onSocketDrain();
  }

  // DeadlineOwner: the idle timeout passed.

  onDeadline(): void {
    if (this.state !== 'closed') this.onIdleTimeout();
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
    if (this.pendingCount === 0) markDirty(this);
    this.pending[this.pendingCount++] = data;
    this.pendingBytes += data.length;
    if (!this.aboveWriteBufferHighWatermark && socket.writableLength + this.pendingBytes > this.bufferLimit) {
      this.aboveWriteBufferHighWatermark = true;
      for (const l of this.listeners.slice()) l.onAboveWriteBufferHighWatermark?.(this);
    }
  }

  private discardPending(): void {
    const pending = this.pending;
    for (let i = 0; i < this.pendingCount; i++) pending[i] = undefined as unknown as Buffer;
    this.pendingCount = 0;
    this.pendingBytes = 0;
  }

  /** FIN after what was written so far. */
  private endSocket(): void {
    this.flushPending();
    this.socket?.end();
  }

  /** Activity: the idle timeout starts over. */
  private touch(): void {
    if (this.idleTimeoutMs > 0 && this.socket !== undefined) (this.idleTimer ??= new Deadline(this)).arm(this.idleTimeoutMs);
  }

  protected onSocketData(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    this.metrics.bytesRead.inc(chunk.length);
    this.touch();
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
    this.discardPending();
    this.idleTimer?.disarm();
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
