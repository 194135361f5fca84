/**
 * MOSN-style metrics: a metrics set is identified by a type ("downstream", "upstream", ...) and
 * labels ({listener: "x"}, {cluster: "y"}); within a set, counters, gauges and histograms by key.
 * Instruments are plain objects with a number field so the hot path pays one property write.
 */
export class Counter {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** Keeps count, sum, min and max, plus fixed buckets for Prometheus. Values in the unit the key names. */
export class Histogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly bucketCounts: number[];
  constructor(readonly buckets: readonly number[]) {
    this.bucketCounts = new Array<number>(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    for (let i = 0; i < this.buckets.length; i++) {
      if (v <= this.buckets[i]) {
        this.bucketCounts[i]++;
        return;
      }
    }
  }
}

/** Default histogram buckets, in milliseconds. */
export const DEFAULT_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class Metrics {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, Gauge>();
  readonly histograms = new Map<string, Histogram>();

  constructor(
    readonly type: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  counter(key: string): Counter {
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = new Counter()));
    return c;
  }

  gauge(key: string): Gauge {
    let g = this.gauges.get(key);
    if (!g) this.gauges.set(key, (g = new Gauge()));
    return g;
  }

  histogram(key: string, buckets: readonly number[] = DEFAULT_BUCKETS_MS): Histogram {
    let h = this.histograms.get(key);
    if (!h) this.histograms.set(key, (h = new Histogram(buckets)));
    return h;
  }
}

/** All metrics sets of the process. Look a set up once (per listener, cluster, host) and keep it. */
export class MetricsRegistry {
  private readonly sets = new Map<string, Metrics>();

  metrics(type: string, labels: Record<string, string>): Metrics {
    const id = setId(type, labels);
    let m = this.sets.get(id);
    if (!m) this.sets.set(id, (m = new Metrics(type, { ...labels })));
    return m;
  }

  /** Every set, in creation order. */
  all(): Iterable<Metrics> {
    return this.sets.values();
  }
}

function setId(type: string, labels: Record<string, string>): string {
  let id = type;
  for (const k of Object.keys(labels).sort()) id += `|${k}=${labels[k]}`;
  return id;
}
