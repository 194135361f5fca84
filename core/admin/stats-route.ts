import { errorResponse, jsonResponse, textResponse, type AdminRoute } from './admin-route';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { findStatsSets, formatStatsJson } from '../metrics/stats-json';

/**
 * GET /api/v1/stats: every metrics set as MOSN's console sink prints it. ?key= selects the set of
 * that MOSN name ("downstream.listener.egress") or, beyond MOSN, every set of that type. A key that
 * matches nothing answers 200 "no metrics key: <key>", as MOSN does.
 */
export function statsRoute(metrics: MetricsRegistry): AdminRoute {
  return {
    path: '/api/v1/stats',
    method: 'GET',
    handle: ({ url }) => {
      const params = [...new Set(url.searchParams.keys())];
      if (params.length === 0) return jsonResponse(formatStatsJson(metrics.all()));
      if (params.length > 1) return textResponse('only support one parameter', 400);
      const key = url.searchParams.get('key');
      if (key === null) return errorResponse(400, `unknown parameter "${params[0]}", expected "key"`);
      const sets = findStatsSets(metrics, key);
      if (sets.length === 0) return textResponse(`no metrics key: ${key}`);
      return jsonResponse(formatStatsJson(sets));
    },
  };
}
