/** An entry of an {@link IdTable}: it carries its own id. */
export interface IdEntry {
  readonly id: number;
}

const INITIAL_SLOTS = 256;

/**
 * Streams by request id, for ids that mostly come in sequence (every RPC client numbers its
 * requests 1, 2, 3...; the upstream side allocates them that way). An entry sits in the slot
 * `id & mask` of an array; the rare id whose slot is taken goes to a Map.
 *
 * Why not just a Map: a Map that keeps getting and losing entries is rebuilt every few dozen
 * operations, and a discarded table that had reached the old generation still points at the
 * entries it held. The young collector treats such pointers as live, so every in-flight stream
 * of every connection was promoted and left to full collections — measured under bolt load as
 * most scavenged bytes surviving and 10-20 ms pauses. Slots are overwritten in place instead.
 */
export class IdTable<T extends IdEntry> {
  private slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private readonly overflow = new Map<number, T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const s = this.slots[id & this.mask];
    if (s !== undefined && s.id === id) return s;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Whether `id`'s slot is free (an allocator can skip ids whose slot is taken). */
  slotFree(id: number): boolean {
    return this.slots[id & this.mask] === undefined;
  }

  /** Adds `entry` under its id (the caller makes sure the id is not in the table). */
  add(entry: T): void {
    if (this.count >= this.slots.length >> 1) this.grow();
    const i = entry.id & this.mask;
    if (this.slots[i] === undefined) this.slots[i] = entry;
    else this.overflow.set(entry.id, entry);
    this.count++;
  }

  /** Removes `entry` if it is the one held under its id. */
  remove(entry: T): boolean {
    const i = entry.id & this.mask;
    if (this.slots[i] === entry) {
      this.slots[i] = undefined;
      this.count--;
      return true;
    }
    if (this.overflow.get(entry.id) === entry) {
      this.overflow.delete(entry.id);
      this.count--;
      return true;
    }
    return false;
  }

  /** Every entry (for a connection that closes), and the table emptied. */
  drain(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s !== undefined) {
        out.push(s);
        this.slots[i] = undefined;
      }
    }
    for (const e of this.overflow.values()) out.push(e);
    this.overflow.clear();
    this.count = 0;
    return out;
  }

  private grow(): void {
    const entries = this.drain();
    const n = this.slots.length * 2;
    this.slots = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    for (const e of entries) this.add(e);
  }
}
