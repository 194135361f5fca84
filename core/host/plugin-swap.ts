import type { FactoryKind } from '../../plugin-sdk';
import type { FactoryRegistryView } from './factory-registry';
import type { PluginGeneration } from './plugin-generation';

/** One plugin whose serving generation changed in a commit. */
export interface PluginSwap {
  readonly name: string;
  /** The generation that served before (absent when the plugin was added). */
  readonly previous?: PluginGeneration;
  /** The generation serving now (absent when the plugin was removed). */
  readonly current?: PluginGeneration;
}

/**
 * Sent to {@link PluginHost.onSwap} listeners right after a commit, in the same tick as the
 * registry swap: the registry already holds the new factories, and superseded generations are
 * not disposed before the listeners return (so the kernel can move its pins from old to new).
 */
export interface PluginSwapEvent {
  readonly plugins: readonly PluginSwap[];
  /** `kind/name` of every factory that was added, replaced or removed. */
  readonly changedFactories: ReadonlySet<string>;
  /** The registry after the swap. */
  readonly registry: FactoryRegistryView;
  /** Whether factory (kind, name) was added, replaced or removed by this commit. */
  affects(kind: FactoryKind, name: string): boolean;
}

/** Listener of {@link PluginSwapEvent}s. */
export type PluginSwapListener = (event: PluginSwapEvent) => void;

/** Builds the event for a set of swaps. */
export function swapEvent(plugins: readonly PluginSwap[], registry: FactoryRegistryView): PluginSwapEvent {
  const changed = new Set<string>();
  for (const p of plugins) {
    for (const g of [p.previous, p.current]) for (const f of g?.factories ?? []) changed.add(`${f.kind}/${f.name}`);
  }
  return { plugins, changedFactories: changed, registry, affects: (kind, name) => changed.has(`${kind}/${name}`) };
}
