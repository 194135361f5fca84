import type { Logger } from '../../plugin-sdk';
import type { ClusterConfig } from '../config/config-types';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { HEALTH_CHECK, UPSTREAM, UpstreamDnsKeys } from '../metrics/metric-names';
import { type DnsSettings, parseDnsSettings } from './dns/dns-settings';
import { StrictDnsHosts } from './dns/strict-dns-hosts';
import { ClusterHealthChecker } from './health/cluster-health-checker';
import { type HealthCheckSettings, parseHealthCheck } from './health/health-check-settings';
import { HealthCheckStats } from './health/health-check-stats';
import type { HostSet } from './host-set';

/** What a cluster runs beside its balancer, read from its config. */
export interface ClusterUpkeepPlan {
  /** STRICT_DNS resolution (the hosts come from DNS, not from the config list). */
  readonly dns?: DnsSettings;
  readonly health?: HealthCheckSettings;
}

/** Reads a cluster's STRICT_DNS and health_check settings; problems as `path.field: reason`. */
export function planClusterUpkeep(config: ClusterConfig, type: string, path: string, problems: string[]): ClusterUpkeepPlan {
  return {
    dns: type === 'STRICT_DNS' ? parseDnsSettings(config, path, problems) : undefined,
    health: config.health_check ? parseHealthCheck(config.health_check, `${path}.health_check`, problems) : undefined,
  };
}

/**
 * The background work of one cluster: DNS re-resolution (STRICT_DNS) and active health checking.
 * Nothing runs until start(); stop() clears every timer and aborts what is in flight.
 */
export class ClusterUpkeep {
  private readonly dns: StrictDnsHosts | undefined;
  private readonly health: ClusterHealthChecker | undefined;
  private readonly firstResolveWaitMs: number;

  constructor(clusterName: string, plan: ClusterUpkeepPlan, hostSet: HostSet, registry: MetricsRegistry, logger: Logger) {
    if (plan.dns) {
      const set = registry.metrics(UPSTREAM, { cluster: clusterName });
      this.dns = new StrictDnsHosts(
        clusterName,
        plan.dns,
        hostSet,
        { resolveSuccess: set.counter(UpstreamDnsKeys.ResolveSuccess), resolveFailure: set.counter(UpstreamDnsKeys.ResolveFailure), hosts: set.gauge(UpstreamDnsKeys.Hosts) },
        logger.child({ cluster: clusterName }),
      );
      const initial = this.dns.initialHosts();
      if (initial.length > 0) hostSet.setHosts(initial);
    }
    // A lookup takes at most timeout × attempts per server; start-up waits that long, no longer.
    this.firstResolveWaitMs = plan.dns ? plan.dns.timeoutMs * plan.dns.attempts * Math.max(1, plan.dns.servers?.length ?? 1) + 500 : 0;
    if (plan.health) {
      this.health = new ClusterHealthChecker({
        clusterName,
        hostSet,
        settings: plan.health,
        stats: new HealthCheckStats(registry.metrics(HEALTH_CHECK, { cluster: clusterName })),
        logger,
      });
    }
  }

  /**
   * Starts health checking and DNS. Resolves once the first DNS round has finished (or its time
   * bound passed), so a STRICT_DNS cluster has its hosts before listeners take traffic; a name that
   * did not resolve by then leaves the cluster without its hosts until a later round finds them.
   */
  async start(): Promise<void> {
    this.health?.start();
    if (!this.dns) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.dns.start(), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.firstResolveWaitMs)))]);
    clearTimeout(timer);
  }

  stop(): void {
    this.dns?.stop();
    this.health?.stop();
  }
}
