import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readPluginSetFile, readRegistryIndex, setMemberMismatch, type PluginSetFile, type RegistryIndex } from '../../plugin-sdk/cli/registry-files';
import { readManifestJson } from '../host/plugin-fixture';
import { REPO_ROOT } from '../support/paths';
import { cli, readJson, tempRegistry } from './registry-fixture';

describe('registry index and set locks', () => {
  it('`mosn-plugin index` indexes every built, verified plugin folder, deterministically', async () => {
    const r = tempRegistry();
    const alpha = await r.addPlugin('alpha', '1.2.0');
    await r.addPlugin('beta');
    fs.mkdirSync(path.join(r.plugins, 'unbuilt'));
    fs.writeFileSync(path.join(r.plugins, 'unbuilt', 'plugin.json'), JSON.stringify({ name: 'unbuilt', version: '1.0.0', main: 'dist/index.js', engines: { mosn: '^1.0.0' }, provides: [] }));

    const run = await cli('index', '--registry', r.registry);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(run.out, [`${path.join(r.registry, 'index.json')}: 2 plugin folder(s) indexed: alpha@1.2.0, beta@1.0.0`]);
    assert.match(run.err[0], /^warning: skipped .*unbuilt: plugin "unbuilt": dist\/index\.js does not exist; run `mosn-plugin build`$/);
    const index = readJson<RegistryIndex>(path.join(r.registry, 'index.json'));
    assert.deepEqual(index.plugins.alpha.versions['1.2.0'], {
      sha256: String(readManifestJson(alpha).sha256),
      engines: { mosn: '^1.0.0' },
      main: 'dist/index.js',
      provides: [{ kind: 'network_filter', name: 'alpha_filter' }],
      source: '../plugins/alpha',
    });
    const before = fs.readFileSync(path.join(r.registry, 'index.json'), 'utf8');
    await cli('index', '--registry', r.registry);
    assert.equal(fs.readFileSync(path.join(r.registry, 'index.json'), 'utf8'), before, 'same tree, same bytes');
  });

  it('keeps older versions packed as .tgz, and --lock pins each set member to the highest version in range', async () => {
    const r = tempRegistry();
    const alpha = await r.addPlugin('alpha', '1.0.0');
    fs.mkdirSync(path.join(r.registry, 'packs'));
    assert.equal((await cli('pack', alpha, '--out', path.join(r.registry, 'packs'))).code, 0);
    await cli('index', '--registry', r.registry);
    // Point 1.0.0 at its archive, then release 1.1.0 from the folder.
    const indexFile = path.join(r.registry, 'index.json');
    const index = readJson<RegistryIndex>(indexFile);
    index.plugins.alpha.versions['1.0.0'].source = 'packs/alpha-1.0.0.tgz';
    fs.writeFileSync(indexFile, JSON.stringify(index));
    await r.addPlugin('alpha', '1.1.0');
    await r.addPlugin('beta', '2.0.0');
    r.writeSet('pinned', { alpha: '~1.0.0', beta: '^2.0.0' });
    r.writeSet('latest', { alpha: '^1.0.0' });
    r.writeSet('impossible', { alpha: '^9.0.0' });

    const run = await cli('index', '--registry', r.registry, '--lock');
    assert.equal(run.code, 1, 'a set that cannot be locked fails the command');
    assert.deepEqual(Object.keys(readJson<RegistryIndex>(indexFile).plugins.alpha.versions), ['1.0.0', '1.1.0']);
    assert.deepEqual(run.out.slice(1), ['set latest: locked alpha@1.1.0', 'set pinned: locked alpha@1.0.0, beta@2.0.0']);
    assert.deepEqual(run.err, [`error: set impossible (${path.join(r.registry, 'sets', 'impossible.json')}) not locked: alpha: no version in the index satisfies "^9.0.0"`]);
    const pinned = readPluginSetFile(path.join(r.registry, 'sets', 'pinned.json'));
    assert.equal(pinned.lock.alpha.version, '1.0.0');
    assert.equal(pinned.lock.alpha.sha256, readJson<RegistryIndex>(indexFile).plugins.alpha.versions['1.0.0'].sha256);
    assert.equal(readJson(path.join(r.registry, 'sets', 'impossible.json')).lock, undefined, 'left unchanged');
  });

  it("the repository's registry: index.json and sets name only plugins that exist in plugins/", (t) => {
    const registry = path.join(REPO_ROOT, 'registry');
    const index = readRegistryIndex(path.join(registry, 'index.json'));
    const sets = fs.readdirSync(path.join(registry, 'sets')).filter((f) => f.endsWith('.json'));
    assert.deepEqual(sets.sort(), ['default.json', 'rpc.json']);
    const byName = new Map<string, PluginSetFile>(sets.map((f) => [f.replace(/\.json$/, ''), readPluginSetFile(path.join(registry, 'sets', f))]));
    assert.deepEqual(Object.keys(byName.get('default')!.plugins).sort(), ['direct_response', 'http1', 'http2', 'tcp_proxy']);
    assert.deepEqual(Object.keys(byName.get('rpc')!.plugins).sort(), ['bolt', 'direct_response', 'dubbo', 'http1', 'http2', 'tcp_proxy']);
    for (const [name, set] of byName) {
      for (const member of Object.keys(set.plugins)) {
        const dir = path.join(REPO_ROOT, 'plugins', member);
        assert.ok(fs.existsSync(path.join(dir, 'plugin.json')), `set ${name} names ${member}, which is not in plugins/`);
        assert.ok(index.plugins[member]?.versions[set.lock[member].version], `${member}@${set.lock[member].version} is in the index`);
        // Plugins change under active development; a stale lock is reported, not failed here.
        const m = readManifestJson(dir);
        const mismatch = setMemberMismatch(set, { name: member, version: String(m.version), sha256: String(m.sha256) });
        if (mismatch) t.diagnostic(`${mismatch} (run \`mosn-plugin index --lock\` after rebuilding plugins)`);
      }
      for (const planned of Object.keys(set.planned ?? {})) assert.ok(!fs.existsSync(path.join(REPO_ROOT, 'plugins', planned)), `${planned} exists now: move it from planned to plugins`);
    }
  });
});
