import type { Logger } from '../../plugin-sdk';
import { Counter, Gauge, type MetricsRegistry } from '../metrics/metrics-registry';
import { describeError } from './plugin-loader';

/** Metrics set type of per-plugin metrics; each set is labelled {plugin}. */
export const PLUGIN_METRICS_TYPE = 'plugin';

/** Keys in a plugin's metrics set (Prometheus: `plugin_<key>{plugin="..."}`). */
export const PluginMetricKeys = {
  CallTotal: 'call_total',
  ErrorTotal: 'error_total',
  /** Estimated by the kernel's stream filter chains from a sample of streams (see TIMING_SAMPLE there). */
  CallTimeNsTotal: 'call_time_ns_total',
  ConsecutiveErrors: 'consecutive_errors',
  Quarantined: 'quarantined',
} as const;

/** Consecutive errors after which a plugin is quarantined, unless configured otherwise. */
export const DEFAULT_QUARANTINE_THRESHOLD = 10;

/** A plugin's call counters as reports show them. */
export interface PluginCounters {
  calls: number;
  errors: number;
  /** Total time spent in the plugin's callbacks, in nanoseconds. */
  timeNs: number;
  consecutiveErrors: number;
}

/** Why and since when a plugin is quarantined. */
export interface PluginQuarantine {
  since: Date;
  /** The error that crossed the threshold. */
  lastError: string;
  consecutiveErrors: number;
}

/**
 * One plugin's failure bookkeeping, meant to be looked up once (per filter chain) and kept by the
 * kernel: the hot path then pays a few property writes per call, no map lookup.
 */
export class PluginCallRecorder {
  private quarantine: PluginQuarantine | undefined;
  private readonly calls: Counter;
  private readonly errors: Counter;
  private readonly timeNs: Counter;
  private readonly consecutive: Gauge;
  private readonly quarantinedGauge: Gauge;

  constructor(
    readonly plugin: string,
    private readonly threshold: number,
    private readonly logger: Logger,
    metrics: MetricsRegistry | undefined,
  ) {
    const set = metrics?.metrics(PLUGIN_METRICS_TYPE, { plugin });
    this.calls = set?.counter(PluginMetricKeys.CallTotal) ?? new Counter();
    this.errors = set?.counter(PluginMetricKeys.ErrorTotal) ?? new Counter();
    this.timeNs = set?.counter(PluginMetricKeys.CallTimeNsTotal) ?? new Counter();
    this.consecutive = set?.gauge(PluginMetricKeys.ConsecutiveErrors) ?? new Gauge();
    this.quarantinedGauge = set?.gauge(PluginMetricKeys.Quarantined) ?? new Gauge();
  }

  /** True while quarantined: the kernel skips the plugin per its filter's failure policy. */
  get quarantined(): boolean {
    return this.quarantine !== undefined;
  }

  /** A call into the plugin that returned normally; it ends a run of consecutive errors. */
  recordCall(durationNs: number): void {
    this.calls.value++;
    this.timeNs.value += durationNs;
    this.consecutive.value = 0;
  }

  /**
   * A call into the plugin that threw (it counts as a call too). Returns true when this error
   * crossed the threshold and quarantined the plugin.
   */
  recordError(error: unknown, durationNs = 0): boolean {
    this.calls.value++;
    this.errors.value++;
    this.timeNs.value += durationNs;
    const run = ++this.consecutive.value;
    if (this.quarantine || run < this.threshold) return false;
    this.quarantine = { since: new Date(), lastError: describeError(error), consecutiveErrors: run };
    this.quarantinedGauge.value = 1;
    this.logger.error(
      { plugin: this.plugin, consecutiveErrors: run, threshold: this.threshold, err: this.quarantine.lastError },
      `plugin ${JSON.stringify(this.plugin)} quarantined after ${run} consecutive errors (last: ${this.quarantine.lastError}); reload it to lift the quarantine`,
    );
    return true;
  }

  counters(): PluginCounters {
    return { calls: this.calls.value, errors: this.errors.value, timeNs: this.timeNs.value, consecutiveErrors: this.consecutive.value };
  }

  quarantineInfo(): PluginQuarantine | undefined {
    return this.quarantine && { ...this.quarantine };
  }

  /** A new generation took over: the error run and the quarantine end; totals stay (they are counters). */
  reset(): void {
    this.quarantine = undefined;
    this.quarantinedGauge.value = 0;
    this.consecutive.value = 0;
  }
}

/**
 * Per-plugin counters (calls, errors, time) and consecutive-error quarantine, kept by the host
 * and fed by the kernel, which catches every throw from a plugin callback. A quarantined plugin
 * stays quarantined until a new generation of it is committed (reload). Counters are exported
 * through the MetricsRegistry (type "plugin", labels {plugin}) when one is given.
 */
export class PluginHealth {
  private readonly recorders = new Map<string, PluginCallRecorder>();
  /** Errors in a row that quarantine a plugin; 0 (or less) never quarantines. */
  readonly threshold: number;

  constructor(
    private readonly logger: Logger,
    private readonly metrics?: MetricsRegistry,
    threshold = DEFAULT_QUARANTINE_THRESHOLD,
  ) {
    this.threshold = threshold > 0 ? threshold : Infinity;
  }

  /** The recorder of `plugin` (created on first use). */
  recorder(plugin: string): PluginCallRecorder {
    let r = this.recorders.get(plugin);
    if (!r) this.recorders.set(plugin, (r = new PluginCallRecorder(plugin, this.threshold, this.logger, this.metrics)));
    return r;
  }

  recordCall(plugin: string, durationNs: number): void {
    this.recorder(plugin).recordCall(durationNs);
  }

  recordError(plugin: string, error: unknown, durationNs = 0): boolean {
    return this.recorder(plugin).recordError(error, durationNs);
  }

  isQuarantined(plugin: string): boolean {
    return this.recorders.get(plugin)?.quarantined ?? false;
  }

  /** Lifts `plugin`'s quarantine and ends its error run (a new generation is serving). */
  reset(plugin: string): void {
    this.recorders.get(plugin)?.reset();
  }
}
