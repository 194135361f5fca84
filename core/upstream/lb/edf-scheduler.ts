interface EdfEntry<T> {
  item: T;
  deadline: number;
  /** Insertion order: equal deadlines go first-in first-out, as Envoy's scheduler does. */
  seq: number;
}

/**
 * Earliest-deadline-first scheduling over weighted items (Envoy's EdfScheduler, also MOSN's): an
 * item of weight w is due every 1/w; picking takes the earliest deadline, advances the clock to it
 * and puts the item back one period later. Over any run each item is picked in proportion to its
 * weight, interleaved rather than in bursts. Weights may change between picks (the least-request
 * balancers pass the host's current load-adjusted weight when it goes back in).
 */
export class EdfScheduler<T> {
  private readonly heap: EdfEntry<T>[] = [];
  private now = 0;
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Adds an item due one period (1/weight) from now; a weight ≤ 0 is not scheduled. */
  add(item: T, weight: number): void {
    if (!(weight > 0)) return;
    this.push({ item, deadline: this.now + 1 / weight, seq: this.seq++ });
  }

  /** Takes the item due first and schedules it again with `weightOf(item)`. */
  pickAndAdd(weightOf: (item: T) => number): T | undefined {
    const top = this.pop();
    if (!top) return undefined;
    this.now = top.deadline;
    this.add(top.item, weightOf(top.item));
    return top.item;
  }

  private push(entry: EdfEntry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): EdfEntry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

/**
 * Deadlines are sums of 1/weight and pick up rounding error (3 × 1/3 is not exactly 6 × 1/6), so
 * deadlines within a relative 1e-9 count as equal and go first-in first-out: without this a tie
 * breaks one way in one cycle and the other way in the next, and a window of one cycle's length
 * stops holding exactly one cycle's share.
 */
const TIE_TOLERANCE = 1e-9;

function before<T>(a: EdfEntry<T>, b: EdfEntry<T>): boolean {
  const gap = a.deadline - b.deadline;
  const tolerance = TIE_TOLERANCE * Math.max(1, Math.abs(a.deadline));
  if (gap < -tolerance) return true;
  if (gap > tolerance) return false;
  return a.seq < b.seq;
}
