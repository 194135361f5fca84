import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMosn, type RunningMosn } from '../support/mosn-harness';
import { waitFor } from '../support/wait-for';
import { healthEvents, proxyTo, send, servedBy, startSwitchableUpstream, type SwitchableUpstream, trafficUntil } from '../support/proxy-traffic';

const INTERVAL = 100;
const JITTER = 20;
const TIMEOUT = 300;

describe('active TCP health checks', () => {
  const upstreams: SwitchableUpstream[] = [];
  let mosn: RunningMosn;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  /** A server that accepts connections and never answers (for the HTTP timeout case). */
  let silent: net.Server;
  const silentSockets = new Set<net.Socket>();
  const eventLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-events-')), 'healthcheck.log');

  before(async () => {
    for (const name of ['a', 'b']) upstreams.push(await startSwitchableUpstream(name));
    silent = net.createServer((s) => {
      silentSockets.add(s);
      s.on('close', () => silentSockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentAddress = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    mosn = await startMosn({
      ...proxyTo('tcp'),
      cluster_manager: {
        clusters: [
          {
            name: 'tcp',
            lb_type: 'LB_ROUNDROBIN',
            hosts: upstreams.map((u) => ({ address: u.address })),
            // No protocol: MOSN's default check, a TCP connect.
            health_check: {
              timeout: `${TIMEOUT}ms`,
              interval: `${INTERVAL}ms`,
              interval_jitter: `${JITTER}ms`,
              initial_delay_seconds: '10ms',
              unhealthy_threshold: 1,
              healthy_threshold: 1,
              event_log_path: eventLog,
            },
          },
          {
            name: 'blackhole',
            hosts: [{ address: silentAddress }],
            health_check: {
              protocol: 'Http1',
              timeout: '150ms',
              interval: '50ms',
              initial_delay_seconds: '10ms',
              check_config: { http_check_config: { path: '/status' } },
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
    for (const s of silentSockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('marks a host whose port is closed unhealthy, and healthy again when it listens again', async (t) => {
    const [, b] = upstreams;
    const warm = await Promise.all(Array.from({ length: 4 }, () => send(port, agent)));
    assert.deepEqual(servedBy(warm), { a: 2, b: 2 });
    const bPort = b.port;

    const t0 = performance.now();
    await b.close(); // port closed: connects are refused
    const isB = (l: Record<string, unknown>) => l.host === b.address && l.cluster === 'tcp';
    await trafficUntil(port, agent, () => healthEvents(mosn).filter(isB).length >= 1, 2000);
    const ejected = performance.now() - t0;
    t.diagnostic(`closed port marked unhealthy after ${ejected.toFixed(0)} ms`);
    assert.ok(ejected <= INTERVAL + JITTER + TIMEOUT + 100, `took ${ejected.toFixed(0)} ms`);
    const down = healthEvents(mosn).filter(isB)[0];
    assert.equal(down.to, 'unhealthy');
    assert.equal(down.reason, 'connect failed: ECONNREFUSED');
    const out = await Promise.all(Array.from({ length: 10 }, () => send(port, agent)));
    assert.deepEqual(servedBy(out), { a: 10 });

    // Listen on the same port again.
    await new Promise<void>((r) => b.server.listen(bPort, '127.0.0.1', r));
    const t1 = performance.now();
    await waitFor(() => healthEvents(mosn).filter(isB).length >= 2, 2000, 'b to be healthy again');
    t.diagnostic(`reopened port marked healthy after ${(performance.now() - t1).toFixed(0)} ms`);
    assert.equal(healthEvents(mosn).filter(isB)[1].to, 'healthy');
    const back = await Promise.all(Array.from({ length: 10 }, () => send(port, agent)));
    assert.deepEqual(servedBy(back), { a: 5, b: 5 });

    // MOSN's event log: a line per check; b's two flips are there with status_changed:1.
    const lines = fs.readFileSync(eventLog, 'utf8').trim().split('\n');
    for (const l of lines) assert.match(l, /^time:\d+,host:127\.0\.0\.1:\d+,health_status:[01],current_result:[01],status_changed:[01]$/);
    const flips = lines.filter((l) => l.includes(`host:${b.address},`) && l.endsWith('status_changed:1'));
    assert.deepEqual(
      flips.map((l) => l.replace(/^time:\d+,/, '')),
      [`host:${b.address},health_status:0,current_result:0,status_changed:1`, `host:${b.address},health_status:1,current_result:1,status_changed:1`],
    );
  });

  it('fails an HTTP check that gets no answer within the timeout (a network failure)', async () => {
    await waitFor(() => mosn.logLines().some((l) => l.cluster === 'blackhole' && l.msg === 'health check: host is unhealthy'), 2000, 'the silent host to be unhealthy');
    const down = mosn.logLines().find((l) => l.cluster === 'blackhole' && l.msg === 'health check: host is unhealthy')!;
    assert.equal(down.reason, 'no answer within 150 ms');
    const stats = (await (await fetch(`${mosn.adminBase}/api/v1/stats?key=healthcheck.cluster.blackhole`)).json()) as Record<string, Record<string, Record<string, string>>>;
    const set = stats.healthcheck['cluster.blackhole'];
    assert.ok(Number(set.network_failure) >= 1);
    assert.equal(set.active_failure, '0');
    assert.equal(set.healthy, '0');
  });
});
