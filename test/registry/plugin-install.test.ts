import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PLUGIN_API_VERSION } from '../../plugin-sdk';
import type { RegistryIndex } from '../../plugin-sdk/cli/registry-files';
import { makePluginsDir, readManifestJson } from '../host/plugin-fixture';
import { hostFixture } from '../host/reload-fixture';
import { cli, readJson, tempRegistry } from './registry-fixture';

/** A registry with alpha 1.0.0 (packed .tgz), alpha 1.1.0 and beta 2.0.0 (folders), and set "duo". */
async function populated() {
  const r = tempRegistry();
  const alpha = await r.addPlugin('alpha', '1.0.0');
  fs.mkdirSync(path.join(r.registry, 'packs'));
  await cli('pack', alpha, '--out', path.join(r.registry, 'packs'));
  await cli('index', '--registry', r.registry);
  const indexFile = path.join(r.registry, 'index.json');
  const index = readJson<RegistryIndex>(indexFile);
  index.plugins.alpha.versions['1.0.0'].source = 'packs/alpha-1.0.0.tgz';
  fs.writeFileSync(indexFile, JSON.stringify(index));
  await r.addPlugin('alpha', '1.1.0');
  await r.addPlugin('beta', '2.0.0');
  r.writeSet('duo', { alpha: '~1.0.0', beta: '^2.0.0' });
  const locked = await cli('index', '--registry', r.registry, '--lock');
  assert.equal(locked.code, 0, locked.err.join('\n'));
  return r;
}

describe('mosn-plugin install', () => {
  it('installs NAME and NAME@RANGE from the index (folder or packed source); the result loads in the kernel', async () => {
    const r = await populated();
    const target = makePluginsDir();
    const latest = await cli('install', 'beta', '--dir', target, '--registry', r.registry);
    assert.equal(latest.code, 0, latest.err.join('\n'));
    assert.match(latest.out[0], new RegExp(`^installed beta@2\\.0\\.0 → ${path.join(target, 'beta')} \\(sha256 [0-9a-f]{12}\\)$`));
    const old = await cli('install', 'alpha@~1.0.0', '--dir', target, '--registry', r.registry);
    assert.equal(old.code, 0, old.err.join('\n'));
    assert.equal(readManifestJson(path.join(target, 'alpha')).version, '1.0.0', 'from the archive');
    assert.deepEqual(fs.readdirSync(path.join(target, 'alpha')).sort(), ['dist', 'plugin.json'], 'only distributable files');

    // Upgrading in place replaces the files (plugin.json last).
    assert.equal((await cli('install', 'alpha', '--dir', target, '--registry', r.registry)).code, 0);
    assert.equal(readManifestJson(path.join(target, 'alpha')).version, '1.1.0');

    const f = hostFixture({}, target);
    const reports = await f.host.loadAll();
    assert.deepEqual(reports.map((p) => [p.name, p.version, p.state]), [['alpha', '1.1.0', 'loaded'], ['beta', '2.0.0', 'loaded']]);
    await f.host.disposeAll();
  });

  it('installs a set at its locked versions', async () => {
    const r = await populated();
    const target = makePluginsDir();
    const run = await cli('install', '--set', 'duo', '--dir', target, '--registry', r.registry);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(run.out.map((l) => l.replace(/ → .*/, '')), ['installed alpha@1.0.0', 'installed beta@2.0.0']);
  });

  it('refuses (installing nothing) an unknown plugin, an unsatisfiable range, a tampered source, a lock the index contradicts', async () => {
    const r = await populated();
    const target = makePluginsDir();
    const unknown = await cli('install', 'gamma', '--dir', target, '--registry', r.registry);
    assert.deepEqual([unknown.code, unknown.err[0]], [1, 'error: the registry index has no plugin "gamma" (it has: alpha, beta)']);
    const range = await cli('install', 'alpha@^2', '--dir', target, '--registry', r.registry);
    assert.deepEqual([range.code, range.err[0]], [1, `error: no version of alpha satisfies "^2" and plugin API ${PLUGIN_API_VERSION} (indexed: 1.0.0, 1.1.0)`]);

    fs.appendFileSync(path.join(r.plugins, 'beta', 'dist', 'index.js'), '// tampered\n');
    const tampered = await cli('install', 'alpha', 'beta', '--dir', target, '--registry', r.registry);
    assert.equal(tampered.code, 1);
    assert.match(tampered.err[0], /plugin "beta": dist\/index\.js does not match the sha256 in plugin\.json/);
    assert.deepEqual(fs.readdirSync(target), [], 'alpha was verified but not installed either');

    const setFile = path.join(r.registry, 'sets', 'duo.json');
    const set = readJson<{ lock: Record<string, { sha256: string }> }>(setFile);
    set.lock.alpha.sha256 = 'f'.repeat(64);
    fs.writeFileSync(setFile, JSON.stringify(set));
    const lock = await cli('install', '--set', 'duo', '--dir', target, '--registry', r.registry);
    assert.equal(lock.code, 1);
    assert.match(lock.err[0], /^error: set "duo" cannot be installed: alpha@1\.0\.0: the index has sha256 [0-9a-f]{64}, the lock f{64}$/);

    const usage = await cli('install', 'alpha');
    assert.equal(usage.code, 2);
    assert.match(usage.err[0], /--dir PLUGINS_DIR is required/);
  });
});
