import { performance } from 'node:perf_hooks';
import { StreamFilterStatus } from '../../plugin-sdk';
import type {
  HeaderMap,
  Logger,
  ReceiverFilterPhase,
  StreamFilterChainCallbacks,
  StreamFilterChainFactory,
  StreamReceiverFilter,
  StreamSenderFilter,
} from '../../plugin-sdk';
import type { PluginCallRecorder } from '../host/plugin-health';
import { ReceiverFilterHandler, SenderFilterHandler, type FilterHandlerTarget } from './filter-handlers';

export const PHASES: readonly ReceiverFilterPhase[] = ['BeforeRoute', 'AfterRoute', 'AfterChooseHost'];

/** A listener's stream filter factory with the name it was configured under. */
export interface NamedStreamFilterFactory {
  readonly name: string;
  readonly pluginName: string;
  readonly factory: StreamFilterChainFactory;
  /** The plugin's call recorder (calls, errors, time, quarantine); absent for kernel filters. */
  readonly recorder?: PluginCallRecorder;
  /** failure_policy "fail_open": a throw or a quarantine skips the filter instead of failing the request. */
  readonly failOpen: boolean;
}

/** Why a run failed: the filter, the error, and whether it was a quarantine rather than a throw. */
export interface ChainFailure {
  name: string;
  error: unknown;
  quarantined: boolean;
}

/** Outcome of running part of a chain. */
export type ChainResult = 'done' | 'stopped' | 'terminated' | 'failed';

/**
 * Streams whose plugin calls are timed: one in TIMING_SAMPLE, each timed call counting that many
 * times. Why sample: a clock read costs 60–100 ns on the VMs we measured, as much as a no-op
 * filter; calls and errors are still counted exactly, only call_time_ns_total is an estimate.
 */
export const TIMING_SAMPLE = 8;
let streamsSinceTimed = 0;

/**
 * One stream's stream filters: receiver filters by phase and sender filters, with the position
 * where a Stop left each chain so `continue*` resumes at the next filter.
 *
 * Each filter instance sits in a list beside the listener's factory it came from (name, plugin
 * recorder, failure policy), so a stream allocates nothing per filter beyond what the plugin does.
 */
export class StreamFilterChain implements StreamFilterChainCallbacks {
  private readonly receivers: StreamReceiverFilter[][] = [[], [], []];
  private readonly receiverOrigins: NamedStreamFilterFactory[][] = [[], [], []];
  private readonly senders: StreamSenderFilter[] = [];
  private readonly senderOrigins: NamedStreamFilterFactory[] = [];
  private current: NamedStreamFilterFactory | undefined;
  /** Whether this stream's plugin calls are timed (see TIMING_SAMPLE). */
  private readonly timed: boolean;
  /** Filter instances that threw under fail_open: not called again (still destroyed). Made on first use. */
  private skippedFilters: Set<object> | undefined;
  /** The filter that threw (or is quarantined), when build or a run returned a failure. */
  failure: ChainFailure | undefined;

  constructor(private readonly logger: Logger) {
    this.timed = ++streamsSinceTimed >= TIMING_SAMPLE;
    if (this.timed) streamsSinceTimed = 0;
  }

  /**
   * Builds the chain from the listener's factories. A quarantined plugin's factory is skipped
   * (fail_open) or fails the build (fail_closed); so does one whose createFilterChain throws.
   */
  build(factories: readonly NamedStreamFilterFactory[]): boolean {
    const rs = this.receivers;
    for (let i = 0; i < factories.length; i++) {
      const f = factories[i];
      const recorder = f.recorder;
      if (recorder !== undefined && recorder.quarantined) {
        if (f.failOpen) continue;
        this.failure = { name: f.name, error: undefined, quarantined: true };
        return false;
      }
      this.current = f;
      const r0 = rs[0].length;
      const r1 = rs[1].length;
      const r2 = rs[2].length;
      const s = this.senders.length;
      try {
        f.factory.createFilterChain(this);
      } catch (error) {
        // Not counted as a call when it succeeds: that would end the run of consecutive errors of
        // a filter that throws on every request, and it would never be quarantined.
        recorder?.recordError(error);
        if (!f.failOpen) {
          this.failure = { name: f.name, error, quarantined: false };
          return false;
        }
        // fail_open: whatever the factory added before it threw goes too.
        this.truncate(0, r0);
        this.truncate(1, r1);
        this.truncate(2, r2);
        this.senders.length = s;
        this.senderOrigins.length = s;
        this.skipped(f.name, error);
      }
    }
    this.current = undefined;
    return true;
  }

  get isEmpty(): boolean {
    return this.senders.length === 0 && this.receivers[0].length === 0 && this.receivers[1].length === 0 && this.receivers[2].length === 0;
  }

  addReceiverFilter(filter: StreamReceiverFilter, phase?: ReceiverFilterPhase): void {
    const i = phase === undefined || phase === 'AfterRoute' ? 1 : PHASES.indexOf(phase);
    if (i < 0) throw new Error(`unknown receiver filter phase ${JSON.stringify(phase)}`);
    this.receivers[i].push(filter);
    this.receiverOrigins[i].push(this.origin());
  }

  addSenderFilter(filter: StreamSenderFilter): void {
    this.senders.push(filter);
    this.senderOrigins.push(this.origin());
  }

