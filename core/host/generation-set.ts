import type { RegisteredFactory } from './factory-registry';
import type { PluginGeneration } from './plugin-generation';

/** Undoes one {@link GenerationSet.acquire}; calling it again does nothing. */
export type GenerationRelease = () => void;

const NOTHING_TO_RELEASE: GenerationRelease = () => undefined;

/**
 * The distinct plugin generations behind the factories one kernel object was built from (a
 * listener's filter chains, a stream's filters), pinned and unpinned as one.
 *
 * Why a helper: the kernel pins per connection and per stream, which is hot. The set is worked
 * out once when a chain is built; each connection or stream then does one `acquire()` and calls
 * the release it got back exactly once, however it ends.
 */
export class GenerationSet {
  static readonly EMPTY = new GenerationSet([]);

  private constructor(readonly generations: readonly PluginGeneration[]) {}

  /** The generations of `entries` (kernel factories have none), each once. */
  static of(entries: Iterable<Pick<RegisteredFactory, 'generation'> | undefined>): GenerationSet {
    const seen = new Set<PluginGeneration>();
    for (const e of entries) if (e?.generation) seen.add(e.generation);
    return seen.size === 0 ? GenerationSet.EMPTY : new GenerationSet([...seen]);
  }

  /**
   * Pins every generation, for a holder that keeps the set and calls {@link unpin} exactly once
   * (the per-stream form: no closure is allocated). Throws, pinning nothing, like {@link acquire}.
   */
  pin(): void {
    const gens = this.generations;
    let i = 0;
    try {
      for (; i < gens.length; i++) gens[i].acquire();
    } catch (err) {
      for (let j = 0; j < i; j++) gens[j].release();
      throw err;
    }
  }

  /** Undoes one {@link pin}. */
  unpin(): void {
    const gens = this.generations;
    for (let i = 0; i < gens.length; i++) gens[i].release();
  }

  /**
   * Pins every generation; the returned function unpins them (once). Throws, pinning nothing,
   * when one of them is already disposed: build from the registry's current entries instead.
   */
  acquire(): GenerationRelease {
    const gens = this.generations;
    if (gens.length === 0) return NOTHING_TO_RELEASE;
    let i = 0;
    try {
      for (; i < gens.length; i++) gens[i].acquire();
    } catch (err) {
      for (let j = 0; j < i; j++) gens[j].release();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const g of gens) g.release();
    };
  }
}
