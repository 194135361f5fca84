import type { CloseType, Connection, ConnectionEvent, ConnectionEventListener } from '../api/connection';

let nextId = 1;

/**
 * A downstream connection without a socket. What is written to it is kept in `written` (after
 * the write filters, when a harness installs them); `close` and `end` are recorded; event
 * listeners get `LocalClose` when it closes and `RemoteClose` from {@link remoteClose}.
 */
export class FakeConnection implements Connection {
  readonly id = nextId++;
  readonly localAddress: string;
  readonly remoteAddress: string;
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  readonly bufferLimit = 1 << 20;
  readonly aboveWriteBufferHighWatermark = false;
  /** Chunks that reached the "socket", in order. */
  readonly written: Buffer[] = [];
  /** How it was closed (undefined while open). */
  closeType: CloseType | undefined;
  /** Whether `end()` (half-close) was called. */
  ended = false;
  /** Net count of readDisable(true) minus readDisable(false). */
  readDisabled = 0;
  idleTimeoutMs = 0;
  /** Every event emitted to listeners, in order. */
  readonly events: ConnectionEvent[] = [];
  private readonly listeners = new Set<ConnectionEventListener>();
  /** Replaced by a harness to route writes through write filters. */
  writeHook: ((data: Buffer, end: boolean) => void) | undefined;

  constructor(options: { localAddress?: string; remoteAddress?: string } = {}) {
    this.localAddress = options.localAddress ?? '127.0.0.1:2045';
    this.remoteAddress = options.remoteAddress ?? '127.0.0.1:50000';
  }

  write(data: Buffer): void {
    if (this.state === 'closed') return;
    if (this.writeHook) this.writeHook(data, false);
    else this.flush([data]);
  }

  end(): void {
    this.ended = true;
    if (this.writeHook) this.writeHook(Buffer.alloc(0), true);
  }

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeType = type;
    this.emit('LocalClose');
  }

  /** The peer closed: state becomes closed and listeners get `RemoteClose`. */
  remoteClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('RemoteClose');
  }

  readDisable(disable: boolean): void {
    this.readDisabled += disable ? 1 : -1;
  }

  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
  }

  addEventListener(listener: ConnectionEventListener): void {
    this.listeners.add(listener);
  }

  removeEventListener(listener: ConnectionEventListener): void {
    this.listeners.delete(listener);
  }

  /** Everything written so far, as one Buffer. */
  writtenBytes(): Buffer {
    return Buffer.concat(this.written);
  }

  /** Bytes that passed the write filters reach the socket here. */
  flush(chunks: readonly Buffer[]): void {
    for (const c of chunks) {
      if (c.length === 0) continue;
      this.written.push(c);
      this.bytesWritten += c.length;
    }
  }

  private emit(event: ConnectionEvent): void {
    this.events.push(event);
    for (const l of [...this.listeners]) l.onEvent(event, this);
  }
}