  /** Hands every filter its handler (made per filter so per_filter_config can be per name). */
  setHandlers(stream: FilterHandlerTarget): void {
    for (let p = 0; p < 3; p++) {
      const list = this.receivers[p];
      for (let i = 0; i < list.length; i++) list[i].setReceiveFilterHandler?.(new ReceiverFilterHandler(stream, this.receiverOrigins[p][i].name));
    }
    const senders = this.senders;
    for (let i = 0; i < senders.length; i++) senders[i].setSenderFilterHandler?.(new SenderFilterHandler(stream, this.senderOrigins[i].name));
  }

  /** Runs phase `phase`'s receiver filters from index `from`. `position` says where a Stop happened. */
  runReceivers(phase: number, from: number, headers: HeaderMap, endStream: boolean, position: { index: number }): ChainResult {
    const list = this.receivers[phase];
    const origins = this.receiverOrigins[phase];
    const timed = this.timed;
    // One clock read per call when timed: each call's end is the next one's start (stream filters
    // all come from plugins; a kernel one, unrecorded, would be billed to the next). Why no helper
    // taking a callback: this runs per filter per request, and a closure each time costs.
    let t0 = timed && list.length > from ? performance.now() : 0;
    for (let i = from; i < list.length; i++) {
      const filter = list[i];
      if (this.skippedFilters !== undefined && this.skippedFilters.has(filter)) continue;
      let status: StreamFilterStatus;
      try {
        status = filter.onReceive(headers, endStream);
      } catch (error) {
        if (!this.threw(origins[i], error, timed ? t0 : undefined)) return 'failed';
        (this.skippedFilters ??= new Set()).add(filter);
        if (timed) t0 = performance.now();
        continue;
      }
      const recorder = origins[i].recorder;
      if (recorder !== undefined) {
        if (timed) {
          const t1 = performance.now();
          recorder.recordCall((t1 - t0) * 1e6 * TIMING_SAMPLE);
          t0 = t1;
        } else recorder.recordCall(0);
      }
      if (status === StreamFilterStatus.Stop) {
        position.index = i;
        return 'stopped';
      }
      if (status === StreamFilterStatus.Terminate) return 'terminated';
    }
    return 'done';
  }

  runSenders(from: number, headers: HeaderMap, endStream: boolean, position: { index: number }): ChainResult {
    const list = this.senders;
    const origins = this.senderOrigins;
    const timed = this.timed;
    let t0 = timed && list.length > from ? performance.now() : 0;
    for (let i = from; i < list.length; i++) {
      const filter = list[i];
      if (this.skippedFilters !== undefined && this.skippedFilters.has(filter)) continue;
      let status: StreamFilterStatus;
      try {
        status = filter.onSend(headers, endStream);
      } catch (error) {
        if (!this.threw(origins[i], error, timed ? t0 : undefined)) return 'failed';
        (this.skippedFilters ??= new Set()).add(filter);
        if (timed) t0 = performance.now();
        continue;
      }
      const recorder = origins[i].recorder;
      if (recorder !== undefined) {
        if (timed) {
          const t1 = performance.now();
          recorder.recordCall((t1 - t0) * 1e6 * TIMING_SAMPLE);
          t0 = t1;
        } else recorder.recordCall(0);
      }
      if (status === StreamFilterStatus.Stop) {
        position.index = i;
        return 'stopped';
      }
      if (status === StreamFilterStatus.Terminate) return 'terminated';
    }
    return 'done';
  }

  destroy(): void {
    for (let p = 0; p < 3; p++) {
      const list = this.receivers[p];
      for (let i = 0; i < list.length; i++) safeDestroy(list[i], this.receiverOrigins[p][i]);
    }
    const senders = this.senders;
    for (let i = 0; i < senders.length; i++) safeDestroy(senders[i], this.senderOrigins[i]);
  }

  private origin(): NamedStreamFilterFactory {
    // Filters added outside build() (a plugin keeping the callbacks) still need an origin.
    return this.current ?? UNKNOWN_ORIGIN;
  }

  private truncate(phase: number, length: number): void {
    this.receivers[phase].length = length;
    this.receiverOrigins[phase].length = length;
  }

  /** Counts a throw; true when the policy is fail_open (skip the filter from now on and go on). */
  private threw(origin: NamedStreamFilterFactory, error: unknown, t0: number | undefined): boolean {
    origin.recorder?.recordError(error, t0 === undefined ? 0 : (performance.now() - t0) * 1e6);
    if (origin.failOpen) {
      this.skipped(origin.name, error);
      return true;
    }
    this.failure = { name: origin.name, error, quarantined: false };
    return false;
  }

  private skipped(name: string, error: unknown): void {
    this.logger.warn({ filter: name, err: error instanceof Error ? error.message : String(error) }, 'stream filter threw; skipped for this request (failure_policy fail_open)');
  }
}

const UNKNOWN_ORIGIN: NamedStreamFilterFactory = { name: '', pluginName: '', factory: { createFilterChain: () => undefined }, failOpen: false };

function safeDestroy(filter: { onDestroy?(): void }, origin: NamedStreamFilterFactory): void {
  try {
    filter.onDestroy?.();
  } catch (error) {
    // A filter's cleanup failing must not break the stream's end; it still counts against the plugin.
    origin.recorder?.recordError(error);
  }
}
