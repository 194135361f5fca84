import type { Histogram, Metrics, MetricsRegistry } from './metrics-registry';
import { histogramMax, histogramMin } from './stats-json';

/** Content type of the Prometheus text exposition format this module writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type FamilyType = 'counter' | 'gauge' | 'histogram';

/** One metric name with its TYPE and every sample line of it, across metrics sets. */
interface Family {
  readonly type: FamilyType;
  readonly lines: string[];
}

/**
 * Prometheus text format 0.0.4 of every metrics set, named as MOSN's prometheus sink names them:
 * "<type>_<key>" with characters outside [a-zA-Z0-9_:] turned into "_", no namespace prefix,
 * the set's labels (sorted by name) as labels. Unlike MOSN, samples are grouped by family (one
 * TYPE line, contiguous samples), label values are escaped, and histograms are real histograms
 * (_bucket/_sum/_count); MOSN's "<name>_min"/"<name>_max" gauges are written too so MOSN
 * dashboards keep working.
 */
export function formatPrometheus(registry: MetricsRegistry): string {
  const families = new Map<string, Family>();
  for (const set of registry.all()) {
    const prefix = `${set.type}_`;
    const labels = labelPairs(set);
    for (const [key, counter] of set.counters) {
      addSample(families, metricName(prefix + key), 'counter', labels, counter.value);
    }
    for (const [key, gauge] of set.gauges) {
      addSample(families, metricName(prefix + key), 'gauge', labels, gauge.value);
    }
    for (const [key, histogram] of set.histograms) {
      const name = metricName(prefix + key);
      addHistogram(families, name, labels, histogram);
      addSample(families, `${name}_min`, 'gauge', labels, histogramMin(histogram));
      addSample(families, `${name}_max`, 'gauge', labels, histogramMax(histogram));
    }
  }
  let text = '';
  for (const [name, family] of families) {
    text += `# TYPE ${name} ${family.type}\n`;
    for (const line of family.lines) text += line;
  }
  return text;
}

/** The family `name` of `type`; undefined when the name is taken by another type (sample dropped). */
function family(families: Map<string, Family>, name: string, type: FamilyType): Family | undefined {
  let f = families.get(name);
  if (!f) families.set(name, (f = { type, lines: [] }));
  return f.type === type ? f : undefined;
}

function addSample(families: Map<string, Family>, name: string, type: FamilyType, labels: string[], value: number): void {
  family(families, name, type)?.lines.push(sampleLine(name, labels, value));
}

function addHistogram(families: Map<string, Family>, name: string, labels: string[], h: Histogram): void {
  const f = family(families, name, 'histogram');
  if (!f) return;
  // Histogram keeps one count per bucket; Prometheus buckets are cumulative.
  let cumulative = 0;
  for (let i = 0; i < h.buckets.length; i++) {
    cumulative += h.bucketCounts[i];
    f.lines.push(sampleLine(`${name}_bucket`, [...labels, `le="${formatValue(h.buckets[i])}"`], cumulative));
  }
  f.lines.push(sampleLine(`${name}_bucket`, [...labels, 'le="+Inf"'], h.count));
  f.lines.push(sampleLine(`${name}_sum`, labels, h.sum));
  f.lines.push(sampleLine(`${name}_count`, labels, h.count));
}

function sampleLine(name: string, labels: string[], value: number): string {
  const labelText = labels.length > 0 ? `{${labels.join(',')}}` : '';
  return `${name}${labelText} ${formatValue(value)}\n`;
}

/** `name="value"` pairs of a set's labels, sorted by name as MOSN sorts them. */
function labelPairs(set: Metrics): string[] {
  return Object.keys(set.labels)
    .sort()
    .map((name) => `${labelName(name)}="${escapeLabelValue(set.labels[name])}"`);
}

function metricName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function labelName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Escapes as the text format requires inside label values: backslash, double quote, newline. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Floats as MOSN's sink writes them: "+Inf"/"-Inf"/"NaN", and ".0" on integral values. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const text = String(v);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
