import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { TIMING_SAMPLE } from '../../core/proxy/stream-filter-chain';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';
import { closed, connect, readAll, readBytes, startEchoServer, type TestServer } from '../support/tcp-peers';
import { get, httpListener, startLiveProxy, type LiveProxy } from './live-fixture';

const THRESHOLD = 5;

/** The value of one Prometheus sample, e.g. plugin_error_total{plugin="x"}. */
function sample(metrics: string, name: string, plugin: string): number {
  const m = new RegExp(`^${name}\\{plugin="${plugin}"\\} (\\S+)$`, 'm').exec(metrics);
  assert.ok(m, `${name}{plugin="${plugin}"} in /metrics`);
  return Number(m[1]);
}

describe('failure policy of stream filters: a plugin that throws on every request', { timeout: 60_000 }, () => {
  let proxy: LiveProxy;
  const agent = new http.Agent({ keepAlive: true });

  before(async () => {
    proxy = await startLiveProxy({
      listeners: [
        httpListener('closed', [{ type: 'faulty' }, { type: 'live_stamp' }]),
        httpListener('open', [{ type: 'faulty', failure_policy: 'fail_open' }, { type: 'live_stamp' }]),
        httpListener('stamped', [{ type: 'live_stamp' }]),
      ],
      fixtures: { live_stamp_v1: 'live_stamp', live_faulty: 'live_faulty' },
      plugins: { watch: false, quarantine_threshold: THRESHOLD },
    });
  });

  after(async () => {
    agent.destroy();
    await proxy.close();
  });

  it('fail_closed answers 500, fail_open passes; quarantine after the threshold; then 503 / skipped; other plugins unaffected', async () => {
    const port = (l: string) => proxy.port(l);
    for (let i = 0; i < 2; i++) assert.equal((await get(port('closed'), agent)).status, 500);
    for (let i = 0; i < 2; i++) {
      const r = await get(port('open'), agent);
      assert.deepEqual([r.status, r.live], [200, 'v1'], 'fail_open skips the throwing filter; the next one still runs');
    }
    assert.equal((await proxy.plugin('live_faulty'))!.quarantined, false);
    assert.equal((await get(port('closed'), agent)).status, 500); // the 5th error in a row

    const report = (await proxy.plugin('live_faulty'))!;
    assert.equal(report.quarantined, true);
    assert.deepEqual(report.counters, { ...report.counters, calls: THRESHOLD, errors: THRESHOLD, consecutiveErrors: THRESHOLD });
    assert.ok(proxy.mosn.logLines().some((l) => l.level === 'error' && /plugin "live_faulty" quarantined after 5 consecutive errors/.test(String(l.msg))));

    // Quarantined: not called any more; fail_closed → 503, fail_open → skipped.
    const c = await get(port('closed'), agent);
    assert.equal(c.status, 503);
    const o = await get(port('open'), agent);
    assert.deepEqual([o.status, o.live], [200, 'v1']);
    const s = await get(port('stamped'), agent);
    assert.deepEqual([s.status, s.live], [200, 'v1']);
    assert.equal((await proxy.plugin('live_faulty'))!.counters.errors, THRESHOLD);

    // Call time is measured on one stream in TIMING_SAMPLE: 16 more streams are sure to time some.
    for (let i = 0; i < 2 * TIMING_SAMPLE; i++) assert.equal((await get(port('stamped'), agent)).status, 200);
    const metrics = await (await fetch(`${proxy.mosn.adminBase}/metrics`)).text();
    assert.equal(sample(metrics, 'plugin_call_total', 'live_faulty'), THRESHOLD);
    assert.equal(sample(metrics, 'plugin_error_total', 'live_faulty'), THRESHOLD);
    assert.ok(sample(metrics, 'plugin_call_time_ns_total', 'live_faulty') >= 0);
    assert.equal(sample(metrics, 'plugin_quarantined', 'live_faulty'), 1);
    // live_stamp's receiver runs BeforeRoute, faulty's AfterRoute: 3 × receiver on the 500s, then
    // receiver + sender on 3 open and 1 + 16 stamped requests. The 503 stopped before building it.
    assert.equal(sample(metrics, 'plugin_call_total', 'live_stamp'), 3 + (4 + 2 * TIMING_SAMPLE) * 2);
    assert.equal(sample(metrics, 'plugin_error_total', 'live_stamp'), 0);
    assert.ok(sample(metrics, 'plugin_call_time_ns_total', 'live_stamp') > 0);

    // A reload of the plugin lifts the quarantine: it is called (and fails) again.
    const res = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST', body: JSON.stringify({ names: ['live_faulty'] }) });
    assert.equal(res.status, 200);
    assert.equal((await proxy.plugin('live_faulty'))!.quarantined, false);
    assert.equal((await get(port('closed'), agent)).status, 500);
  });
});

describe('failure policy of network filters', { timeout: 60_000 }, () => {
  let pluginsDir: string;
  let echo: TestServer;
  let mosn: RunningMosn;

  before(async () => {
    pluginsDir = tempPluginsDir();
    copyRepoPlugin('tcp_proxy', pluginsDir);
    buildFixturePlugin('live_faulty', pluginsDir);
    echo = await startEchoServer();
    const withFaulty = (name: string, policy: 'fail_closed' | 'fail_open') => {
      const l = tcpProxyListener(name, { cluster: 'echo' });
      (l.filter_chains[0].filters as unknown[]).unshift({ type: 'faulty_net', failure_policy: policy });
      return l;
    };
    mosn = await startMosn({
      plugins: { dir: pluginsDir, watch: false, quarantine_threshold: 0 },
      servers: [{ listeners: [withFaulty('net_closed', 'fail_closed'), withFaulty('net_open', 'fail_open')] }],
      cluster_manager: { clusters: [cluster('echo', [echo.address])] },
    });
  });

  after(async () => {
    await mosn.stop();
    await echo.close();
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('fail_closed closes that connection with a log line; fail_open skips the filter for the connection', async () => {
    const bad = await connect(mosn.address('net_closed').port);
    const got = readAll(bad);
    bad.write('hello');
    assert.equal((await got).length, 0);
    await closed(bad);
    assert.ok(mosn.logLines().some((l) => l.level === 'error' && l.msg === 'network filter threw; connection closed (failure_policy fail_closed)' && l.err === 'faulty_net: fails every read'));

    const good = await connect(mosn.address('net_open').port);
    good.write('hello');
    assert.equal((await readBytes(good, 5)).toString(), 'hello');
    good.write('again');
    assert.equal((await readBytes(good, 5)).toString(), 'again');
    good.destroy();

    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.equal(sample(metrics, 'plugin_error_total', 'live_faulty'), 2);
    // tcp_proxy is a plugin too: its calls are counted, without errors.
    assert.ok(sample(metrics, 'plugin_call_total', 'tcp_proxy') > 0);
    assert.equal(sample(metrics, 'plugin_error_total', 'tcp_proxy'), 0);
  });
});
