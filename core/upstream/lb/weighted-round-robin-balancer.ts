import type { UpstreamHost } from '../upstream-host';
import { EdfScheduler } from './edf-scheduler';
import { HostSetBalancer, hasUnequalWeights, randomIndex } from './load-balancer';

const weightOf = (host: UpstreamHost): number => host.weight;

/**
 * LB_WEIGHTED_ROUNDROBIN (MOSN's and Envoy's): with unequal weights an EDF schedule, so a host of
 * weight 6 gets 6 turns in 10 against weights 1 and 3, spread out; with equal weights plain turns.
 * The schedule is rebuilt when the healthy host list changes.
 */
export class WeightedRoundRobinBalancer extends HostSetBalancer {
  private scheduler: EdfScheduler<UpstreamHost> | undefined;
  private next = 0;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    this.next = hosts.length > 0 ? randomIndex(hosts.length) : 0;
    this.scheduler = undefined;
    if (!hasUnequalWeights(hosts)) return;
    const scheduler = new EdfScheduler<UpstreamHost>();
    for (const host of hosts) scheduler.add(host, host.weight);
    // Start at a random point of the schedule so that many proxies do not move in lockstep.
    for (let i = randomIndex(hosts.length); i > 0; i--) scheduler.pickAndAdd(weightOf);
    this.scheduler = scheduler;
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    if (this.scheduler) return this.scheduler.pickAndAdd(weightOf)!;
    if (this.next >= hosts.length) this.next = 0;
    return hosts[this.next++];
  }
}
