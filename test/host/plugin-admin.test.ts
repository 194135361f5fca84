import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pluginsRoutes } from '../../core/admin/plugins-routes';
import { startAdmin } from '../admin/admin-fixture';
import { REPO_ROOT } from '../support/paths';
import { makePluginsDir, networkFilters, networkFiltersSource, writeBuiltPlugin } from './plugin-fixture';
import { hostFixture, stampOf, stampPluginSource, streamFilterProvides } from './reload-fixture';

const run = promisify(execFile);

/** Runs `mosn ARGS` (the real CLI); resolves with its exit code and output. */
async function mosn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn.js'), ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function fixture() {
  const f = hostFixture();
  await writeBuiltPlugin(f.dir, { name: 'stamper', provides: [streamFilterProvides('stamp')], source: stampPluginSource('stamp', 'v1') });
  await writeBuiltPlugin(f.dir, { name: 'broken', provides: networkFilters('b'), source: networkFiltersSource(['b'], "throw new Error('nope');") });
  await f.host.loadAll();
  f.host.recordCall('stamper', 1200);
  const admin = await startAdmin({ extraRoutes: pluginsRoutes(f.host), metrics: f.metrics });
  return { ...f, admin, address: admin.base.slice('http://'.length) };
}

describe('plugin admin API and `mosn plugin`', { timeout: 60_000 }, () => {
  it('GET /api/v1/plugins lists name, version, generation, state, error, load time, quarantine and counters', async () => {
    const f = await fixture();
    try {
      const res = await fetch(`${f.admin.base}/api/v1/plugins`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const { plugins } = (await res.json()) as { plugins: Record<string, unknown>[] };
      assert.deepEqual(plugins.map((p) => [p.name, p.version, p.generation, p.state, p.quarantined]), [
        ['broken', '1.0.0', undefined, 'refused', false],
        ['stamper', '1.0.0', 1, 'loaded', false],
      ]);
      assert.equal(plugins[0].error, 'plugin "broken": activate failed: Error: nope');
      assert.match(String(plugins[1].loadedAt), /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(plugins[1].counters, { calls: 1, errors: 0, timeNs: 1200, consecutiveErrors: 0 });
      assert.match(await (await fetch(`${f.admin.base}/metrics`)).text(), /^plugin_call_total\{plugin="stamper"\} 1\.0$/m);
    } finally {
      await f.admin.close();
      await f.host.disposeAll();
    }
  });

  it('POST /api/v1/plugins/reload: 200 when committed, 409 with the reasons when refused, 400 for a bad body', async () => {
    const f = await fixture();
    try {
      await writeBuiltPlugin(f.dir, { name: 'stamper', version: '1.1.0', provides: [streamFilterProvides('stamp')], source: stampPluginSource('stamp', 'v2') });
      const ok = await fetch(`${f.admin.base}/api/v1/plugins/reload`, { method: 'POST' });
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as { ok: boolean; changed: { name: string }[]; plugins: unknown[] };
      assert.deepEqual([body.ok, body.changed.map((c) => c.name), body.plugins.length], [true, ['stamper'], 2]);
      assert.equal(stampOf(f.registry, 'stamp'), 'v2');

      const refused = await fetch(`${f.admin.base}/api/v1/plugins/reload`, { method: 'POST', body: JSON.stringify({ names: ['broken'] }) });
      assert.equal(refused.status, 409);
      const r = (await refused.json()) as { ok: boolean; refused: { name: string; reason: string }[] };
      assert.deepEqual(r.refused, [{ name: 'broken', reason: 'plugin "broken": activate failed: Error: nope' }]);

      for (const bad of ['{', '[]', '{"names": "stamper"}', '{"names": [1]}']) {
        const res = await fetch(`${f.admin.base}/api/v1/plugins/reload`, { method: 'POST', body: bad });
        assert.equal(res.status, 400, bad);
      }
      assert.equal((await fetch(`${f.admin.base}/api/v1/plugins/reload`)).status, 405);
    } finally {
      await f.admin.close();
      await f.host.disposeAll();
    }
  });

  it('`mosn plugin list` and `mosn plugin reload [NAME]` talk to the admin API found through the config', async () => {
    const f = await fixture();
    const config = path.join(makePluginsDir(), 'mosn.json');
    fs.writeFileSync(config, JSON.stringify({ admin: { address: f.address } }));
    try {
      const list = await mosn('plugin', 'list', '-c', config);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^NAME\s+VERSION\s+GEN\s+STATE\s+LOADED\s+CALLS\s+ERRORS\s+QUARANTINED$/m);
      assert.match(list.stdout, /^stamper\s+1\.0\.0\s+1\s+loaded\s+\S+\s+1\s+0\s+no$/m);
      assert.match(list.stdout, /^broken: refused: plugin "broken": activate failed: Error: nope$/m);

      const json = await mosn('plugin', 'list', '--admin', f.address, '--json');
      assert.equal((JSON.parse(json.stdout) as { plugins: unknown[] }).plugins.length, 2);

      const nothing = await mosn('plugin', 'reload', '-c', config);
      assert.deepEqual([nothing.code, nothing.stdout.trim()], [0, 'nothing to reload: no plugin changed']);
      const forced = await mosn('plugin', 'reload', 'stamper', '-c', config);
      assert.deepEqual([forced.code, forced.stdout.trim()], [0, 'stamper: 1.0.0 (generation 1) → 1.0.0 (generation 2)']);
      const refused = await mosn('plugin', 'reload', 'broken', '--admin', f.address);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr.trim(), 'reload refused; nothing was committed:\n  broken: plugin "broken": activate failed: Error: nope');

      const usage = await mosn('plugin', 'frobnicate');
      assert.equal(usage.code, 2);
    } finally {
      await f.admin.close();
      await f.host.disposeAll();
    }
    const down = await mosn('plugin', 'list', '--admin', f.address);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the admin API at 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});
