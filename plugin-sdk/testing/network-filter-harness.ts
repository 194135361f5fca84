import type { Logger } from '../api/logger';
import { FilterStatus } from '../api/filter-status';
import { IoBuffer } from '../api/io-buffer';
import type { FilterManager, NetworkFilterChainFactory, NetworkFilterFactory, ReadFilter, WriteFilter } from '../api/network-filter';
import type { ClusterManager } from '../api/upstream';
import { FakeConnection } from './fake-connection';

/** How a {@link NetworkFilterHarness} is set up. */
export interface NetworkFilterHarnessOptions {
  listenerName?: string;
  /** What the filter's factory context offers as clusters (default: none; any use throws). */
  clusterManager?: ClusterManager;
  localAddress?: string;
  remoteAddress?: string;
}

const NO_CLUSTERS: ClusterManager = {
  getCluster: () => undefined,
  createConnection: () => {
    throw new Error('the test harness has no upstream clusters; pass options.clusterManager');
  },
};

/**
 * One connection through one configured network filter, as the kernel runs it, without a
 * socket: {@link receive} feeds bytes to the read filters (each read runs the chain from the first
 * filter; Stop ends the pass and leaves undrained bytes buffered; `continueReading()` runs on from
 * the next filter), and what the filters write goes through the write filters into
 * `connection.written`.
 */
export class NetworkFilterHarness implements FilterManager {
  readonly connection: FakeConnection;
  private readonly reads: { filter: ReadFilter; initialized: boolean }[] = [];
  private readonly writes: WriteFilter[] = [];
  /** Bytes received and not yet drained by the read filters. */
  readonly readBuffer = new IoBuffer();
  private readonly writeBuffer = new IoBuffer();
  private readEnd = false;
  private writeEnd = false;
  private started = false;

  private constructor(options: NetworkFilterHarnessOptions) {
    this.connection = new FakeConnection(options);
    this.connection.writeHook = (data, end) => this.onWrite(data, end);
  }

  /** Builds the filter's chain factory from `config`, then one connection's filters. */
  static create(factory: NetworkFilterFactory, config: unknown, logger: Logger, options: NetworkFilterHarnessOptions = {}): NetworkFilterHarness {
    const chain: NetworkFilterChainFactory = factory.createFilterChainFactory(config, {
      listenerName: options.listenerName ?? 'test_listener',
      clusterManager: options.clusterManager ?? NO_CLUSTERS,
      logger,
    });
    const harness = new NetworkFilterHarness(options);
    chain.createFilterChain(harness.connection, harness);
    return harness;
  }

  addReadFilter(filter: ReadFilter): void {
    const index = this.reads.length;
    this.reads.push({ filter, initialized: false });
    filter.initializeReadFilterCallbacks?.({ connection: this.connection, continueReading: () => this.runRead(index + 1) });
  }

  addWriteFilter(filter: WriteFilter): void {
    const index = this.writes.length;
    this.writes.push(filter);
    filter.initializeWriteFilterCallbacks?.({ connection: this.connection, continueWriting: () => this.runWrite(index + 1) });
  }

  /** The connection is established: read filters get onNewConnection (done by the first receive if not called). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.runRead(0);
  }

  /**
   * Bytes arrive from the peer (`endStream`: the peer half-closed after them). Resolves after
   * the read chain ran and pending promise callbacks (a filter's async work started by the data)
   * had a turn.
   */
  async receive(data: Buffer | string, endStream = false): Promise<void> {
    this.start();
    if (this.connection.state === 'closed') throw new Error('the connection is closed');
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    this.readBuffer.append(chunk);
    this.connection.bytesRead += chunk.length;
    if (endStream) this.readEnd = true;
    this.runRead(0);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Everything written toward the peer so far, as one Buffer. */
  written(): Buffer {
    return this.connection.writtenBytes();
  }

  /** The written bytes as text (utf8). */
  writtenText(): string {
    return this.written().toString('utf8');
  }

  private runRead(from: number): void {
    for (let i = from; i < this.reads.length; i++) {
      if (this.connection.state === 'closed') return;
      const entry = this.reads[i];
      if (!entry.initialized) {
        entry.initialized = true;
        if (entry.filter.onNewConnection?.() === FilterStatus.Stop) return;
      }
      if (this.readBuffer.length > 0 || this.readEnd) {
        if (entry.filter.onData(this.readBuffer, this.readEnd) === FilterStatus.Stop) return;
      }
    }
  }

  private onWrite(data: Buffer, end: boolean): void {
    this.writeBuffer.append(data);
    if (end) this.writeEnd = true;
    this.runWrite(0);
  }

  private runWrite(from: number): void {
    for (let i = from; i < this.writes.length; i++) {
      if (this.writes[i].onWrite(this.writeBuffer, this.writeEnd) === FilterStatus.Stop) return;
    }
    this.writeEnd = false;
    this.connection.flush(this.writeBuffer.takeChunks());
  }
}
