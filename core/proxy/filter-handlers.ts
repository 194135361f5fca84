import type { Connection, RequestInfo, StreamReceiverFilterHandler, StreamSenderFilterHandler } from '../../plugin-sdk';
import type { RequestLogRecord } from '../accesslog/request-log-record';

/** What a filter handler needs from its stream. */
export interface FilterHandlerTarget {
  readonly record: RequestLogRecord;
  readonly downstreamConnection: Connection;
  perFilterConfigOf(name: string): unknown;
  sendLocalReply(status: number, body?: string | Buffer, headers?: Readonly<Record<string, string>>): void;
  resumeReceiving(): void;
  resumeSending(): void;
}

/** RequestInfo read live from the stream's log record. */
class RecordRequestInfo implements RequestInfo {
  constructor(private readonly r: RequestLogRecord) {}
  get startTime(): number {
    return this.r.startTime;
  }
  get protocol(): string {
    return this.r.protocol;
  }
  get downstreamLocalAddress(): string {
    return this.r.downstreamLocalAddress;
  }
  get downstreamRemoteAddress(): string {
    return this.r.downstreamRemoteAddress;
  }
  get routeName(): string | undefined {
    return this.r.routeName || undefined;
  }
  get clusterName(): string | undefined {
    return this.r.upstreamCluster || undefined;
  }
  get upstreamHost(): string | undefined {
    return this.r.upstreamHost || undefined;
  }
  get responseCode(): number | undefined {
    return this.r.responseCode || undefined;
  }
}

abstract class BaseFilterHandler {
  readonly requestInfo: RequestInfo;
  constructor(
    protected readonly stream: FilterHandlerTarget,
    private readonly filterName: string,
  ) {
    this.requestInfo = new RecordRequestInfo(stream.record);
  }
  get connection(): Connection {
    return this.stream.downstreamConnection;
  }
  get perFilterConfig(): unknown {
    return this.stream.perFilterConfigOf(this.filterName);
  }
  sendLocalReply(status: number, body?: string | Buffer, headers?: Readonly<Record<string, string>>): void {
    this.stream.sendLocalReply(status, body, headers);
  }
}

export class ReceiverFilterHandler extends BaseFilterHandler implements StreamReceiverFilterHandler {
  continueReceiving(): void {
    this.stream.resumeReceiving();
  }
}

export class SenderFilterHandler extends BaseFilterHandler implements StreamSenderFilterHandler {
  continueSending(): void {
    this.stream.resumeSending();
  }
}
