import type { LoadBalancerContext, Logger } from '../../../plugin-sdk';
import type { LoadBalancer as SdkLoadBalancer } from '../../../plugin-sdk/api/load-balancer';
import type { HostSet } from '../host-set';
import { UpstreamHost } from '../upstream-host';
import type { LoadBalancer } from './load-balancer';
import { RandomBalancer } from './random-balancer';

/** At most one warning per balancer in this period, so a broken plugin cannot flood the log. */
const WARN_INTERVAL_MS = 10_000;

/**
 * A plugin's balancer as the kernel uses it. The plugin's code runs on the request path, so its
 * mistakes are contained here: a throw, or an answer that is not one of the cluster's hosts, is
 * logged (rate-limited) and that request goes to a random healthy host instead.
 */
export class PluginBalancer implements LoadBalancer {
  private readonly fallback: RandomBalancer;
  private version = -1;
  private members = new Set<UpstreamHost>();
  private lastWarnAt = -Infinity;
  /** Choices the plugin got wrong (threw or answered a foreign host), for tests and admin. */
  failures = 0;

  constructor(
    private readonly inner: SdkLoadBalancer,
    private readonly hostSet: HostSet,
    private readonly pluginName: string,
    private readonly lbType: string,
    private readonly logger: Logger,
  ) {
    this.fallback = new RandomBalancer(hostSet);
  }

  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined {
    let chosen: unknown;
    try {
      chosen = this.inner.chooseHost(context);
    } catch (err) {
      return this.fail(context, 'load balancer threw', err);
    }
    if (chosen === undefined) return undefined;
    if (this.version !== this.hostSet.version) {
      this.version = this.hostSet.version;
      this.members = new Set(this.hostSet.hosts);
    }
    if (chosen instanceof UpstreamHost && this.members.has(chosen)) return chosen;
    return this.fail(context, 'load balancer chose a host that is not one of the cluster\'s');
  }

  private fail(context: LoadBalancerContext | undefined, message: string, err?: unknown): UpstreamHost | undefined {
    this.failures++;
    const now = performance.now();
    if (now - this.lastWarnAt >= WARN_INTERVAL_MS) {
      this.lastWarnAt = now;
      this.logger.warn({ err, plugin: this.pluginName, lb_type: this.lbType, failures: this.failures }, `${message}; a random healthy host serves instead`);
    }
    return this.fallback.chooseHost(context);
  }
}
