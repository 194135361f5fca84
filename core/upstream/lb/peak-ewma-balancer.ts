import type { HostSet } from '../host-set';
import type { UpstreamHost } from '../upstream-host';
import type { LbOptions } from './lb-options';
import { HostSetBalancer, randomIndex } from './load-balancer';

/**
 * Score of a host that has no latency sample yet but requests in flight (Finagle's penalty): high
 * enough that a new host gets one request at a time until its first answer tells how fast it is.
 */
const UNMEASURED_PENALTY_MS = 1e6;

/**
 * LB_PEAK_EWMA (Finagle's and linkerd's peak EWMA): each host's score is its peak-sensitive latency
 * average × (requests in flight + 1), divided by its weight; among `choice_count` random hosts
 * (two by default) the lowest score wins. A slow host's score jumps at its first slow answer, so
 * it soon gets little traffic; its estimate decays while it is left alone, so it is tried again
 * later. A host never measured scores 0 (it is tried first) unless it already has a request in
 * flight. The latency is recorded by UpstreamHost.requestFinished.
 */
export class PeakEwmaBalancer extends HostSetBalancer {
  private readonly choiceCount: number;

  constructor(hostSet: HostSet, options: LbOptions) {
    super(hostSet);
    this.choiceCount = Math.max(1, options.choiceCount);
  }

  protected rebuild(): void {
    // Scores are live; nothing is derived from the host list.
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    const now = performance.now();
    let best = hosts[randomIndex(hosts.length)];
    let bestScore = score(best, now);
    for (let i = 1; i < this.choiceCount; i++) {
      const candidate = hosts[randomIndex(hosts.length)];
      const s = score(candidate, now);
      if (s < bestScore) {
        best = candidate;
        bestScore = s;
      }
    }
    return best;
  }
}

function score(host: UpstreamHost, now: number): number {
  const cost = host.latency.cost(now);
  const pending = host.activeRequests;
  if (cost === 0 && pending > 0) return (UNMEASURED_PENALTY_MS + pending) / host.weight;
  return (cost * (pending + 1)) / host.weight;
}
