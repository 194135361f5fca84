import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LoadClients, dropPlugin, get, httpListener, stageFixture, startLiveProxy, waitUntil, type LiveProxy } from './live-fixture';

/** The promise: files land in the plugins directory, traffic moves within this. */
const LIVE_WITHIN_MS = 2000;

describe('live plugin reload through the watcher, under continuous keep-alive load', { timeout: 60_000 }, () => {
  let proxy: LiveProxy;
  let v2: string;
  let extra: string;

  before(async () => {
    v2 = stageFixture('live_stamp_v2');
    extra = stageFixture('test_stream_filters');
    // `stamped` names live_stamp (so it can be replaced but not removed); `plain` names no plugin filter.
    proxy = await startLiveProxy({
      listeners: [httpListener('stamped', [{ type: 'live_stamp' }]), httpListener('plain')],
      fixtures: { live_stamp_v1: 'live_stamp' },
    });
  });

  after(async () => {
    await proxy.close();
    for (const d of [v2, extra]) fs.rmSync(path.dirname(d), { recursive: true, force: true });
  });

  it('adds a bundle, replaces v1 with v2 (a slow request stays on v1), removes what the config does not name: zero failed requests', async (t) => {
    const timings: string[] = [];
    const stamped = new LoadClients(proxy.port('stamped'), 4);
    const plain = new LoadClients(proxy.port('plain'), 2);
    try {
      await waitUntil(() => stamped.all().length > 50, 10_000, 'load to start');
      assert.ok(stamped.all().every((s) => s.live === 'v1'));

      // Add: a new plugin folder lands and loads.
      let landed = performance.now();
      dropPlugin(extra, proxy.pluginsDir, 'test_stream_filters');
      const added = await waitUntil(async () => (await proxy.plugin('test_stream_filters'))?.state === 'loaded', 5000, 'the added plugin to load');
      timings.push(`added live after ${added.toFixed(0)} ms`);
      assert.ok(added <= LIVE_WITHIN_MS, `added plugin loaded after ${added.toFixed(0)} ms`);

      // A slow request starts on v1 and is held by the upstream across the swap.
      const slowAgent = new http.Agent({ keepAlive: true });
      const slow = get(proxy.port('stamped'), slowAgent, '/slow');
      const slowHeaders = await proxy.upstream.slowArrived;
      assert.equal(slowHeaders['x-live'], 'v1');

      // Replace: v2's files land over v1's.
      landed = performance.now();
      dropPlugin(v2, proxy.pluginsDir, 'live_stamp');
      await waitUntil(() => stamped.all().some((s) => s.start > landed && s.live === 'v2'), 5000, 'v2 on the wire');
      const firstV2 = Math.min(...stamped.all().filter((s) => s.live === 'v2').map((s) => s.end));
      const liveAfter = firstV2 - landed;
      timings.push(`v2 live after ${liveAfter.toFixed(0)} ms`);
      assert.ok(liveAfter <= LIVE_WITHIN_MS, `v2 live ${liveAfter.toFixed(0)} ms after the files landed`);
      // Every request that started after v2 was first seen gets v2.
      await waitUntil(() => stamped.samples.every((c) => c.some((s) => s.start > firstV2)), 5000, 'every client to send after the swap');
      const lateV1 = stamped.all().filter((s) => s.start > firstV2 && s.live !== 'v2');
      assert.deepEqual(lateV1, []);

      // The slow request finishes on the generation it started with, which is then disposed.
      const drainingBefore = (await proxy.plugin('live_stamp'))!.draining;
      assert.deepEqual(drainingBefore.map((d) => [d.generation, d.version]), [[1, '1.0.0']]);
      proxy.upstream.releaseSlow();
      const s = await slow;
      slowAgent.destroy();
      assert.deepEqual([s.status, s.live], [200, 'v1']);
      await waitUntil(async () => (await proxy.plugin('live_stamp'))!.draining.length === 0, 5000, 'v1 to be disposed');
      assert.ok(proxy.mosn.logLines().some((l) => l.msg === 'plugin "live_stamp" generation 1 (1.0.0) disposed'));

      // Remove: the folder the config does not name goes; removing live_stamp is refused.
      landed = performance.now();
      fs.rmSync(path.join(proxy.pluginsDir, 'test_stream_filters'), { recursive: true });
      const removed = await waitUntil(async () => (await proxy.plugin('test_stream_filters')) === undefined, 5000, 'the removal');
      timings.push(`removed after ${removed.toFixed(0)} ms`);
      assert.ok(removed <= LIVE_WITHIN_MS, `removal committed after ${removed.toFixed(0)} ms`);
      fs.rmSync(path.join(proxy.pluginsDir, 'live_stamp'), { recursive: true });
      await waitUntil(async () => (await proxy.plugin('live_stamp'))?.error !== undefined, 5000, 'the refused removal');
      const report = (await proxy.plugin('live_stamp'))!;
      assert.equal(report.generation, 2);
      assert.match(report.error!, /servers\[0\]\.listeners\[0\]\.stream_filters\[0\]\.type: stream_filter "live_stamp" would no longer be registered/);
      const afterRemoval = performance.now();
      await waitUntil(() => stamped.all().filter((x) => x.start > afterRemoval).length > 20, 5000, 'traffic after the refused removal');
      assert.ok(stamped.all().filter((x) => x.start > afterRemoval).every((x) => x.live === 'v2'));
    } finally {
      await stamped.stop();
      await plain.stop();
    }
    const failed = [...stamped.all(), ...plain.all()].filter((s) => s.status !== 200);
    assert.deepEqual(failed, [], `${failed.length} failed requests`);
    assert.ok(plain.all().every((s) => s.live === undefined));
    const counts = stamped.all().reduce<Record<string, number>>((m, s) => ((m[s.live ?? '-'] = (m[s.live ?? '-'] ?? 0) + 1), m), {});
    t.diagnostic(`requests: stamped ${JSON.stringify(counts)}, plain ${plain.all().length}; ${timings.join(', ')}`);
  });
});
