import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_LOAD_BALANCERS } from '../../core/upstream/lb/builtin-balancers';
import { EdfScheduler } from '../../core/upstream/lb/edf-scheduler';
import { HostSet } from '../../core/upstream/host-set';
import { balancerOf, countPicks, hostSetOf, keyContext } from '../support/lb-hosts';

const N = 100_000;

/** Asserts each host's share of `counts` is within ±5% (relative) of its weight share. */
function assertWeightedSpread(counts: Map<string, number>, weights: number[], total: number): void {
  const sum = weights.reduce((a, b) => a + b, 0);
  weights.forEach((w, i) => {
    const want = w / sum;
    const got = (counts.get(`10.0.0.${i + 1}:80`) ?? 0) / total;
    assert.ok(Math.abs(got - want) <= want * 0.05, `host ${i + 1}: share ${got.toFixed(4)}, want ${want.toFixed(4)} ± 5%`);
  });
}

describe('weighted spread (100,000 picks, every share within ±5% of weight / total)', () => {
  for (const lbType of ['LB_RANDOM', 'LB_ROUNDROBIN', 'LB_WEIGHTED_ROUNDROBIN']) {
    for (const weights of [
      [1, 3, 6],
      [1, 2, 7],
      [5, 1, 1, 1],
    ]) {
      it(`${lbType} with weights ${weights.join(':')}`, () => {
        assertWeightedSpread(countPicks(balancerOf(lbType, hostSetOf(weights)), N), weights, N);
      });
    }
  }

  it('LB_WEIGHTED_ROUNDROBIN (EDF) is exact per cycle and interleaves: 1:3:6 gives 1, 3, 6 in every 10 picks', () => {
    const lb = balancerOf('LB_WEIGHTED_ROUNDROBIN', hostSetOf([1, 3, 6]));
    for (let cycle = 0; cycle < 5; cycle++) {
      const counts = countPicks(lb, 10);
      assert.deepEqual([1, 2, 3].map((i) => counts.get(`10.0.0.${i}:80`) ?? 0), [1, 3, 6]);
    }
    // interleaved: the weight-6 host never takes more than 3 turns in a row (EDF, not 6 in a burst)
    const seq = Array.from({ length: 100 }, () => lb.chooseHost()!.address);
    assert.ok(!seq.join(',').includes(Array(4).fill('10.0.0.3:80').join(',')), seq.join(','));
  });

  it('LB_ROUNDROBIN with equal weights takes turns', () => {
    const lb = balancerOf('LB_ROUNDROBIN', hostSetOf([1, 1, 1]));
    const seq = Array.from({ length: 6 }, () => lb.chooseHost()!.address);
    assert.deepEqual(seq.slice(3), seq.slice(0, 3));
    assert.equal(new Set(seq.slice(0, 3)).size, 3);
  });

  it('LB_ROUNDROBIN with weights 5:1:1 is exact per cycle and interleaves the heavy host', () => {
    const lb = balancerOf('LB_ROUNDROBIN', hostSetOf([5, 1, 1]));
    const seq = Array.from({ length: 7 }, () => lb.chooseHost()!.address);
    assert.equal(seq.filter((a) => a === '10.0.0.1:80').length, 5);
    assert.ok(!seq.join(',').includes('10.0.0.2:80,10.0.0.3:80,10.0.0.2:80'));
  });

  it('LB_REQUEST_ROUNDROBIN takes turns and ignores weights', () => {
    const lb = balancerOf('LB_REQUEST_ROUNDROBIN', hostSetOf([10, 1, 1]));
    const counts = countPicks(lb, 300);
    assert.deepEqual([...counts.values()], [100, 100, 100]);
  });

  it('LB_RANDOM with equal weights reaches every host', () => {
    assert.equal(countPicks(balancerOf('LB_RANDOM', hostSetOf([1, 1, 1, 1])), 1000).size, 4);
  });

  it('the EDF scheduler follows changing weights and breaks ties first-in first-out', () => {
    const edf = new EdfScheduler<string>();
    edf.add('a', 1);
    edf.add('b', 1);
    assert.deepEqual([edf.pickAndAdd(() => 1), edf.pickAndAdd(() => 1)], ['a', 'b']);
    // from now on 'a' goes back with weight 3: it gets 3 of every 4 turns
    const weights: Record<string, number> = { a: 3, b: 1 };
    const picks = Array.from({ length: 400 }, () => edf.pickAndAdd((x) => weights[x])!);
    assert.ok(Math.abs(picks.filter((p) => p === 'a').length - 300) <= 2);
    edf.add('zero', 0);
    assert.equal(edf.size, 2, 'a weight of 0 is never scheduled');
  });
});

describe('health: every load balancer skips unhealthy hosts, and panics when none is healthy', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `key-${i}`);
  const contextFor = (lb: string) => {
    let i = 0;
    return lb === 'LB_MAGLEV' || lb === 'RING_HASH' ? () => keyContext(keys[i++ % keys.length]) : () => undefined;
  };

  for (const lbType of BUILTIN_LOAD_BALANCERS.keys()) {
    it(`${lbType}: an unhealthy host gets nothing, comes back when healthy; all unhealthy → all hosts (panic mode)`, () => {
      const set = hostSetOf(lbType === 'LB_ROUNDROBIN' || lbType === 'LB_RANDOM' ? [1, 2, 3, 4] : [1, 1, 1, 1]);
      const lb = balancerOf(lbType, set);
      assert.equal(countPicks(lb, 2000, contextFor(lbType)).size, 4);

      set.hosts[1].healthy = false;
      set.healthChanged();
      const skipped = countPicks(lb, 2000, contextFor(lbType));
      assert.equal(skipped.get('10.0.0.2:80'), undefined, `${lbType} sent to the unhealthy host`);
      assert.equal(skipped.size, 3);

      for (const h of set.hosts) h.healthy = false;
      set.healthChanged();
      assert.equal(countPicks(lb, 2000, contextFor(lbType)).size, 4, 'panic mode balances over every host');

      for (const h of set.hosts) h.healthy = true;
      set.healthChanged();
      assert.equal(countPicks(lb, 2000, contextFor(lbType)).size, 4);
    });
  }

  it('a host set replaced by setHosts (DNS) is picked up on the next choice', () => {
    const set = hostSetOf([1, 1, 1]);
    const lb = balancerOf('LB_WEIGHTED_ROUNDROBIN', set);
    countPicks(lb, 10);
    set.setHosts([set.hosts[2]]);
    assert.deepEqual([...countPicks(lb, 10).keys()], ['10.0.0.3:80']);
  });

  it('every load balancer returns undefined with no hosts', () => {
    for (const lbType of BUILTIN_LOAD_BALANCERS.keys()) assert.equal(balancerOf(lbType, new HostSet([])).chooseHost(keyContext('k')), undefined, lbType);
  });
});
