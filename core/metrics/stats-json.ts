import type { Histogram, Metrics, MetricsRegistry } from './metrics-registry';

/** type → namespace ("listener.egress", labels sorted by name) → key → value as a decimal string. */
export type StatsJson = Record<string, Record<string, Record<string, string>>>;

/**
 * MOSN's name of a metrics set: the type, then each label as "name.value", sorted by label name,
 * joined by dots ("upstream.cluster.c1.host.10.0.0.1:80"). /api/v1/stats?key= matches it.
 */
export function metricsSetName(set: Metrics): string {
  return `${set.type}.${labelNamespace(set)}`;
}

/** The sets /api/v1/stats?key= shows: the set named `key`, else every set of type `key`. */
export function findStatsSets(registry: MetricsRegistry, key: string): Metrics[] {
  const all = [...registry.all()];
  const named = all.filter((set) => metricsSetName(set) === key);
  return named.length > 0 ? named : all.filter((set) => set.type === key);
}

/**
 * The JSON of MOSN's console sink (what /api/v1/stats prints): values as strings, histograms as
 * "<key>_min" and "<key>_max", object keys sorted, tab-indented.
 */
export function formatStatsJson(sets: Iterable<Metrics>): string {
  return JSON.stringify(statsJson(sets), null, '\t');
}

export function statsJson(sets: Iterable<Metrics>): StatsJson {
  const byType = new Map<string, Map<string, Map<string, string>>>();
  for (const set of sets) {
    let namespaces = byType.get(set.type);
    if (!namespaces) byType.set(set.type, (namespaces = new Map()));
    const namespace = labelNamespace(set);
    let values = namespaces.get(namespace);
    if (!values) namespaces.set(namespace, (values = new Map()));
    for (const [key, counter] of set.counters) values.set(key, String(counter.value));
    for (const [key, gauge] of set.gauges) values.set(key, String(gauge.value));
    for (const [key, histogram] of set.histograms) {
      values.set(`${key}_min`, String(histogramMin(histogram)));
      values.set(`${key}_max`, String(histogramMax(histogram)));
    }
  }
  return sortedRecord(byType, (namespaces) => sortedRecord(namespaces, (values) => sortedRecord(values, (v) => v)));
}

/** An empty histogram reports 0 for min and max, as MOSN's (go-metrics) snapshots do. */
export function histogramMin(h: Histogram): number {
  return h.count > 0 ? h.min : 0;
}

export function histogramMax(h: Histogram): number {
  return h.count > 0 ? h.max : 0;
}

function labelNamespace(set: Metrics): string {
  return Object.keys(set.labels)
    .sort()
    .map((name) => `${name}.${set.labels[name]}`)
    .join('.');
}

function sortedRecord<V, R>(map: Map<string, V>, convert: (v: V) => R): Record<string, R> {
  const out: Record<string, R> = {};
  for (const key of [...map.keys()].sort()) out[key] = convert(map.get(key) as V);
  return out;
}
