import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

export const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const BASE = randomBytes(CHUNK);

/** The i-th chunk of the pattern: random bytes stamped with their index, so reordering shows. */
function chunkAt(i: number): Buffer {
  const c = Buffer.from(BASE);
  c.writeUInt32BE(i, 0);
  return c;
}

/**
 * Writes `total` bytes of a pattern to `w` as fast as `w` takes them: until write() returns
 * false, then again on 'drain'. Hashes what it wrote.
 */
export class PatternWriter {
  written = 0;
  /** Times write() returned false. */
  refusals = 0;
  readonly hash: Hash = createHash('sha256');
  digest: string | undefined = undefined;
  private quiet: { ms: number; timer?: NodeJS.Timeout; resolve: (written: number) => void } | undefined;

  constructor(
    private readonly w: Writable,
    readonly total: number,
  ) {}

  start(): this {
    this.pump();
    return this;
  }

  /**
   * Resolves with the bytes written once the writer has waited `quietMs` for a 'drain' that did
   * not come — whoever reads from it has stopped taking bytes — or once it has written everything
   * (nothing held it back). A wait bounded in time because "no drain is coming" has no event: while
   * the path is still filling, drains follow each other within a millisecond or so.
   */
  stalled(quietMs: number): Promise<number> {
    return new Promise((resolve) => {
      this.quiet = { ms: quietMs, resolve };
      if (this.written >= this.total) resolve(this.written);
      else if (this.w.writableNeedDrain) this.armQuiet();
    });
  }

  private readonly pump = (): void => {
    if (this.quiet?.timer !== undefined) clearTimeout(this.quiet.timer);
    while (this.written < this.total) {
      const chunk = chunkAt(this.written / CHUNK);
      this.hash.update(chunk);
      this.written += chunk.length;
      if (!this.w.write(chunk)) {
        this.refusals++;
        this.w.once('drain', this.pump);
        this.armQuiet();
        return;
      }
    }
    this.digest = this.hash.digest('hex');
    this.w.end();
    this.quiet?.resolve(this.written);
  };

  private armQuiet(): void {
    const quiet = this.quiet;
    if (quiet === undefined) return;
    quiet.timer = setTimeout(() => quiet.resolve(this.written), quiet.ms);
  }
}

/** Counts and hashes what `r` delivers once flowing; resolves at its end. */
export function drain(r: Readable): Promise<{ bytes: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    r.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    r.once('end', () => resolve({ bytes, digest: hash.digest('hex') }));
    r.once('error', reject);
  });
}
