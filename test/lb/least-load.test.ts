import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeakEwma } from '../../core/upstream/lb/peak-ewma';
import { balancerOf, countPicks, hostSetOf } from '../support/lb-hosts';

describe('LB_LEAST_REQUEST and LB_LEAST_CONNECTION (P2C with equal weights, EDF by load with unequal)', () => {
  it('P2C over 2 hosts: a busy host gets only the picks where both samples were it (≈ 1/4)', () => {
    const set = hostSetOf([1, 1]);
    set.hosts[0].activeRequests = 10;
    const counts = countPicks(balancerOf('LB_LEAST_REQUEST', set), 20_000);
    const busy = (counts.get('10.0.0.1:80') ?? 0) / 20_000;
    // Binomial(20000, 0.25): sd 0.003, the bounds are > 8 sd away
    assert.ok(busy > 0.22 && busy < 0.28, `busy host share ${busy}`);
  });

  it('choice_count from lbconfig: with 4 choices the busy host of 2 gets ≈ 1/16', () => {
    const set = hostSetOf([1, 1]);
    set.hosts[0].activeRequests = 10;
    const busy = (countPicks(balancerOf('LB_LEAST_REQUEST', set, { choice_count: 4 }), 20_000).get('10.0.0.1:80') ?? 0) / 20_000;
    assert.ok(busy > 0.045 && busy < 0.08, `busy host share ${busy}`);
  });

  it('choice_count 1 is plain random', () => {
    const set = hostSetOf([1, 1]);
    set.hosts[0].activeRequests = 10;
    const busy = (countPicks(balancerOf('LB_LEAST_REQUEST', set, { choice_count: 1 }), 20_000).get('10.0.0.1:80') ?? 0) / 20_000;
    assert.ok(busy > 0.47 && busy < 0.53, `busy host share ${busy}`);
  });

  it('LB_LEAST_REQUEST follows requests as they start and finish', () => {
    const set = hostSetOf([1, 1, 1]);
    const lb = balancerOf('LB_LEAST_REQUEST', set, { choice_count: 10 });
    // every request stays in flight: P2C with 10 choices keeps the three hosts within one of each other
    for (let i = 0; i < 300; i++) lb.chooseHost()!.requestStarted();
    const loads = set.hosts.map((h) => h.activeRequests);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 3, `loads ${loads}`);
    for (let i = 0; i < 100; i++) set.hosts[0].requestFinished(1, true);
    // host 1 is now far less loaded than the others
    assert.ok((countPicks(lb, 100).get('10.0.0.1:80') ?? 0) > 90);
  });

  it('LB_LEAST_CONNECTION compares activeConnections, not requests', () => {
    const set = hostSetOf([1, 1]);
    set.hosts[0].activeConnections = 5;
    set.hosts[1].activeRequests = 50;
    const busy = (countPicks(balancerOf('LB_LEAST_CONNECTION', set, { choice_count: 6 }), 10_000).get('10.0.0.1:80') ?? 0) / 10_000;
    assert.ok(busy < 0.03, `host with more connections got ${busy}`);
  });

  it('unequal weights: EDF by weight / (active + 1); with no load it is the weight split', () => {
    const set = hostSetOf([1, 3]);
    const counts = countPicks(balancerOf('LB_LEAST_REQUEST', set), 4000);
    assert.deepEqual([counts.get('10.0.0.1:80'), counts.get('10.0.0.2:80')], [1000, 3000]);
  });

  it('unequal weights: load on the heavy host shifts picks to the light one (active_request_bias 1)', () => {
    const set = hostSetOf([1, 3]);
    set.hosts[1].activeRequests = 5; // effective weight 3/6 = 0.5 against 1/1
    const counts = countPicks(balancerOf('LB_LEAST_REQUEST', set), 3000);
    const light = (counts.get('10.0.0.1:80') ?? 0) / 3000;
    assert.ok(Math.abs(light - 2 / 3) < 0.01, `light host share ${light}`);
  });

  it('active_request_bias 0 ignores load (pure weights)', () => {
    const set = hostSetOf([1, 3]);
    set.hosts[1].activeRequests = 5;
    const counts = countPicks(balancerOf('LB_LEAST_REQUEST', set, { active_request_bias: 0 }), 4000);
    assert.deepEqual([counts.get('10.0.0.1:80'), counts.get('10.0.0.2:80')], [1000, 3000]);
  });
});

