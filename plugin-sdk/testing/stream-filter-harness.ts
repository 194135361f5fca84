import type { Connection } from '../api/connection';
import { HeaderMap } from '../api/header-map';
import {
  StreamFilterStatus,
  type ReceiverFilterPhase,
  type RequestInfo,
  type StreamFilterChainFactory,
  type StreamReceiverFilter,
  type StreamReceiverFilterHandler,
  type StreamSenderFilter,
  type StreamSenderFilterHandler,
} from '../api/stream-filter';
import { FakeConnection } from './fake-connection';

/** Headers as a test writes them: a HeaderMap, or an object (arrays repeat a header). */
export type TestHeaders = HeaderMap | Readonly<Record<string, string | readonly string[]>>;

/** How a {@link StreamFilterHarness} runs. */
export interface StreamFilterHarnessOptions {
  listenerName?: string;
  /** What filters see as `handler.perFilterConfig` (a route's per_filter_config entry). */
  perFilterConfig?: unknown;
  /** Overrides of the request facts filters see. */
  requestInfo?: Partial<RequestInfo>;
  /** How long a `Stop` may wait for `continueReceiving`/`continueSending` (default 1000 ms). */
  resumeTimeoutMs?: number;
}

/** A filter's local reply. */
export interface LocalReply {
  status: number;
  body?: string | Buffer;
  headers?: Readonly<Record<string, string>>;
}

/**
 * What happened to headers pushed through the filters:
 * - `continue`: every filter let them through (a request would go upstream, a response downstream);
 * - `local_reply`: a filter answered (see `localReply`);
 * - `terminated`: a filter ended the stream without a reply (the kernel answers 500);
 * - `stopped`: a filter returned Stop and did not resume within the timeout;
 * - `failed`: a filter threw (see `error`); the kernel applies the filter's failure policy.
 */
export interface StreamResult {
  outcome: 'continue' | 'local_reply' | 'terminated' | 'stopped' | 'failed';
  /** The headers after the filters (they may have changed them). */
  headers: HeaderMap;
  localReply?: LocalReply;
  error?: unknown;
}

const PHASES: readonly ReceiverFilterPhase[] = ['BeforeRoute', 'AfterRoute', 'AfterChooseHost'];
const DEFAULT_RESUME_TIMEOUT_MS = 1000;

/**
 * Drives one configured stream filter as the kernel's proxy does, without a network: each
 * {@link stream} builds the filter chain for one stream (receiver filters by phase, sender
 * filters), `request` runs the receivers in phase order, `response` the senders, honouring
 * Continue / Stop (awaiting the filter's continue call) / Terminate and local replies.
 */
export class StreamFilterHarness {
  constructor(
    readonly name: string,
    private readonly chainFactory: StreamFilterChainFactory,
    private readonly options: StreamFilterHarnessOptions,
  ) {}

  /** A new stream: the chain factory adds this stream's filter instances. */
  stream(): TestStream {
    return new TestStream(this.name, this.chainFactory, this.options);
  }

  /** One request through a fresh stream (which is then destroyed). */
  async request(headers: TestHeaders, endStream = true): Promise<StreamResult> {
    const s = this.stream();
    try {
      return await s.request(headers, endStream);
    } finally {
      s.destroy();
    }
  }

  /** A request, then (if it went upstream) `response` back through the same stream. */
  async exchange(request: TestHeaders, response: TestHeaders): Promise<{ request: StreamResult; response?: StreamResult }> {
    const s = this.stream();
    try {
      const req = await s.request(request, true);
      if (req.outcome !== 'continue') return { request: req };
      return { request: req, response: await s.response(response, true) };
    } finally {
      s.destroy();
    }
  }
}

/** One stream's filter instances. */
export class TestStream {
  private readonly receivers: StreamReceiverFilter[][] = [[], [], []];
  private readonly senders: StreamSenderFilter[] = [];
  private reply: LocalReply | undefined;
  private resume: (() => void) | undefined;
  /** A continue call that came before the filter returned Stop (nobody was waiting yet). */
  private earlyResume = false;
  private readonly info: RequestInfo;
  readonly connection: Connection;

