import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ClusterHealthChecker } from '../../core/upstream/health/cluster-health-checker';
import type { HealthCheckSettings } from '../../core/upstream/health/health-check-settings';
import { HealthCheckStats } from '../../core/upstream/health/health-check-stats';
import type { ProbeResult } from '../../core/upstream/health/health-probe';
import { HostSet } from '../../core/upstream/host-set';
import { UpstreamHost } from '../../core/upstream/upstream-host';
import { Metrics } from '../../core/metrics/metrics-registry';

/** Every checker a test made; stopped after each test so a failed assertion cannot leave timers running. */
const running: ClusterHealthChecker[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

function track(c: ClusterHealthChecker): ClusterHealthChecker {
  running.push(c);
  return c;
}

/** Upper bounds allow this much timer lateness (a loaded CI machine); lower bounds are exact. */
const SLACK = 150;

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child() { return silent; } };

function host(port: number): UpstreamHost {
  return new UpstreamHost(`127.0.0.1:${port}`, { kind: 'tcp', host: '127.0.0.1', port }, 1, '', 'c');
}

function settings(over: Partial<HealthCheckSettings> = {}): HealthCheckSettings {
  return { protocol: '', timeoutMs: 100, intervalMs: 40, jitterMs: 0, initialDelayMs: 10, healthyThreshold: 1, unhealthyThreshold: 1, serviceName: '', eventLogPath: '', ...over };
}

/**
 * A checker over one host whose checks are answered by `answer(n)` (n = 0, 1, ...) and
 * timestamped; `until(n)` resolves once n checks have been made.
 */
