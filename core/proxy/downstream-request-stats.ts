import type { Counter, Gauge, Histogram, Metrics } from '../metrics/metrics-registry';

/**
 * MOSN's downstream request metrics for one listener (type "downstream", label listener), looked up
 * once so a request pays only property writes. request_<code>_total counters are made on first use.
 */
export class DownstreamRequestStats {
  readonly requestTotal: Counter;
  readonly requestActive: Gauge;
  readonly requestReset: Counter;
  readonly requestTime: Histogram;
  private readonly byCode = new Map<number, Counter>();

  constructor(private readonly set: Metrics) {
    this.requestTotal = set.counter('request_total');
    this.requestActive = set.gauge('request_active');
    this.requestReset = set.counter('request_reset');
    this.requestTime = set.histogram('request_time');
  }

  countResponse(code: number): void {
    if (!code) return;
    let c = this.byCode.get(code);
    if (!c) this.byCode.set(code, (c = this.set.counter(`request_${code}_total`)));
    c.inc();
  }
}
