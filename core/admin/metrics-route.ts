import type { AdminRoute } from './admin-route';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-format';

/**
 * GET /metrics in Prometheus text format. MOSN serves this from its prometheus sink on a port of
 * its own; mosn-ts serves it on the admin server as well.
 */
export function metricsRoute(metrics: MetricsRegistry): AdminRoute {
  return {
    path: '/metrics',
    method: 'GET',
    handle: () => ({ status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: formatPrometheus(metrics) }),
  };
}
