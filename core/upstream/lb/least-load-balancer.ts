import type { HostSet } from '../host-set';
import type { UpstreamHost } from '../upstream-host';
import { EdfScheduler } from './edf-scheduler';
import { HostSetBalancer, hasUnequalWeights, randomIndex } from './load-balancer';
import type { LbOptions } from './lb-options';

/**
 * Least-loaded choice as MOSN and Envoy do it, over some load count of a host (active requests,
 * active connections): with equal weights, the power of `choice_count` random choices (P2C by
 * default: sample two hosts, take the less loaded; ties keep the first); with unequal weights, an
 * EDF schedule where a host's weight is `weight / (load + 1) ^ active_request_bias`, refreshed each
 * time the host is picked.
 */
export abstract class LeastLoadBalancer extends HostSetBalancer {
  private scheduler: EdfScheduler<UpstreamHost> | undefined;
  private readonly choiceCount: number;
  private readonly bias: number;
  private readonly effectiveWeight = (host: UpstreamHost): number => {
    const load = this.loadOf(host) + 1;
    return host.weight / (this.bias === 1 ? load : Math.pow(load, this.bias));
  };

  constructor(hostSet: HostSet, options: LbOptions) {
    super(hostSet);
    this.choiceCount = Math.max(1, options.choiceCount);
    this.bias = options.activeRequestBias;
  }

  /** The load this balancer minimises. */
  protected abstract loadOf(host: UpstreamHost): number;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    this.scheduler = undefined;
    if (!hasUnequalWeights(hosts)) return;
    const scheduler = new EdfScheduler<UpstreamHost>();
    for (const host of hosts) scheduler.add(host, this.effectiveWeight(host));
    this.scheduler = scheduler;
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    if (this.scheduler) return this.scheduler.pickAndAdd(this.effectiveWeight)!;
    let best = hosts[randomIndex(hosts.length)];
    let bestLoad = this.loadOf(best);
    for (let i = 1; i < this.choiceCount; i++) {
      const candidate = hosts[randomIndex(hosts.length)];
      const load = this.loadOf(candidate);
      if (load < bestLoad) {
        best = candidate;
        bestLoad = load;
      }
    }
    return best;
  }
}
