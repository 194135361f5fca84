import { StreamFilterStatus } from '../../plugin-sdk';
import type {
  HeaderMap,
  ReceiverFilterPhase,
  StreamFilterChainCallbacks,
  StreamFilterChainFactory,
  StreamReceiverFilter,
  StreamReceiverFilterHandler,
  StreamSenderFilter,
  StreamSenderFilterHandler,
} from '../../plugin-sdk';

export const PHASES: readonly ReceiverFilterPhase[] = ['BeforeRoute', 'AfterRoute', 'AfterChooseHost'];

/** A listener's stream filter factory with the name it was configured under. */
export interface NamedStreamFilterFactory {
  readonly name: string;
  readonly pluginName: string;
  readonly factory: StreamFilterChainFactory;
}

interface Entry<F> {
  filter: F;
  /** The configured filter (stream_filters[].type) it came from, for per_filter_config and logs. */
  name: string;
}

/** Outcome of running part of a chain. */
export type ChainResult = 'done' | 'stopped' | 'terminated' | 'failed';

/**
 * One stream's stream filters: receiver filters by phase and sender filters, with the position
 * where a Stop left each chain so `continue*` resumes at the next filter.
 */
export class StreamFilterChain implements StreamFilterChainCallbacks {
  private readonly receivers: Entry<StreamReceiverFilter>[][] = [[], [], []];
  private readonly senders: Entry<StreamSenderFilter>[] = [];
  private currentName = '';
  /** The filter that threw, and the error, when a run returned 'failed'. */
  failure: { name: string; error: unknown } | undefined;

  /** Builds the chain from the listener's factories. A factory that throws counts as a failure. */
  build(factories: readonly NamedStreamFilterFactory[]): boolean {
    for (const f of factories) {
      this.currentName = f.name;
      try {
        f.factory.createFilterChain(this);
      } catch (error) {
        this.failure = { name: f.name, error };
        return false;
      }
    }
    return true;
  }

  get isEmpty(): boolean {
    return this.senders.length === 0 && this.receivers.every((p) => p.length === 0);
  }

  addReceiverFilter(filter: StreamReceiverFilter, phase: ReceiverFilterPhase = 'AfterRoute'): void {
    const i = PHASES.indexOf(phase);
    if (i < 0) throw new Error(`unknown receiver filter phase ${JSON.stringify(phase)}`);
    this.receivers[i].push({ filter, name: this.currentName });
  }

  addSenderFilter(filter: StreamSenderFilter): void {
    this.senders.push({ filter, name: this.currentName });
  }

  /** Hands every filter its handler (made per filter so per_filter_config can be per name). */
  setHandlers(receiver: (name: string) => StreamReceiverFilterHandler, sender: (name: string) => StreamSenderFilterHandler): void {
    for (const phase of this.receivers) for (const e of phase) e.filter.setReceiveFilterHandler?.(receiver(e.name));
    for (const e of this.senders) e.filter.setSenderFilterHandler?.(sender(e.name));
  }

  /** Runs phase `phase`'s receiver filters from index `from`. `position` says where a Stop happened. */
  runReceivers(phase: number, from: number, headers: HeaderMap, endStream: boolean, position: { index: number }): ChainResult {
    const list = this.receivers[phase];
    for (let i = from; i < list.length; i++) {
      let status: StreamFilterStatus;
      try {
        status = list[i].filter.onReceive(headers, endStream);
      } catch (error) {
        this.failure = { name: list[i].name, error };
        return 'failed';
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
    for (let i = from; i < list.length; i++) {
      let status: StreamFilterStatus;
      try {
        status = list[i].filter.onSend(headers, endStream);
      } catch (error) {
        this.failure = { name: list[i].name, error };
        return 'failed';
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
    for (const phase of this.receivers) for (const e of phase) safeDestroy(e.filter);
    for (const e of this.senders) safeDestroy(e.filter);
  }
}

function safeDestroy(filter: { onDestroy?(): void }): void {
  try {
    filter.onDestroy?.();
  } catch {
    // a filter's cleanup failing must not break the stream's end
  }
}
