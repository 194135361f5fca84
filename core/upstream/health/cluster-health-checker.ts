import type { Logger } from '../../../plugin-sdk';
import type { HostSet } from '../host-set';
import type { UpstreamHost } from '../upstream-host';
import { HealthEventLog } from './health-event-log';
import type { HealthCheckSettings } from './health-check-settings';
import type { HealthCheckStats } from './health-check-stats';
import type { HealthProbe, ProbeResult } from './health-probe';
import { type HealthSessionOwner, HostHealthSession } from './host-health-session';
import { httpProbe } from './http-probe';
import { tcpProbe } from './tcp-probe';

export interface ClusterHealthCheckerOptions {
  clusterName: string;
  hostSet: HostSet;
  settings: HealthCheckSettings;
  stats: HealthCheckStats;
  logger: Logger;
  /** Replaces the check (tests); default: HTTP when the settings have `http`, else TCP. */
  probe?: HealthProbe;
  /** Source of jitter, in [0, 1) (tests); default Math.random. */
  random?: () => number;
}

/**
 * Active health checking of one cluster: a session per host (hosts added later by DNS get one,
 * removed hosts lose theirs). Hosts start healthy, as in MOSN, and flip after
 * `unhealthy_threshold` consecutive failures / `healthy_threshold` consecutive passes; each flip
 * is logged and tells the host set, so every balancer skips (or takes back) the host.
 */
export class ClusterHealthChecker implements HealthSessionOwner {
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  private readonly sessions = new Map<UpstreamHost, HostHealthSession>();
  private readonly probeFn: HealthProbe;
  private readonly random: () => number;
  private readonly logger: Logger;
  private unsubscribe: (() => void) | undefined;
  private eventLog: HealthEventLog | undefined;

  constructor(private readonly options: ClusterHealthCheckerOptions) {
    const s = options.settings;
    this.timeoutMs = s.timeoutMs;
    this.healthyThreshold = s.healthyThreshold;
    this.unhealthyThreshold = s.unhealthyThreshold;
    this.probeFn = options.probe ?? (s.http ? httpProbe(s.http) : tcpProbe);
    this.random = options.random ?? Math.random;
    this.logger = options.logger.child({ cluster: options.clusterName });
  }

  /** Starts a session per host; each host's first check comes after the initial delay. */
  start(): void {
    if (this.unsubscribe) return;
    const s = this.options.settings;
    if (s.protocol === 'Http1' && !s.http) {
      this.logger.warn('health check: protocol Http1 without check_config.http_check_config; checking by TCP connect (as MOSN does)');
    }
    this.logger.info(
      { kind: s.http ? 'http' : 'tcp', intervalMs: s.intervalMs, jitterMs: s.jitterMs, timeoutMs: s.timeoutMs, initialDelayMs: s.initialDelayMs, healthyThreshold: s.healthyThreshold, unhealthyThreshold: s.unhealthyThreshold, hosts: this.options.hostSet.hosts.length },
      'health check: started',
    );
    if (s.eventLogPath) this.eventLog = new HealthEventLog(s.eventLogPath);
    this.unsubscribe = this.options.hostSet.onChange((added, removed) => this.onHostsChanged(added, removed));
    this.onHostsChanged(this.options.hostSet.hosts, []);
  }

  /** Stops every session (timers cleared, checks in flight aborted). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const session of this.sessions.values()) session.stop();
    this.sessions.clear();
    this.eventLog?.close();
    this.eventLog = undefined;
  }

  nextIntervalMs(): number {
    const s = this.options.settings;
    return s.intervalMs + Math.floor(this.random() * s.jitterMs);
  }

  probe(host: UpstreamHost, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
    return this.probeFn(host, timeoutMs, signal);
  }

  onAttempt(): void {
    this.options.stats.attempt.inc();
  }

  onResult(session: HostHealthSession, result: ProbeResult, changed: boolean): void {
    const { stats, hostSet } = this.options;
    const host = session.host;
    this.eventLog?.record(host, result.healthy, changed);
    if (result.healthy) {
      stats.success.inc();
    } else {
      stats.failure.inc();
      if (result.failure === 'active') stats.activeFailure.inc();
      else stats.networkFailure.inc();
      this.logger.debug({ host: host.address, reason: result.reason, healthy: host.healthy }, 'health check: check failed');
    }
    if (!changed) return;
    const event = { host: host.address, from: host.healthy ? 'unhealthy' : 'healthy', to: host.healthy ? 'healthy' : 'unhealthy', reason: result.reason };
    if (host.healthy) {
      stats.hostRecovered.inc();
      this.logger.info({ ...event, threshold: this.healthyThreshold }, 'health check: host is healthy');
    } else {
      stats.hostEjected.inc();
      this.logger.warn({ ...event, threshold: this.unhealthyThreshold }, 'health check: host is unhealthy');
    }
    this.updateGauges();
    hostSet.healthChanged();
  }

  private onHostsChanged(added: readonly UpstreamHost[], removed: readonly UpstreamHost[]): void {
    if (added.length === 0 && removed.length === 0) return;
    for (const host of removed) {
      this.sessions.get(host)?.stop();
      this.sessions.delete(host);
    }
    for (const host of added) {
      if (this.sessions.has(host)) continue;
      const session = new HostHealthSession(host, this);
      this.sessions.set(host, session);
      session.start(this.options.settings.initialDelayMs);
    }
    this.updateGauges();
  }

  private updateGauges(): void {
    let healthy = 0;
    for (const host of this.sessions.keys()) if (host.healthy) healthy++;
    this.options.stats.healthy.set(healthy);
    this.options.stats.unhealthy.set(this.sessions.size - healthy);
  }
}
