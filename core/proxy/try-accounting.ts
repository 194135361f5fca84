import type { ClusterStats } from '../upstream/cluster-stats';
import type { UpstreamHost } from '../upstream/upstream-host';

/** One upstream try starts: the cluster's request counters and the host's active requests. */
export function accountTryStart(stats: ClusterStats, host: UpstreamHost): void {
  stats.requestTotal.inc();
  stats.requestActive.inc();
  host.requestStarted();
}

/**
 * One upstream try ended: its duration and outcome in the cluster's stats, the host's load and
 * latency estimate. Returns the clock reading it took (callers reuse it).
 */
export function accountTryEnd(stats: ClusterStats, host: UpstreamHost, startedAt: number, success: boolean): number {
  const now = performance.now();
  const durationMs = now - startedAt;
  stats.requestActive.dec();
  stats.requestDuration.observe(durationMs);
  host.requestFinished(durationMs, success, now);
  (success ? stats.responseSuccess : stats.responseFailed).inc();
  return now;
}
