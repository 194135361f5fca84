import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PluginSetError } from '../../core/host/plugin-set';
import { REPO_ROOT } from '../support/paths';
import { copyRepoPlugin } from '../support/plugin-dirs';
import { networkFilters, networkFiltersSource, readManifestJson, writeBuiltPlugin } from '../host/plugin-fixture';
import { hostFixture } from '../host/reload-fixture';
import { cli, tempRegistry } from './registry-fixture';

/** A registry whose set "core" (alpha ^1, beta ^1) is locked to the plugins folder, plus an extra plugin. */
async function lockedSet() {
  const r = tempRegistry();
  await r.addPlugin('alpha');
  await r.addPlugin('beta');
  await r.addPlugin('extra');
  r.writeSet('core', { alpha: '^1.0.0', beta: '^1.0.0' });
  const locked = await cli('index', '--registry', r.registry, '--lock');
  assert.equal(locked.code, 0, locked.err.join('\n'));
  return { ...r, setsDir: path.join(r.registry, 'sets') };
}

describe('plugin sets in the host', () => {
  it('loads only the members of the set', async () => {
    const r = await lockedSet();
    const f = hostFixture({ set: 'core', setsDir: r.setsDir }, r.plugins);
    const reports = await f.host.loadAll();
    assert.deepEqual(reports.map((p) => [p.name, p.state]), [['alpha', 'loaded'], ['beta', 'loaded']]);
    assert.equal(f.registry.get('network_filter', 'extra_filter'), undefined);
    assert.ok(f.logger.records.some((l) => l.msg === 'plugin folders outside set "core" not loaded' && JSON.stringify(l.fields.skipped) === '["extra"]'));
    await f.host.disposeAll();
  });

  it('refuses a set that names a missing plugin, or one whose version or bundle is not the locked one', async () => {
    const r = await lockedSet();
    fs.rmSync(path.join(r.plugins, 'beta'), { recursive: true });
    await r.addPlugin('alpha', '1.0.1');
    const f = hostFixture({ set: 'core', setsDir: r.setsDir }, r.plugins);
    const err = await f.host.loadAll().then(
      () => assert.fail('loadAll should reject'),
      (e: unknown) => e as PluginSetError,
    );
    assert.ok(err instanceof PluginSetError);
    assert.deepEqual(err.problems, ['set "core" plugin "alpha": locked at 1.0.0 but the folder has 1.0.1', `set "core" names plugin "beta", which is not in ${r.plugins}`]);
    assert.equal(err.message, `plugin set "core" refused: ${err.problems.join('; ')}`);
    assert.deepEqual(f.registry.all(), [], 'nothing of a refused set loads');
    assert.ok(f.logger.records.some((l) => l.level === 'error' && l.msg === err.message));

    // Same version, other bytes: the lock's sha256 catches it.
    const s = await lockedSet();
    await writeBuiltPlugin(s.plugins, { name: 'beta', provides: networkFilters('beta_filter'), source: networkFiltersSource(['beta_filter'], "(globalThis as Record<string, unknown>).rebuilt = true;") });
    const g = hostFixture({ set: 'core', setsDir: s.setsDir }, s.plugins);
    await assert.rejects(g.host.loadAll(), /set "core" plugin "beta": bundle sha256 [0-9a-f]{64} does not match the lock \([0-9a-f]{64}\)/);
    await assert.rejects(hostFixture({ set: 'nope', setsDir: s.setsDir }, s.plugins).host.loadAll(), /plugin set "nope" refused: plugin set .*nope\.json does not exist/);
  });

  it('on reload, refuses a member whose new files do not match the lock; re-locking lets it in', async () => {
    const r = await lockedSet();
    const f = hostFixture({ set: 'core', setsDir: r.setsDir }, r.plugins);
    await f.host.loadAll();
    await r.addPlugin('alpha', '1.1.0');
    const refused = await f.host.reload();
    assert.equal(refused.ok, false);
    assert.deepEqual(refused.refused, [{ name: 'alpha', reason: 'set "core" plugin "alpha": locked at 1.0.0 but the folder has 1.1.0' }]);
    assert.deepEqual([f.host.list()[0].state, f.host.list()[0].version], ['stale', '1.0.0']);

    assert.equal((await cli('index', '--registry', r.registry, '--lock')).code, 0);
    const accepted = await f.host.reload();
    assert.equal(accepted.ok, true, JSON.stringify(accepted.refused));
    assert.equal(f.host.list()[0].version, '1.1.0');
    await f.host.disposeAll();
  });

  it('the real default set, locked against copies of the first-party plugins, loads http1, http2, tcp_proxy and direct_response', async () => {
    const r = tempRegistry();
    for (const name of ['http1', 'http2', 'tcp_proxy', 'direct_response', 'bolt']) copyRepoPlugin(name, r.plugins);
    fs.copyFileSync(path.join(REPO_ROOT, 'registry', 'sets', 'default.json'), path.join(r.registry, 'sets', 'default.json'));
    assert.equal((await cli('index', '--registry', r.registry, '--lock')).code, 0);
    const f = hostFixture({ set: 'default', setsDir: path.join(r.registry, 'sets') }, r.plugins);
    const reports = await f.host.loadAll();
    assert.deepEqual(reports.map((p) => [p.name, p.state, p.error]), [
      ['direct_response', 'loaded', undefined],
      ['http1', 'loaded', undefined],
      ['http2', 'loaded', undefined],
      ['tcp_proxy', 'loaded', undefined],
    ]);
    assert.equal(readManifestJson(path.join(r.plugins, 'bolt')).name, 'bolt', 'bolt is there but not in the set');
    await f.host.disposeAll();
  });
});
