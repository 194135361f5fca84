import type { Counter, Gauge, Metrics } from '../../metrics/metrics-registry';
import { HealthCheckKeys } from '../../metrics/metric-names';

/** A cluster's `healthcheck{cluster}` metrics, looked up once. */
export class HealthCheckStats {
  readonly attempt: Counter;
  readonly success: Counter;
  readonly failure: Counter;
  readonly activeFailure: Counter;
  readonly networkFailure: Counter;
  readonly healthy: Gauge;
  readonly unhealthy: Gauge;
  readonly hostEjected: Counter;
  readonly hostRecovered: Counter;

  constructor(set: Metrics) {
    this.attempt = set.counter(HealthCheckKeys.Attempt);
    this.success = set.counter(HealthCheckKeys.Success);
    this.failure = set.counter(HealthCheckKeys.Failure);
    this.activeFailure = set.counter(HealthCheckKeys.ActiveFailure);
    this.networkFailure = set.counter(HealthCheckKeys.NetworkFailure);
    this.healthy = set.gauge(HealthCheckKeys.Healthy);
    this.unhealthy = set.gauge(HealthCheckKeys.Unhealthy);
    this.hostEjected = set.counter(HealthCheckKeys.HostEjected);
    this.hostRecovered = set.counter(HealthCheckKeys.HostRecovered);
  }
}
