import { FLAG_EVENT, FLAG_REQUEST, FLAG_TWO_WAY, SERIALIZATION_MASK } from './dubbo-constants';

const EMPTY = Buffer.alloc(0);

/** Why a request could not be read, kept so the error reply can say so (see DubboCodec.hijack). */
export interface RequestFailure {
  /** The dubbo status of the reply. */
  readonly status: number;
  /** The reply's message (a hessian2 string body). */
  readonly message: string;
}

/**
 * One dubbo frame. Decoded frames keep their bytes in `raw` (a view on the read buffer) and the
 * body as a view into it, so forwarding an unchanged frame copies nothing.
 */
export class DubboFrame {
  flag = 0;
  status = 0;
  requestId = 0;
  body: Buffer = EMPTY;
  /** Requests: the invocation as `[name, value, ...]` (dubbo version, service, method, attachments...). */
  headers: string[] = [];
  /** Requests: the consumer's `timeout` attachment in ms, 0 when none. */
  timeoutMs = 0;
  /** Set on a request whose body could not be read. */
  failure: RequestFailure | undefined;
  /** The frame's bytes as decoded; undefined for a frame built here. */
  raw: Buffer | undefined;

  get isRequest(): boolean {
    return (this.flag & FLAG_REQUEST) !== 0;
  }

  get isTwoWay(): boolean {
    return (this.flag & FLAG_TWO_WAY) !== 0;
  }

  get isEvent(): boolean {
    return (this.flag & FLAG_EVENT) !== 0;
  }

  get serializationId(): number {
    return this.flag & SERIALIZATION_MASK;
  }
}
