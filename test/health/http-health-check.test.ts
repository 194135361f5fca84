import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startMosn, type RunningMosn } from '../support/mosn-harness';
import { healthEvents, proxyTo, send, servedBy, startSwitchableUpstream, type SwitchableUpstream, trafficUntil } from '../support/proxy-traffic';

const INTERVAL = 200;
const JITTER = 50;
const TIMEOUT = 500;
const UNHEALTHY = 2;
const HEALTHY = 2;
/** Stated bound: threshold × (interval + jitter) + one timeout (the check in flight when the host broke). */
const EJECT_BOUND = UNHEALTHY * (INTERVAL + JITTER) + TIMEOUT;
const RETURN_BOUND = HEALTHY * (INTERVAL + JITTER) + TIMEOUT;

describe('active HTTP health checks through the proxy (LB_ROUNDROBIN, 3 hosts)', () => {
  const upstreams: SwitchableUpstream[] = [];
  let mosn: RunningMosn;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  before(async () => {
    for (const name of ['a', 'b', 'c']) upstreams.push(await startSwitchableUpstream(name));
    mosn = await startMosn({
      ...proxyTo('web'),
      cluster_manager: {
        clusters: [
          {
            name: 'web',
            type: 'SIMPLE',
            lb_type: 'LB_ROUNDROBIN',
            hosts: upstreams.map((u) => ({ address: u.address })),
            health_check: {
              protocol: 'Http1',
              timeout: `${TIMEOUT}ms`,
              interval: `${INTERVAL}ms`,
              interval_jitter: `${JITTER}ms`,
              initial_delay_seconds: '50ms',
              healthy_threshold: HEALTHY,
              unhealthy_threshold: UNHEALTHY,
              check_config: { http_check_config: { path: '/health', method: 'GET', codes: [{ start: 200, end: 299 }] } },
            },
          },
        ],
      },
    });
    port = mosn.address('in').port;
  });

  after(async () => {
    agent.destroy();
    await mosn?.stop();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it('takes a host whose check starts failing out of rotation within the bound, and back after healthy_threshold passes', async (t) => {
    const [a, b, c] = upstreams;
    const warm = await Promise.all(Array.from({ length: 9 }, () => send(port, agent)));
    assert.deepEqual(servedBy(warm), { a: 3, b: 3, c: 3 });

    // b's check now answers 503 (its traffic would still succeed: only the health check decides).
    const t0 = performance.now();
    const t0Wall = Date.now();
    b.healthy = false;
    const during = await trafficUntil(port, agent, () => healthEvents(mosn).length >= 1, EJECT_BOUND + 1000);
    const lastToB = Math.max(...during.filter((s) => s.server === 'b').map((s) => s.at), t0);
    assert.ok(lastToB - t0 <= EJECT_BOUND, `b still got traffic ${(lastToB - t0).toFixed(0)} ms after it failed (bound ${EJECT_BOUND} ms)`);

    t.diagnostic(`last request to b ${(lastToB - t0).toFixed(0)} ms after its check began failing (bound ${EJECT_BOUND} ms)`);
    const [down] = healthEvents(mosn);
    assert.equal(down.level, 'warn');
    assert.equal(down.cluster, 'web');
    assert.equal(down.host, b.address);
    assert.equal(down.from, 'healthy');
    assert.equal(down.to, 'unhealthy');
    assert.equal(down.reason, 'HTTP status 503');
    const ejectedAfter = Date.parse(down.time as string) - t0Wall;
    // unhealthy_threshold = 2: two failed checks, an interval apart, not the first one alone.
    assert.ok(ejectedAfter >= INTERVAL - 5, `ejected ${ejectedAfter} ms after the failure began: before ${UNHEALTHY} checks could fail`);

    const out = await Promise.all(Array.from({ length: 30 }, () => send(port, agent)));
    assert.deepEqual(servedBy(out), { a: 15, c: 15 }, 'only the healthy hosts get traffic');

    const t1 = performance.now();
    const t1Wall = Date.now();
    b.healthy = true;
    const back = await trafficUntil(port, agent, () => healthEvents(mosn).length >= 2, RETURN_BOUND + 1000);
    const returnedAfter = performance.now() - t1;
    assert.ok(returnedAfter <= RETURN_BOUND + 50, `b came back ${returnedAfter.toFixed(0)} ms after it recovered (bound ${RETURN_BOUND} ms)`);
    assert.ok(back.every((s) => s.server !== 'b'), 'no traffic to b before it is healthy again');
    t.diagnostic(`b back in rotation ${returnedAfter.toFixed(0)} ms after its check passed again (bound ${RETURN_BOUND} ms)`);
    const up = healthEvents(mosn)[1];
    assert.deepEqual([up.host, up.from, up.to, up.reason], [b.address, 'unhealthy', 'healthy', 'HTTP status 200']);
    assert.ok(Date.parse(up.time as string) - t1Wall >= INTERVAL - 5, `healthy_threshold = ${HEALTHY} needs two passes an interval apart`);

    const after = await Promise.all(Array.from({ length: 30 }, () => send(port, agent)));
    assert.deepEqual(servedBy(after), { a: 10, b: 10, c: 10 });
    assert.ok(a.healthChecks > 0 && c.healthChecks > 0);
  });

  it('shows the events in /metrics and /api/v1/stats', async () => {
    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    const value = (name: string) => {
      const m = new RegExp(`^${name}\\{cluster="web"\\} ([0-9.e+-]+)$`, 'm').exec(metrics);
      assert.ok(m, `${name}{cluster="web"} in /metrics`);
      return Number(m[1]);
    };
    assert.equal(value('healthcheck_host_unhealthy_total'), 1);
    assert.equal(value('healthcheck_host_healthy_total'), 1);
    assert.equal(value('healthcheck_healthy'), 3);
    assert.equal(value('healthcheck_unhealthy'), 0);
    assert.ok(value('healthcheck_active_failure') >= UNHEALTHY);
    assert.equal(value('healthcheck_failure'), value('healthcheck_active_failure') + value('healthcheck_network_failure'));
    assert.ok(value('healthcheck_attempt') >= value('healthcheck_success') + value('healthcheck_failure'));
    assert.match(metrics, /# TYPE healthcheck_healthy gauge/);

    const stats = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=healthcheck`)).json()) as Record<string, Record<string, Record<string, string>>>;
    assert.equal(stats.healthcheck['cluster.web'].healthy, '3');
    assert.equal(stats.healthcheck['cluster.web'].host_unhealthy_total, '1');
  });
});
