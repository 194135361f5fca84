import type { Connection } from 'mosn-plugin-sdk';

/** Body chunks at least this big are written on their own instead of being copied into a batch. */
const COPY_LIMIT = 16 * 1024;
/**
 * Schedules the end-of-job flush: a resolved promise's reaction is a plain V8 microtask, where
 * Node's queueMicrotask also allocates an AsyncResource per call (~0.2 µs against ~0.8 µs).
 */
const RESOLVED = Promise.resolve();

/**
 * Write batching for one connection. The kernel's Connection has no cork, so the codec batches
 * itself: a message head (a latin1 string) and small body chunks are gathered and written as one
 * Buffer (one allocation, one socket write) when the message ends or, for a message still in
 * progress, at the end of the current job (one microtask, scheduled with a function bound once
 * per connection). Big chunks go to the connection as they are (no copy), after what is pending.
 * (The kernel's connections also gather writes until the end of the event-loop turn; batching here
 * as well keeps a head and a small body one Buffer on any Connection.)
 */
export class Output {
  /** Pending parts: the first `count` entries (the array is reused; `length = 0` is slow in V8). */
  private readonly parts: (string | Buffer | undefined)[] = [];
  private count = 0;
  private bytes = 0;
  private scheduled = false;
  private readonly flushLater: () => void;

  constructor(private readonly connection: Connection) {
    this.flushLater = () => {
      this.scheduled = false;
      this.flush();
    };
  }

  /** Appends latin1 text (a head, chunk framing). */
  text(s: string): void {
    this.parts[this.count++] = s;
    this.bytes += s.length;
  }

  /** Appends body bytes. */
  data(b: Buffer): void {
    const n = b.length;
    if (n === 0) return;
    if (n >= COPY_LIMIT) {
      this.flush();
      this.connection.write(b);
      return;
    }
    this.parts[this.count++] = b;
    this.bytes += n;
  }

  /** Makes sure what is pending is written by the end of the current job. */
  later(): void {
    if (this.scheduled || this.count === 0) return;
    this.scheduled = true;
    void RESOLVED.then(this.flushLater);
  }

  /** Writes what is pending now, as one Buffer. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    const parts = this.parts;
    let out: Buffer;
    const first = parts[0]!;
    if (n === 1) {
      out = typeof first === 'string' ? Buffer.from(first, 'latin1') : first;
      parts[0] = undefined;
    } else {
      out = Buffer.allocUnsafe(this.bytes);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const p = parts[i]!;
        parts[i] = undefined;
        if (typeof p === 'string') at += latin1Write(out, p, at);
        else at += p.copy(out, at);
      }
    }
    this.count = 0;
    this.bytes = 0;
    this.connection.write(out);
  }

  /** Drops what is pending (the connection is gone). */
  discard(): void {
    for (let i = 0; i < this.count; i++) this.parts[i] = undefined;
    this.count = 0;
    this.bytes = 0;
  }
}

type Latin1Writer = (this: Buffer, s: string, offset: number) => number;
/** Buffer's own latin1 writer (what `write(s, at, 'latin1')` ends in, without its argument handling). */
const nativeLatin1Write = (Buffer.prototype as unknown as { latin1Write?: Latin1Writer }).latin1Write;

function latin1Write(out: Buffer, s: string, at: number): number {
  return nativeLatin1Write !== undefined ? nativeLatin1Write.call(out, s, at) : out.write(s, at, 'latin1');
}
