/**
 * A byte queue made of the chunks the socket delivered. Filters read from it and drain what they
 * consume; whatever a filter leaves stays for the next call, with newer data appended.
 * Chunks are only concatenated when a caller asks for a contiguous view.
 */
export class IoBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Number of bytes held. */
  get length(): number {
    return this.size;
  }

  /** Appends a chunk without copying it. */
  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Puts a chunk in front of the data held (e.g. bytes a filter read and wants to give back). */
  prepend(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.unshift(chunk);
    this.size += chunk.length;
  }

  /** A contiguous view of all bytes held, without draining them. */
  peek(): Buffer {
    if (this.chunks.length === 0) return EMPTY;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0];
  }

  /** Removes the first `n` bytes (all of them when `n` is at least the length). */
  drain(n: number): void {
    if (n >= this.size) {
      this.clear();
      return;
    }
    let left = n;
    while (left > 0) {
      const head = this.chunks[0];
      if (head.length <= left) {
        this.chunks.shift();
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.size -= n;
  }

  /** Removes and returns every byte held as one Buffer. */
  take(): Buffer {
    const all = this.peek();
    this.clear();
    return all;
  }

  /** Removes and returns the chunks held, as they arrived (no copy). */
  takeChunks(): Buffer[] {
    const chunks = this.chunks;
    this.chunks = [];
    this.size = 0;
    return chunks;
  }

  /** Drops every byte held. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}

const EMPTY = Buffer.alloc(0);
