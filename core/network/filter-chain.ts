import { FilterStatus, IoBuffer } from '../../plugin-sdk';
import type { Connection, FilterManager, ReadFilter, WriteFilter } from '../../plugin-sdk';

/** Where the chain delivers its results: the connection that owns it. */
export interface FilterChainSink {
  /** Bytes that passed every write filter, to go to the socket (then FIN when `end`). */
  flushWrite(chunks: Buffer[], end: boolean): void;
  /** The read chain ran; the buffer holds what filters left (the owner applies backpressure). */
  readChainRan(buffered: number): void;
}

interface ReadEntry {
  filter: ReadFilter;
  initialized: boolean;
}

/**
 * The read and write network filter chains of one connection, with Envoy's and MOSN's semantics.
 *
 * Read: every read runs the chain from the first filter. A filter not yet initialized first gets
 * onNewConnection; then each gets onData while there are bytes (or the FIN). `Stop` ends this
 * run, leaving undrained bytes in the buffer; `continueReading()` runs on from the next filter.
 * Write: the same over the pending write buffer; what passes the last filter goes to the socket.
 */
export class FilterChain implements FilterManager {
  private readonly reads: ReadEntry[] = [];
  private readonly writes: WriteFilter[] = [];
  /** Bytes read and not yet drained by the filters. */
  readonly readBuffer = new IoBuffer();
  private readonly writeBuffer = new IoBuffer();
  private readEnd = false;
  private writeEnd = false;

  constructor(
    private readonly connection: Connection,
    private readonly sink: FilterChainSink,
  ) {}

  addReadFilter(filter: ReadFilter): void {
    const index = this.reads.length;
    this.reads.push({ filter, initialized: false });
    filter.initializeReadFilterCallbacks?.({
      connection: this.connection,
      continueReading: () => this.runRead(index + 1),
    });
  }

  addWriteFilter(filter: WriteFilter): void {
    const index = this.writes.length;
    this.writes.push(filter);
    filter.initializeWriteFilterCallbacks?.({
      connection: this.connection,
      continueWriting: () => this.runWrite(index + 1),
    });
  }

  get hasWriteFilters(): boolean {
    return this.writes.length > 0;
  }

  /** The listener is draining: every read filter hears it (a throw costs only that filter's say). */
  drain(): void {
    for (const entry of this.reads) {
      try {
        entry.filter.onDrain?.();
      } catch {
        // A filter that cannot drain politely is closed at the graceful timeout like any other.
      }
    }
  }

  /** Gives every filter onNewConnection (until one stops). */
  initializeReadFilters(): void {
    this.runRead(0);
  }

  /** New data (or the peer's FIN) arrived. */
  onRead(chunk: Buffer | undefined, endStream: boolean): void {
    if (chunk) this.readBuffer.append(chunk);
    if (endStream) this.readEnd = true;
    this.runRead(0);
  }

  /** Data written by the connection's owner (or FIN when `endStream`). */
  onWrite(data: Buffer | undefined, endStream: boolean): void {
    if (data) this.writeBuffer.append(data);
    if (endStream) this.writeEnd = true;
    this.runWrite(0);
  }

  private runRead(from: number): void {
    const reads = this.reads;
    const buffer = this.readBuffer;
    for (let i = from; i < reads.length; i++) {
      if (isClosed(this.connection)) return;
      const entry = reads[i];
      if (!entry.initialized) {
        entry.initialized = true;
        if (entry.filter.onNewConnection && entry.filter.onNewConnection() === FilterStatus.Stop) break;
        if (isClosed(this.connection)) return;
      }
      if (buffer.length > 0 || this.readEnd) {
        if (entry.filter.onData(buffer, this.readEnd) === FilterStatus.Stop) break;
      }
    }
    this.sink.readChainRan(buffer.length);
  }

  private runWrite(from: number): void {
    if (isClosed(this.connection)) return;
    const writes = this.writes;
    for (let i = from; i < writes.length; i++) {
      if (writes[i].onWrite(this.writeBuffer, this.writeEnd) === FilterStatus.Stop) return;
    }
    const end = this.writeEnd;
    this.writeEnd = false;
    this.sink.flushWrite(this.writeBuffer.takeChunks(), end);
  }
}

/** Read through a function so TypeScript does not narrow the state across filter calls. */
function isClosed(connection: Connection): boolean {
  return connection.state === 'closed';
}
