import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomBalancer } from '../../core/upstream/random-balancer';
import { RoundRobinBalancer } from '../../core/upstream/round-robin-balancer';
import { UpstreamHost } from '../../core/upstream/upstream-host';
import type { LoadBalancer } from '../../core/upstream/load-balancer';
import { HostSet } from '../../core/upstream/host-set';

function hosts(weights: number[]): HostSet {
  return new HostSet(weights.map((w, i) => new UpstreamHost(`10.0.0.${i + 1}:80`, { kind: 'tcp', host: `10.0.0.${i + 1}`, port: 80 }, w, '', 'c')));
}

function picks(lb: LoadBalancer, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = lb.chooseHost()!;
    counts.set(h.address, (counts.get(h.address) ?? 0) + 1);
  }
  return counts;
}

describe('load balancers', () => {
  it('LB_RANDOM with weights 1:2:7 over 100k picks is within ±5% of each share', () => {
    const counts = picks(new RandomBalancer(hosts([1, 2, 7])), 100_000);
    [0.1, 0.2, 0.7].forEach((want, i) => {
      const got = (counts.get(`10.0.0.${i + 1}:80`) ?? 0) / 100_000;
      assert.ok(Math.abs(got - want) <= want * 0.05, `host ${i + 1}: ${got}`);
    });
  });

  it('LB_RANDOM with equal weights reaches every host', () => {
    assert.equal(picks(new RandomBalancer(hosts([1, 1, 1, 1])), 1000).size, 4);
  });

  it('LB_ROUNDROBIN with equal weights takes turns', () => {
    const lb = new RoundRobinBalancer(hosts([1, 1, 1]));
    const seq = Array.from({ length: 6 }, () => lb.chooseHost()!.address);
    assert.deepEqual(seq.slice(3), seq.slice(0, 3));
    assert.equal(new Set(seq.slice(0, 3)).size, 3);
  });

  it('LB_ROUNDROBIN with weights 5:1:1 is exact per cycle and interleaves the heavy host', () => {
    const lb = new RoundRobinBalancer(hosts([5, 1, 1]));
    const seq = Array.from({ length: 7 }, () => lb.chooseHost()!.address);
    assert.equal(seq.filter((a) => a === '10.0.0.1:80').length, 5);
    // smooth WRR never sends the light hosts back to back
    assert.ok(!seq.join(',').includes('10.0.0.2:80,10.0.0.3:80,10.0.0.2:80'));
  });

  it('returns undefined with no hosts', () => {
    assert.equal(new RandomBalancer(new HostSet([])).chooseHost(), undefined);
    assert.equal(new RoundRobinBalancer(new HostSet([])).chooseHost(), undefined);
  });
});
