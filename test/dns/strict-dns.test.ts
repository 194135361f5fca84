import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type Dnsmasq, startDnsmasq } from '../support/dnsmasq';
import { request } from '../support/http-upstreams';
import { startMosn, type RunningMosn } from '../support/mosn-harness';
import { waitFor } from '../support/wait-for';
import { proxyTo, send, servedBy, trafficUntil } from '../support/proxy-traffic';
import { type IpUpstream, startIpUpstreams } from './dns-upstreams';

const REFRESH = 100;

function dnsCluster(dns: Dnsmasq, port: number, extra: Record<string, unknown> = {}) {
  return {
    cluster_manager: {
      clusters: [
        {
          name: 'svc',
          type: 'STRICT_DNS',
          lb_type: 'LB_ROUNDROBIN',
          hosts: [{ address: `svc.test:${port}` }],
          dns_refresh_rate: `${REFRESH}ms`,
          dns_resolvers: { servers: [dns.server], timeout: 1, attempts: 1 },
          ...extra,
        },
      ],
    },
  };
}

const hostChanges = (mosn: RunningMosn) => mosn.logLines().filter((l) => l.msg === 'dns: cluster hosts changed');

describe('STRICT_DNS cluster against a real DNS server (dnsmasq)', () => {
  let ups: IpUpstream[];
  let dns: Dnsmasq;
  let mosn: RunningMosn;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const [ip2, ip3] = ['127.0.0.2', '127.0.0.3'];

  before(async () => {
    ups = await startIpUpstreams(2);
    dns = await startDnsmasq({ 'svc.test': [ip2] });
    mosn = await startMosn({ ...proxyTo('svc'), ...dnsCluster(dns, ups[0].port) });
    port = mosn.address('in').port;
  });

  after(async () => {
    agent.destroy();
    await mosn?.stop();
    await dns?.stop();
    await Promise.all((ups ?? []).map((u) => u.close()));
  });

  it('resolves the name before listeners take traffic', async () => {
    // The very first request already has a host: start-up waited for the first lookup.
    const first = await send(port, agent);
    assert.equal(first.status, 200);
    assert.equal(first.server, ip2);
    const [change] = hostChanges(mosn);
    assert.deepEqual(change.added, [`${ip2}:${ups[0].port}`]);
  });

  it('re-resolves periodically: a new address gets traffic', async (t) => {
    const t0 = performance.now();
    await dns.setRecords({ 'svc.test': [ip2, ip3] });
    await trafficUntil(port, agent, () => hostChanges(mosn).length >= 2, 3000);
    t.diagnostic(`new address in the cluster ${(performance.now() - t0).toFixed(0)} ms after dnsmasq served it (refresh ${REFRESH} ms)`);
    const spread = await Promise.all(Array.from({ length: 20 }, () => send(port, agent)));
    assert.deepEqual(servedBy(spread), { [ip2]: 10, [ip3]: 10 });
  });

  it('an address that disappears gets no more traffic and its pool is drained (requests in flight finish)', async () => {
    const [u2, u3] = ups;
    // Two slow requests on their own connections: round robin puts one on each host.
    const slowAgent = new http.Agent({ keepAlive: true });
    const slow = [request(port, { path: '/slow', agent: slowAgent }), request(port, { path: '/slow', agent: slowAgent })];
    await waitFor(() => u2.held === 1 && u3.held === 1, 2000, 'one slow request on each host');
    u3.releaseSlow();

    await dns.setRecords({ 'svc.test': [ip3] });
    await waitFor(() => hostChanges(mosn).length >= 3, 3000, 'the cluster to drop 127.0.0.2');
    assert.deepEqual(hostChanges(mosn)[2].removed, [`${ip2}:${u2.port}`]);
    const after = await Promise.all(Array.from({ length: 10 }, () => send(port, agent)));
    assert.deepEqual(servedBy(after), { [ip3]: 10 });

    // The request in flight on the removed host still completes; then its connections close.
    u2.releaseSlow();
    const answers = await Promise.all(slow);
    assert.deepEqual(answers.map((a) => a.status), [200, 200]);
    assert.deepEqual(answers.map((a) => a.headers['x-upstream']).sort(), [ip2, ip3]);
    await waitFor(async () => (await u2.openConnections()) === 0, 2000, 'the removed host\'s pool to close its connections');
    slowAgent.destroy();
  });

  it('keeps the last good addresses when the DNS server stops answering, and says so in the log', async () => {
    const failuresBefore = mosn.logLines().filter((l) => l.msg === 'dns: resolution failed; keeping the last good addresses').length;
    await dns.stop();
    await waitFor(
      () => mosn.logLines().filter((l) => l.msg === 'dns: resolution failed; keeping the last good addresses').length > failuresBefore,
      3000,
      'a resolution failure line',
    );
    const line = mosn.logLines().filter((l) => l.msg === 'dns: resolution failed; keeping the last good addresses').pop()!;
    assert.equal(line.level, 'warn');
    assert.equal(line.name, 'svc.test');
    assert.deepEqual(line.kept, [`${ip3}:${ups[1].port}`]);
    const still = await Promise.all(Array.from({ length: 6 }, () => send(port, agent)));
    assert.deepEqual(servedBy(still), { [ip3]: 6 });
    const stats = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=upstream.cluster.svc`)).json()) as Record<string, Record<string, Record<string, string>>>;
    const set = stats.upstream['cluster.svc'];
    assert.ok(Number(set.dns_resolve_failure) >= 1);
    assert.ok(Number(set.dns_resolve_success) >= 3);
    assert.equal(set.dns_hosts, '1');
    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.match(metrics, /^upstream_dns_resolve_failure\{cluster="svc"\} [1-9]/m);
  });
});

describe('STRICT_DNS start-up while the DNS server is down', () => {
  it('starts without hosts (503, an error line), then takes the hosts once DNS answers', async () => {
    const ups = await startIpUpstreams(1);
    // Learn a free port for dnsmasq, then stop it: nothing answers there at start-up.
    const probe = await startDnsmasq({ 'svc.test': ['127.0.0.2'] });
    await probe.stop();
    const mosn = await startMosn({ ...proxyTo('svc'), ...dnsCluster(probe, ups[0].port) });
    let dns: Dnsmasq | undefined;
    try {
      const port = mosn.address('in').port;
      const refused = await request(port, { path: '/' });
      assert.equal(refused.status, 503);
      const error = mosn.logLines().find((l) => l.msg === 'dns: resolution failed; no address for this name yet, retrying');
      assert.ok(error, 'an error line says the name has no address yet');
      assert.equal(error.level, 'error');
      dns = await startDnsmasq({ 'svc.test': ['127.0.0.2'] }, probe.port);
      await waitFor(() => hostChanges(mosn).length >= 1, 3000, 'the cluster to get its host');
      const ok = await request(port, { path: '/' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-upstream'], '127.0.0.2');
    } finally {
      await mosn.stop();
      await dns?.stop();
      await Promise.all(ups.map((u) => u.close()));
    }
  });
});

describe('STRICT_DNS with active health checks', () => {
  it('checks hosts DNS adds: a failing one gets no traffic, a healthy one joins', async () => {
    const ups = await startIpUpstreams(3);
    const [u2, u3, u4] = ups;
    u3.healthy = false;
    const dns = await startDnsmasq({ 'svc.test': [u2.ip] });
    const mosn = await startMosn({
      ...proxyTo('svc'),
      ...dnsCluster(dns, u2.port, {
        health_check: {
          protocol: 'Http1',
          interval: '50ms',
          interval_jitter: '10ms',
          timeout: '200ms',
          initial_delay_seconds: '10ms',
          check_config: { http_check_config: { path: '/health' } },
        },
      }),
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const port = mosn.address('in').port;
      await dns.setRecords({ 'svc.test': [u2.ip, u3.ip] });
      await waitFor(
        () => mosn.logLines().some((l) => l.msg === 'health check: host is unhealthy' && l.host === u3.address),
        3000,
        'the DNS-added failing host to be marked unhealthy',
      );
      const first = await Promise.all(Array.from({ length: 10 }, () => send(port, agent)));
      assert.deepEqual(servedBy(first), { [u2.ip]: 10 });

      await dns.setRecords({ 'svc.test': [u2.ip, u3.ip, u4.ip] });
      await trafficUntil(port, agent, () => hostChanges(mosn).length >= 3, 3000);
      const spread = await Promise.all(Array.from({ length: 10 }, () => send(port, agent)));
      assert.deepEqual(servedBy(spread), { [u2.ip]: 5, [u4.ip]: 5 });
      const stats = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=healthcheck`)).json()) as Record<string, Record<string, Record<string, string>>>;
      assert.equal(stats.healthcheck['cluster.svc'].healthy, '2');
      assert.equal(stats.healthcheck['cluster.svc'].unhealthy, '1');
    } finally {
      agent.destroy();
      await mosn.stop();
      await dns.stop();
      await Promise.all(ups.map((u) => u.close()));
    }
  });
});
