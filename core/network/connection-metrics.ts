import type { Counter, Gauge } from '../metrics/metrics-registry';

/** The counters a connection updates; listeners and clusters fill it from their metrics set. */
export interface ConnectionMetrics {
  readonly total: Counter;
  readonly active: Gauge;
  /** Closed connections (downstream connection_destroy, upstream connection_close). */
  readonly closed: Counter;
  readonly bytesRead: Counter;
  readonly bytesWritten: Counter;
}
