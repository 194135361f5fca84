import { GenerationSet } from '../host/generation-set';
import type { NamedStreamFilterFactory } from './stream-filter-chain';

/**
 * A listener's stream filter factories as one build of the listener made them, with the plugin
 * generations behind them. A stream pins `generations` when it starts and releases them when it
 * ends, so a request that started on v1 of a filter finishes on v1 while new requests get v2.
 */
export class StreamFilterSet {
  static readonly EMPTY = new StreamFilterSet([], GenerationSet.EMPTY);

  constructor(
    readonly factories: readonly NamedStreamFilterFactory[],
    readonly generations: GenerationSet,
  ) {}
}

/**
 * The listener's current {@link StreamFilterSet}, shared by every connection of the listener
 * across rebuilds: a plugin swap replaces `current`, and the next stream on any connection (also a
 * kept-alive one from before the swap) takes the new set.
 */
export class ListenerStreamFilters {
  constructor(public current: StreamFilterSet = StreamFilterSet.EMPTY) {}
}