  constructor(
    readonly filterName: string,
    chainFactory: StreamFilterChainFactory,
    private readonly options: StreamFilterHarnessOptions,
  ) {
    this.connection = new FakeConnection();
    this.info = {
      startTime: Date.now(),
      protocol: 'Http1',
      downstreamLocalAddress: this.connection.localAddress,
      downstreamRemoteAddress: this.connection.remoteAddress,
      routeName: undefined,
      clusterName: undefined,
      upstreamHost: undefined,
      responseCode: undefined,
      ...options.requestInfo,
    };
    chainFactory.createFilterChain({
      addReceiverFilter: (filter, phase = 'AfterRoute') => {
        const i = PHASES.indexOf(phase);
        if (i < 0) throw new Error(`unknown receiver filter phase ${JSON.stringify(phase)}`);
        this.receivers[i].push(filter);
      },
      addSenderFilter: (filter) => this.senders.push(filter),
    });
    const base = {
      requestInfo: this.info,
      connection: this.connection,
      perFilterConfig: options.perFilterConfig,
      sendLocalReply: (status: number, body?: string | Buffer, headers?: Readonly<Record<string, string>>) => {
        this.reply = { status, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) };
        this.wake();
      },
    };
    const receiverHandler: StreamReceiverFilterHandler = { ...base, continueReceiving: () => this.wake() };
    const senderHandler: StreamSenderFilterHandler = { ...base, continueSending: () => this.wake() };
    for (const phase of this.receivers) for (const f of phase) f.setReceiveFilterHandler?.(receiverHandler);
    for (const f of this.senders) f.setSenderFilterHandler?.(senderHandler);
  }

  /** Whether the chain factory added no filter at all for this stream. */
  get isEmpty(): boolean {
    return this.senders.length === 0 && this.receivers.every((p) => p.length === 0);
  }

  /** Runs the receiver filters over request headers, phase by phase. */
  async request(headers: TestHeaders, endStream = true): Promise<StreamResult> {
    const h = toHeaderMap(headers);
    for (const phase of this.receivers) {
      const result = await this.run(phase, (f) => f.onReceive(h, endStream), h);
      if (result) return result;
    }
    return { outcome: 'continue', headers: h };
  }

  /** Runs the sender filters over response headers (setting `responseCode` from `:status`). */
  async response(headers: TestHeaders, endStream = true): Promise<StreamResult> {
    const h = toHeaderMap(headers);
    const status = Number(h.get(':status'));
    if (Number.isInteger(status)) (this.info as { responseCode: number | undefined }).responseCode = status;
    return (await this.run(this.senders, (f) => f.onSend(h, endStream), h)) ?? { outcome: 'continue', headers: h };
  }

  /** The stream ends: every filter's onDestroy runs. */
  destroy(): void {
    for (const f of [...this.receivers.flat(), ...this.senders]) {
      try {
        f.onDestroy?.();
      } catch {
        // as in the kernel: a failing cleanup does not fail the stream's end
      }
    }
  }

  /** Runs `filters` from the first; returns a final result, or undefined to go on. */
  private async run<F>(filters: readonly F[], call: (f: F) => StreamFilterStatus, headers: HeaderMap): Promise<StreamResult | undefined> {
    for (const f of filters) {
      let status: StreamFilterStatus;
      this.earlyResume = false;
      try {
        status = call(f);
      } catch (error) {
        return { outcome: 'failed', headers, error };
      }
      if (this.reply) return { outcome: 'local_reply', headers, localReply: this.reply };
      if (status === StreamFilterStatus.Terminate) return { outcome: 'terminated', headers };
      if (status === StreamFilterStatus.Stop) {
        const resumed = await this.waitForResume();
        if (this.reply) return { outcome: 'local_reply', headers, localReply: this.reply };
        if (!resumed) return { outcome: 'stopped', headers };
      }
    }
    return undefined;
  }

  private wake(): void {
    if (this.resume) this.resume();
    else this.earlyResume = true;
  }

  private waitForResume(): Promise<boolean> {
    if (this.earlyResume) {
      this.earlyResume = false;
      return Promise.resolve(true);
    }
    const ms = this.options.resumeTimeoutMs ?? DEFAULT_RESUME_TIMEOUT_MS;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.resume = undefined;
        resolve(false);
      }, ms);
      this.resume = () => {
        clearTimeout(timer);
        this.resume = undefined;
        resolve(true);
      };
    });
  }
}

function toHeaderMap(headers: TestHeaders): HeaderMap {
  return headers instanceof HeaderMap ? headers : HeaderMap.fromObject(headers);
}
