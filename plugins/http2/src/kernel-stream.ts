import { EventEmitter } from 'node:events';
import type { Connection, ConnectionEventListener, IoBuffer } from 'mosn-plugin-sdk';
import { ErrorGoawayWatch } from './error-goaway-watch';

type WriteCallback = (err?: Error | null) => void;

/**
 * The kernel connection, shaped as the stream Node's http2 takes for a session socket.
 *
 * Node's http2 accepts any stream as its socket and wraps it in its JSStreamSocket, which uses
 * only: 'data' / 'end' / 'close' / 'error' events, pause(), resume(), cork(), uncork(),
 * write(buf, cb), end(cb) and destroy(). So this is a bare EventEmitter with those methods
 * instead of a Duplex: bytes the kernel dispatches are emitted at once (no Readable buffering),
 * writes go straight to Connection.write (which gathers them until the end of the event-loop
 * turn), and nghttp2's write completes at once unless the connection is above its write-buffer
 * watermark — then the callback waits for the low watermark, so a slow peer stalls the session.
 * The frames written are followed for a GOAWAY with an error code (error-goaway-watch.ts): nghttp2
 * may end a session that way without Node noticing, and then only the codec can close the connection.
 */
export class KernelStream extends EventEmitter implements ConnectionEventListener {
  readable = true;
  writable = true;
  private paused = true;
  /** The connection's reading was disabled by pause(). */
  private disabledReading = false;
  /** Chunks dispatched while paused. */
  private held: Buffer[] | undefined;
  private heldEnd = false;
  /** Write callbacks waiting for the connection's write buffer to drain. */
  private waiting: WriteCallback[] | undefined;
  private closed = false;
  /** Dropped once a GOAWAY with an error code was seen: nothing more to look for. */
  private goawayWatch: ErrorGoawayWatch | undefined;

  /**
   * @param onErrorGoaway called (on the next tick, outside nghttp2's write) with the error code of
   *   a GOAWAY the session wrote, which is then in the connection's write buffer.
   * @param leadingBytes bytes written before the first frame (the client's connection preface).
   */
  constructor(
    readonly connection: Connection,
    private readonly onErrorGoaway: (code: number) => void,
    leadingBytes = 0,
  ) {
    super();
    this.goawayWatch = new ErrorGoawayWatch(leadingBytes);
    connection.addEventListener(this);
  }

  /** Bytes from the kernel (the codec's dispatch). */
  feed(buffer: IoBuffer, endStream: boolean): void {
    if (this.closed) {
      buffer.clear();
      return;
    }
    if (buffer.length > 0) {
      const chunks = buffer.takeChunks();
      if (this.paused) (this.held ??= []).push(...chunks);
      else for (let i = 0; i < chunks.length; i++) this.emit('data', chunks[i]);
    }
    if (endStream) {
      if (this.paused) this.heldEnd = true;
      else this.emitEnd();
    }
  }

  // ---- what JSStreamSocket calls ----

  pause(): this {
    if (!this.paused) {
      this.paused = true;
      if (!this.disabledReading && !this.closed) {
        this.disabledReading = true;
        this.connection.readDisable(true);
      }
    }
    return this;
  }

  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      for (let i = 0; i < held.length && !this.paused; i++) this.emit('data', held[i]);
    }
    if (this.heldEnd && !this.paused) {
      this.heldEnd = false;
      this.emitEnd();
    }
    if (!this.paused && this.disabledReading) {
      this.disabledReading = false;
      if (!this.closed) this.connection.readDisable(false);
    }
    return this;
  }

  cork(): void {}

  uncork(): void {}

  write(chunk: Buffer, cb?: WriteCallback): boolean {
    if (this.closed) {
      cb?.(null);
      return false;
    }
    const connection = this.connection;
    connection.write(chunk);
    const code = this.goawayWatch?.scan(chunk);
    if (code !== undefined) {
      this.goawayWatch = undefined;
      process.nextTick(this.onErrorGoaway, code);
    }
    if (!connection.aboveWriteBufferHighWatermark) {
      cb?.(null);
      return true;
    }
    if (cb) (this.waiting ??= []).push(cb);
    return false;
  }

  /** nghttp2 finished (the session shut down): close after what was written is sent. */
  end(cb?: () => void): this {
    this.writable = false;
    this.connection.close('FlushWrite');
    cb?.();
    return this;
  }

  /** The session was destroyed (after a protocol error its GOAWAY is already written). */
  destroy(): this {
    this.connection.close('FlushWrite');
    this.markClosed();
    return this;
  }

  // ---- ConnectionEventListener ----

  onEvent(event: string): void {
    if (event !== 'Connected') this.markClosed();
  }

  onBelowWriteBufferLowWatermark(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.waiting = undefined;
    for (const cb of waiting) cb(null);
  }

  // ---- internals ----

  private emitEnd(): void {
    this.readable = false;
    this.emit('end');
  }

  /** The connection is gone: release waiting writes, tell the session. */
  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.readable = false;
    this.writable = false;
    this.held = undefined;
    this.onBelowWriteBufferLowWatermark();
    this.emit('close');
  }
}
