import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from '../../../plugin-sdk';
import type { Linked } from './linked-queue';
import type { PendingStream, PoolCallbacks } from './connection-pool';

/** The connection a {@link PoolStream} runs on, told once when the stream is over. */
export interface StreamOwner {
  /**
   * The stream completed (`reset` undefined: request and response both ended) or was reset
   * (`local`: by the pool's caller through the sender).
   */
  onStreamDone(stream: PoolStream, reset: StreamResetReason | undefined, local: boolean): void;
}

/**
 * One stream handed out by a pool. It sits between the caller and the codec's stream: it is the
 * receiver the codec reports to and the sender the caller writes to, so the pool learns when the
 * stream ends and stale calls after the end never reach the connection's next stream.
 */
export class PoolStream implements StreamSender, StreamReceiver, Linked<PoolStream> {
  /** The codec's sender of this stream (set right after construction). */
  inner: StreamSender = undefined as unknown as StreamSender;
  owner: StreamOwner | undefined;
  prev: PoolStream | undefined;
  next: PoolStream | undefined;
  queue: object | undefined;
  private requestEnded = false;
  private responseEnded = false;
  /** readDisable(true) calls not yet matched, undone when the stream ends. */
  private readDisabled = 0;

  constructor(
    owner: StreamOwner,
    readonly receiver: StreamReceiver,
  ) {
    this.owner = owner;
  }

  get active(): boolean {
    return this.owner !== undefined;
  }

  // ---- StreamSender (caller → codec) ----

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    if (!this.owner) return;
    this.inner.sendHeaders(headers, endStream);
    if (endStream) this.endRequest();
  }

  sendData(data: Buffer, endStream: boolean): void {
    if (!this.owner) return;
    this.inner.sendData(data, endStream);
    if (endStream) this.endRequest();
  }

  sendTrailers(trailers: HeaderMap): void {
    if (!this.owner) return;
    this.inner.sendTrailers(trailers);
    this.endRequest();
  }

  reset(reason: StreamResetReason): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.requestEnded && this.responseEnded) {
      // Asked from inside the last response callback: the exchange is complete, nothing to abandon.
      this.finish(undefined, false);
      return;
    }
    this.detach();
    try {
      this.inner.reset(reason);
    } finally {
      owner.onStreamDone(this, reason, true);
    }
  }

  readDisable(disable: boolean): void {
    if (!this.owner) return;
    if (disable) this.readDisabled++;
    else if (this.readDisabled > 0) this.readDisabled--;
    else return;
    this.inner.readDisable(disable);
  }

  get aboveWriteBufferHighWatermark(): boolean {
    return this.owner !== undefined && this.inner.aboveWriteBufferHighWatermark;
  }

  get onWritable(): (() => void) | undefined {
    return this.owner ? this.inner.onWritable : undefined;
  }

  set onWritable(fn: (() => void) | undefined) {
    if (this.owner) this.inner.onWritable = fn;
  }

  // ---- StreamReceiver (codec → caller) ----

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    if (!this.owner) return;
    if (endStream) this.responseEnded = true;
    this.receiver.onHeaders(headers, endStream);
    if (endStream) this.responseDone();
  }

  onData(data: Buffer, endStream: boolean): void {
    if (!this.owner) return;
    if (endStream) this.responseEnded = true;
    this.receiver.onData(data, endStream);
    if (endStream) this.responseDone();
  }

  onTrailers(trailers: HeaderMap): void {
    if (!this.owner) return;
    this.responseEnded = true;
    this.receiver.onTrailers(trailers);
    this.responseDone();
  }

  onReset(reason: StreamResetReason, detail?: string): void {
    if (!this.owner) return;
    this.finish(reason, false);
    this.receiver.onReset(reason, detail);
  }

  // ---- internals ----

  /** The response ended (after the caller saw it). */
  private responseDone(): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.requestEnded) {
      this.finish(undefined, false);
      return;
    }
    // The response ended before the request (an early reply, e.g. HTTP/1 413 while the body is
    // still coming): the rest of the request is not wanted. Abandon it on the wire; the caller
    // saw a complete response, so it gets no onReset, and a ping-pong connection is not reused.
    this.detach();
    try {
      this.inner.reset('LocalReset');
    } finally {
      owner.onStreamDone(this, 'LocalReset', true);
    }
  }

  private endRequest(): void {
    this.requestEnded = true;
    if (this.responseEnded) this.finish(undefined, false);
  }

  private finish(reset: StreamResetReason | undefined, local: boolean): void {
    const owner = this.owner;
    if (!owner) return;
    this.detach();
    owner.onStreamDone(this, reset, local);
  }

  /** Cuts the stream off the connection: undoes its read pauses and forgets its write callback. */
  private detach(): void {
    this.owner = undefined;
    const inner = this.inner;
    if (inner.onWritable) inner.onWritable = undefined;
    while (this.readDisabled > 0) {
      this.readDisabled--;
      inner.readDisable(false);
    }
  }
}

/** What a {@link PendingRequest} calls back into. */
export interface PendingOwner {
  cancelPending(pending: PendingRequest): void;
}

/** A newStream waiting in a pool for a connection. */
export class PendingRequest implements PendingStream, Linked<PendingRequest> {
  prev: PendingRequest | undefined;
  next: PendingRequest | undefined;
  queue: object | undefined;
  /** The connecting connection it waits for (ping-pong pools), if bound to one. */
  boundTo: unknown;
  /** Called back or cancelled: nothing more may happen to it. */
  done = false;

  constructor(
    readonly owner: PendingOwner,
    readonly receiver: StreamReceiver,
    readonly callbacks: PoolCallbacks,
  ) {}

  cancel(): void {
    if (!this.done) this.owner.cancelPending(this);
  }
}
