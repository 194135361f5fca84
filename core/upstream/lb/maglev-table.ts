import type { UpstreamHost } from '../upstream-host';
import { hash64, hashModulo, type Hash64 } from './stable-hash';

/** Maglev's lookup table size: a prime, ≥ 100 × the hosts for even spread (Envoy's default too). */
export const MAGLEV_TABLE_SIZE = 65537;

/** Host fields a table is built from. */
type TableHost = Pick<UpstreamHost, 'address' | 'weight'>;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): every host walks its own permutation of
 * the table's slots (from two hashes of its address) and the hosts take turns claiming their next
 * free slot until the table is full. A key's host is `table[hash(key) mod size]`. Removing one host
 * of N moves about 1/N of the keys (those it owned) plus a small fraction of the others.
 * Weights are honoured as Envoy does: a host of half the largest weight claims a slot every
 * other turn.
 */
export class MaglevTable {
  /** Slot → index into the host list the table was built from. */
  private readonly slots: Int32Array;

  constructor(
    hosts: readonly TableHost[],
    readonly size = MAGLEV_TABLE_SIZE,
  ) {
    this.slots = new Int32Array(size).fill(-1);
    if (hosts.length === 0) return;
    const maxWeight = Math.max(...hosts.map((h) => h.weight));
    const walkers = hosts.map((h) => ({
      offset: hashModulo(hash64(h.address, 0), size),
      skip: hashModulo(hash64(h.address, 1), size - 1) + 1,
      share: h.weight / maxWeight,
      credit: 0,
      next: 0,
    }));
    let filled = 0;
    while (filled < size) {
      for (let j = 0; j < walkers.length && filled < size; j++) {
        const w = walkers[j];
        w.credit += w.share;
        if (w.credit < 1) continue;
        w.credit -= 1;
        let slot: number;
        do {
          slot = (w.offset + w.next * w.skip) % size;
          w.next++;
        } while (this.slots[slot] >= 0);
        this.slots[slot] = j;
        filled++;
      }
    }
  }

  /** The index (into the hosts the table was built from) that owns `hash`; -1 for an empty table. */
  lookup(hash: Hash64): number {
    return this.slots[hashModulo(hash, this.size)];
  }
}