describe('peak EWMA', () => {
  it('a sample above the estimate replaces it; lower samples blend in with the time since the last', () => {
    const e = new PeakEwma(10_000);
    e.observe(10, 0);
    assert.equal(e.cost(0), 10);
    e.observe(50, 1);
    assert.equal(e.cost(1), 50, 'peak taken at once');
    e.observe(10, 10_001); // 10 s later: the old estimate weighs e^-1
    const decayed = 50 * Math.exp(-1);
    const w = Math.exp(-1);
    assert.ok(Math.abs(e.cost(10_001) - (decayed * w + 10 * (1 - w))) < 1e-9);
  });

  it('between samples the estimate decays toward 0 with the decay time', () => {
    const e = new PeakEwma(1000);
    e.observe(100, 0);
    assert.ok(Math.abs(e.cost(1000) - 100 / Math.E) < 1e-9);
    assert.ok(e.cost(20_000) < 1e-6);
  });

  it('UpstreamHost.requestFinished feeds it; a failure never lowers it', () => {
    const host = hostSetOf([1]).hosts[0];
    host.requestStarted();
    host.requestFinished(40, true);
    assert.equal(host.activeRequests, 0);
    const before = host.latency.cost(performance.now());
    assert.ok(before > 39 && before <= 40);
    host.requestStarted();
    host.requestFinished(0.1, false);
    assert.ok(host.latency.cost(performance.now()) > 39, 'a fast failure did not make the host look fast');
  });

  it('LB_PEAK_EWMA: the slow host of 4 gets ≈ 1/16 of picks (only when P2C samples it twice)', () => {
    const set = hostSetOf([1, 1, 1, 1]);
    const lb = balancerOf('LB_PEAK_EWMA', set);
    const now = performance.now();
    set.hosts.forEach((h, i) => h.latency.observe(i === 0 ? 50 : 2, now));
    const slow = (countPicks(lb, 20_000).get('10.0.0.1:80') ?? 0) / 20_000;
    assert.ok(slow > 0.05 && slow < 0.075, `slow host share ${slow}`);
  });

  it('LB_PEAK_EWMA: requests in flight multiply the cost; an unmeasured host takes one request at a time', () => {
    const set = hostSetOf([1, 1]);
    const lb = balancerOf('LB_PEAK_EWMA', set, { choice_count: 8 });
    const now = performance.now();
    set.hosts[0].latency.observe(10, now);
    set.hosts[1].latency.observe(2, now);
    set.hosts[1].activeRequests = 9; // 2 × 10 = 20 > 10 × 1
    assert.ok((countPicks(lb, 1000).get('10.0.0.1:80') ?? 0) > 975, "only when all 8 choices hit host 2 (1 in 256, ≈ 4 of 1000) may it be picked");
    const fresh = hostSetOf([1, 1]);
    fresh.hosts[0].latency.observe(10, now);
    fresh.hosts[1].activeRequests = 1; // never measured, already busy: penalised
    assert.ok((countPicks(balancerOf('LB_PEAK_EWMA', fresh, { choice_count: 8 }), 1000).get('10.0.0.1:80') ?? 0) > 975);
    fresh.hosts[1].activeRequests = 0; // never measured and idle: tried first
    assert.ok((countPicks(balancerOf('LB_PEAK_EWMA', fresh, { choice_count: 8 }), 1000).get('10.0.0.2:80') ?? 0) > 975);
  });
});
