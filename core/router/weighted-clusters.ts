import { ConfigNode, isPlainObject } from './config-node';
import { lbMetadataOf, type LbMetadata } from './lb-metadata';

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
  readonly metadataMatch: LbMetadata | undefined;
}

/**
 * A route's `weighted_clusters`, picked from at random in proportion to the weights. Unlike
 * MOSN's picker (which walks a Go map, in random order, with an off-by-one that favours the
 * first), each cluster's share here is exactly weight / total.
 */
export class WeightedClusters {
  private readonly cumulative: readonly number[];
  private readonly total: number;

  private constructor(readonly clusters: readonly WeightedCluster[]) {
    let sum = 0;
    this.cumulative = clusters.map((c) => (sum += c.weight));
    this.total = sum;
  }

  /**
   * Reads MOSN's `[{cluster: {name, weight}}]`, Envoy's `[{name, weight}]` items and Envoy's
   * `{clusters: [...]}` object. Undefined when absent or empty; problems for bad entries.
   */
  static fromConfig(route: ConfigNode): WeightedClusters | undefined {
    const raw = route.raw('weighted_clusters');
    if (raw === undefined) return undefined;
    const list = isPlainObject(raw) ? route.object('weighted_clusters') : route;
    const key = isPlainObject(raw) ? 'clusters' : 'weighted_clusters';
    if (!list) return undefined;
    const clusters: WeightedCluster[] = [];
    for (const item of list.objects(key)) {
      const entry = item.has('cluster') ? item.object('cluster') : item;
      if (!entry) continue;
      const name = entry.string('name');
      const weight = entry.integer('weight', 0) ?? 0;
      if (!name) {
        entry.problem('name', 'is required');
        continue;
      }
      clusters.push(Object.freeze({ name, weight, metadataMatch: lbMetadataOf(entry.raw('metadata_match')) }));
    }
    if (clusters.length === 0) return undefined;
    const picker = new WeightedClusters(Object.freeze(clusters));
    if (picker.total <= 0) {
      route.problem('weighted_clusters', 'the weights must add up to more than 0');
      return undefined;
    }
    return picker;
  }

  pick(): string {
    const r = Math.random() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (r < this.cumulative[i]) return this.clusters[i].name;
    return this.clusters[this.clusters.length - 1].name;
  }

  find(name: string): WeightedCluster | undefined {
    return this.clusters.find((c) => c.name === name);
  }
}