function harness(s: HealthCheckSettings, answer: (n: number) => ProbeResult = () => ({ healthy: true, reason: 'ok' }), random?: () => number) {
  const h = host(1);
  const hostSet = new HostSet([h]);
  const stats = new HealthCheckStats(new Metrics('healthcheck', { cluster: 'c' }));
  const times: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const checker = track(new ClusterHealthChecker({
    clusterName: 'c',
    hostSet,
    settings: s,
    stats,
    logger: silent,
    random,
    probe: async () => {
      const n = times.length;
      times.push(performance.now());
      for (const w of waiters.filter((w) => times.length >= w.n)) w.resolve();
      return answer(n);
    },
  }));
  const until = (n: number) => new Promise<void>((resolve) => (times.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { h, hostSet, stats, times, checker, until };
}

describe('health check timing and thresholds', () => {
  it('waits the initial delay before the first check, then interval + a random part of interval_jitter between checks', async () => {
    const s = settings({ initialDelayMs: 150, intervalMs: 30, jitterMs: 60 });
    const t = harness(s);
    const t0 = performance.now();
    t.checker.start();
    await t.until(13);
    t.checker.stop();
    const first = t.times[0] - t0;
    assert.ok(first >= 149 && first < 150 + SLACK, `first check after ${first.toFixed(1)} ms (initial delay 150 ms)`);
    const gaps = t.times.slice(1).map((x, i) => x - t.times[i]);
    for (const g of gaps) assert.ok(g >= 29 && g < 30 + 60 + SLACK, `gap ${g.toFixed(1)} ms outside [30, 90 + slack)`);
    // Jitter really varies the waits: 12 gaps drawn from [30, 90) do not all fall within 10 ms of each other.
    const spread = Math.max(...gaps) - Math.min(...gaps);
    assert.ok(spread > 10, `gaps spread only ${spread.toFixed(1)} ms: ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
  });

  it('uses the jitter source for each interval (zero and near-full jitter give the bounds)', async () => {
    const low = harness(settings({ initialDelayMs: 1, intervalMs: 30, jitterMs: 100 }), undefined, () => 0);
    low.checker.start();
    await low.until(4);
    low.checker.stop();
    const high = harness(settings({ initialDelayMs: 1, intervalMs: 30, jitterMs: 100 }), undefined, () => 0.999);
    high.checker.start();
    await high.until(4);
    high.checker.stop();
    for (let i = 1; i < 4; i++) {
      const gLow = low.times[i] - low.times[i - 1];
      const gHigh = high.times[i] - high.times[i - 1];
      assert.ok(gLow >= 29 && gLow < 30 + 70, `no-jitter gap ${gLow.toFixed(1)} ms`);
      assert.ok(gHigh >= 128 && gHigh < 130 + SLACK, `full-jitter gap ${gHigh.toFixed(1)} ms`);
    }
  });

  it('flips a host only after unhealthy_threshold consecutive failures and back after healthy_threshold passes', async () => {
    // pass, fail, pass (resets the count), fail, fail, fail (→ unhealthy at the 2nd consecutive... 3rd), pass, pass (→ healthy)
    const script = [true, false, true, false, false, false, true, false, true, true, true];
    const t = harness(settings({ initialDelayMs: 1, intervalMs: 5, unhealthyThreshold: 3, healthyThreshold: 2 }), (n) =>
      script[n] === false ? { healthy: false, failure: 'active', reason: 'HTTP status 503' } : { healthy: true, reason: 'HTTP status 200' },
    );
    const seen: boolean[] = [];
    t.hostSet.onChange(() => seen.push(t.h.healthy));
    t.checker.start();
    const healthAfter: boolean[] = [];
    for (let n = 1; n <= script.length; n++) {
      await t.until(n + 1); // the (n+1)th check starts only after the nth result was applied
      healthAfter.push(t.h.healthy);
    }
    t.checker.stop();
    // After each check: 3 consecutive failures at checks 4-6 eject; checks 7 (pass) 8 (fail: resets) 9, 10 (passes) restore.
    assert.deepEqual(healthAfter, [true, true, true, true, true, false, false, false, false, true, true]);
    assert.deepEqual(seen, [false, true], 'the host set heard exactly the two flips');
    assert.equal(t.stats.hostEjected.value, 1);
    assert.equal(t.stats.hostRecovered.value, 1);
    assert.equal(t.stats.activeFailure.value, 5);
    assert.equal(t.stats.failure.value, 5);
    assert.ok(t.stats.attempt.value >= script.length);
    assert.equal(t.stats.healthy.value, 1);
  });

  it('keeps one check in flight per host: a slow check delays the next instead of overlapping', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let checks = 0;
    const h = host(2);
    const hostSet = new HostSet([h]);
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const checker = track(new ClusterHealthChecker({
      clusterName: 'c',
      hostSet,
      settings: settings({ initialDelayMs: 1, intervalMs: 5, timeoutMs: 1000 }),
      stats: new HealthCheckStats(new Metrics('healthcheck', { cluster: 'c' })),
      logger: silent,
      probe: async () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 30)); // slower than the interval
        inFlight--;
        if (++checks === 4) done();
        return { healthy: true, reason: 'ok' };
      },
    }));
    checker.start();
    await finished;
    checker.stop();
    assert.equal(maxInFlight, 1);
  });

  it('stop() leaves no timer behind and aborts the check in flight', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    const before = timers();
    let aborted = false;
    let started!: () => void;
    const checkStarted = new Promise<void>((r) => (started = r));
    const hostSet = new HostSet([host(3), host(4), host(5)]);
    const checker = track(new ClusterHealthChecker({
      clusterName: 'c',
      hostSet,
      settings: settings({ initialDelayMs: 1, intervalMs: 10_000 }),
      stats: new HealthCheckStats(new Metrics('healthcheck', { cluster: 'c' })),
      logger: silent,
      probe: (_h, _t, signal) =>
        new Promise<ProbeResult>((resolve) => {
          started();
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ healthy: false, failure: 'network', reason: 'check stopped' });
          });
        }),
    }));
    checker.start();
    assert.equal(timers(), before + 3, 'one initial-delay timer per host');
    await checkStarted;
    checker.stop();
    assert.equal(aborted, true);
    assert.equal(timers(), before);
  });

  it('starts sessions for hosts added later and stops those of removed hosts', async () => {
    const t = harness(settings({ initialDelayMs: 1, intervalMs: 10_000 }));
    t.checker.start();
    await t.until(1);
    await new Promise((r) => setImmediate(r)); // the first result is applied and the next check scheduled
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    const before = timers();
    const extra = host(9);
    t.hostSet.setHosts([t.h, extra]);
    assert.equal(timers(), before + 1, 'the new host got its initial-delay timer');
    await t.until(2);
    t.hostSet.setHosts([t.h]);
    assert.equal(timers(), before, "the removed host's timer is gone");
    assert.equal(t.stats.healthy.value, 1);
    t.checker.stop();
  });
});
