import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { replaceBundle } from '../host/plugin-fixture';
import { editManifest } from '../support/plugin-dirs';
import { dropPlugin, get, httpListener, stageFixture, startLiveProxy, type LiveProxy } from './live-fixture';

interface ReloadAnswer {
  ok: boolean;
  refused: { name: string; reason: string }[];
}

/** What a user could do to a plugin folder by mistake, and the reason the host must give. */
const BROKEN: { what: string; spoil(dir: string): void; reason: RegExp }[] = [
  { what: 'a syntax error', spoil: (dir) => replaceBundle(dir, 'module.exports = {{ not javascript'), reason: /dist\/index\.js failed to evaluate: SyntaxError/ },
  {
    what: 'a throw in activate',
    spoil: (dir) => replaceBundle(dir, "module.exports = { activate() { throw new Error('boom in activate'); } };"),
    reason: /activate failed: Error: boom in activate/,
  },
  {
    what: 'a schema that rejects the running config',
    spoil: (dir) =>
      editManifest(dir, (m) => {
        (m.provides as { configSchema: unknown }[])[0].configSchema = { type: 'object', properties: { label: { type: 'integer' } } };
      }),
    reason: /the running config does not accept this reload: servers\[0\]\.listeners\[0\]\.stream_filters\[0\]\.config\.label: must be an integer, got "blue"/,
  },
  {
    what: 'a factory that refuses the running config',
    spoil: (dir) =>
      replaceBundle(
        dir,
        `const { ConfigError } = require('mosn-plugin-sdk');
module.exports = { activate(ctx) { ctx.registerStreamFilter('live_stamp', { createFilterChainFactory(config) { throw new ConfigError('label', 'label "' + config.label + '" is not served any more'); } }); } };`,
      ),
    reason: /the running config does not accept this reload: servers\[0\]\.listeners\[0\]\.stream_filters\[0\]\.config\.label: label "blue" is not served any more/,
  },
  { what: 'an engines mismatch', spoil: (dir) => editManifest(dir, (m) => (m.engines = { mosn: '^9.0.0' })), reason: /requires mosn plugin API "\^9\.0\.0" but this kernel provides/ },
  {
    what: 'a sha256 mismatch',
    spoil: (dir) => fs.appendFileSync(path.join(dir, 'dist', 'index.js'), '\n// edited after the build\n'),
    reason: /dist\/index\.js does not match the sha256 in plugin\.json/,
  },
  {
    what: 'a half-written bundle',
    spoil: (dir) => {
      const file = path.join(dir, 'dist', 'index.js');
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    },
    reason: /dist\/index\.js does not match the sha256 in plugin\.json/,
  },
  {
    what: 'a half-written plugin.json',
    spoil: (dir) => {
      const file = path.join(dir, 'plugin.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 120));
    },
    reason: /plugin\.json is not valid JSON/,
  },
];

describe('broken plugin bundles through a running server', { timeout: 60_000 }, () => {
  let proxy: LiveProxy;
  let v1: string;
  const agent = new http.Agent({ keepAlive: true });

  before(async () => {
    v1 = stageFixture('live_stamp_v1');
    proxy = await startLiveProxy({
      listeners: [httpListener('stamped', [{ type: 'live_stamp', config: { label: 'blue' } }])],
      fixtures: { live_stamp_v1: 'live_stamp' },
      // Reloads come from the admin API here, one per broken bundle, so each refusal is its own.
      plugins: { watch: false },
    });
  });

  after(async () => {
    agent.destroy();
    await proxy.close();
    fs.rmSync(path.dirname(v1), { recursive: true, force: true });
  });

  for (const b of BROKEN) {
    it(`${b.what}: refused with the reason (admin API and log), v1 keeps serving`, async () => {
      const dir = path.join(proxy.pluginsDir, 'live_stamp');
      dropPlugin(v1, proxy.pluginsDir, 'live_stamp');
      b.spoil(dir);
      const logBefore = proxy.mosn.logLines().length;

      const res = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST' });
      assert.equal(res.status, 409);
      const answer = (await res.json()) as ReloadAnswer;
      assert.equal(answer.ok, false);
      assert.equal(answer.refused.length, 1);
      assert.match(answer.refused[0].reason, b.reason);

      const report = (await proxy.plugin('live_stamp'))!;
      assert.deepEqual([report.state, report.generation, report.version], ['stale', 1, '1.0.0']);
      assert.match(report.error!, b.reason);
      const logged = proxy.mosn.logLines().slice(logBefore).filter((l) => l.level === 'error' && typeof l.reason === 'string');
      assert.ok(logged.some((l) => b.reason.test(String(l.reason)) && /generation 1 \(1\.0\.0\) keeps serving/.test(String(l.msg))), JSON.stringify(logged));

      const r = await get(proxy.port('stamped'), agent);
      assert.deepEqual([r.status, r.live], [200, 'v1-blue']);
    });
  }

  it('the intact bundle again: nothing to do, and a real v2 then goes live', async () => {
    dropPlugin(v1, proxy.pluginsDir, 'live_stamp');
    const same = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST' });
    assert.equal(same.status, 200);
    const v2 = stageFixture('live_stamp_v2');
    dropPlugin(v2, proxy.pluginsDir, 'live_stamp');
    const res = await fetch(`${proxy.mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST' });
    assert.equal(res.status, 200);
    const report = (await proxy.plugin('live_stamp'))!;
    assert.deepEqual([report.generation, report.version, report.error], [2, '2.0.0', undefined]);
    const r = await get(proxy.port('stamped'), agent);
    assert.deepEqual([r.status, r.live], [200, 'v2-blue']);
    fs.rmSync(path.dirname(v2), { recursive: true, force: true });
  });
});
