import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReloadResult } from '../../core/host/plugin-host';
import { runMosnToEnd } from '../support/mosn-process';
import { dropPlugin, get, httpListener, stageFixture, startLiveProxy, type LiveProxy } from './live-fixture';

describe('reload triggers against a running server: admin API and `mosn plugin reload`', { timeout: 60_000 }, () => {
  let proxy: LiveProxy;
  let v1: string;
  let v2: string;
  const agent = new http.Agent({ keepAlive: true });

  before(async () => {
    v1 = stageFixture('live_stamp_v1');
    v2 = stageFixture('live_stamp_v2');
    proxy = await startLiveProxy({
      listeners: [httpListener('stamped', [{ type: 'live_stamp' }])],
      fixtures: { live_stamp_v1: 'live_stamp' },
      plugins: { watch: false },
    });
  });

  after(async () => {
    agent.destroy();
    await proxy.close();
    for (const d of [v1, v2]) fs.rmSync(path.dirname(d), { recursive: true, force: true });
  });

  it('POST /api/v1/plugins/reload commits v2 and the next request (same keep-alive connection) gets it', async () => {
    assert.equal((await get(proxy.port('stamped'), agent)).live, 'v1');
    dropPlugin(v2, proxy.pluginsDir, 'live_stamp');
    // Files alone do nothing without the watcher.
    assert.equal((await get(proxy.port('stamped'), agent)).live, 'v1');
    const res = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as ReloadResult;
    assert.deepEqual(body.changed, [{ name: 'live_stamp', dir: path.join(proxy.pluginsDir, 'live_stamp'), from: { version: '1.0.0', generation: 1 }, to: { version: '2.0.0', generation: 2 } }]);
    const r = await get(proxy.port('stamped'), agent);
    assert.deepEqual([r.status, r.live], [200, 'v2']);
    assert.ok(proxy.mosn.logLines().some((l) => l.msg === 'listener "stamped" rebuilt after a plugin swap'));
  });

  it('`mosn plugin reload live_stamp` (the CLI, as a child process) rebuilds it', async () => {
    dropPlugin(v1, proxy.pluginsDir, 'live_stamp');
    const run = await runMosnToEnd(['plugin', 'reload', 'live_stamp', '--admin', proxy.mosn.server.adminAddress]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'live_stamp: 2.0.0 (generation 2) → 1.0.0 (generation 3)');
    const r = await get(proxy.port('stamped'), agent);
    assert.deepEqual([r.status, r.live], [200, 'v1']);
    const list = await runMosnToEnd(['plugin', 'list', '--admin', proxy.mosn.server.adminAddress]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^live_stamp\s+1\.0\.0\s+3\s+loaded\b/m);
  });

  it('removing a plugin the running config names is refused (409, CLI exit 1); it keeps serving', async () => {
    const dir = path.join(proxy.pluginsDir, 'live_stamp');
    const away = `${proxy.pluginsDir}-live_stamp-away`;
    fs.renameSync(dir, away);
    try {
      const res = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST' });
      assert.equal(res.status, 409);
      const body = (await res.json()) as ReloadResult;
      assert.deepEqual(body.refused, [
        {
          name: 'live_stamp',
          reason: 'the running config does not accept this reload: servers[0].listeners[0].stream_filters[0].type: stream_filter "live_stamp" would no longer be registered',
        },
      ]);
      const cli = await runMosnToEnd(['plugin', 'reload', '--admin', proxy.mosn.server.adminAddress]);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /reload refused; nothing was committed:\n {2}live_stamp: the running config does not accept this reload/);
      const r = await get(proxy.port('stamped'), agent);
      assert.deepEqual([r.status, r.live], [200, 'v1']);
      assert.equal((await proxy.plugin('live_stamp'))!.generation, 3);
    } finally {
      fs.renameSync(away, dir);
    }
  });
});
