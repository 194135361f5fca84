import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { makePluginsDir, writeBuiltPlugin } from './plugin-fixture';
import { hostFixture, stampOf, stampPluginSource, streamFilterProvides, waitFor } from './reload-fixture';

/** Builds plugin "dropped" v<version> outside the plugins directory, as a user's build would. */
async function buildElsewhere(version: string, tag: string): Promise<string> {
  return writeBuiltPlugin(makePluginsDir(), { name: 'dropped', version, provides: [streamFilterProvides('drop')], source: stampPluginSource('drop', tag) });
}

/** Copies the distributable files (plugin.json last, as an installer would) into `to`. */
function copyPlugin(from: string, to: string): void {
  fs.mkdirSync(path.join(to, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(from, 'dist', 'index.js'), path.join(to, 'dist', 'index.js'));
  fs.copyFileSync(path.join(from, 'plugin.json'), path.join(to, 'plugin.json'));
}

describe('plugins directory watcher', { timeout: 60_000 }, () => {
  it('picks up a new, a changed and a removed bundle within 2 s each', async (t) => {
    const f = hostFixture();
    await f.host.loadAll();
    await f.host.watch();
    try {
      const target = path.join(f.dir, 'dropped');
      const v1 = await buildElsewhere('1.0.0', 'v1');
      copyPlugin(v1, target);
      const added = await waitFor(() => stampOf(f.registry, 'drop') === 'v1', 2000, 'v1 to go live');

      const v2 = await buildElsewhere('2.0.0', 'v2');
      copyPlugin(v2, target);
      const changed = await waitFor(() => stampOf(f.registry, 'drop') === 'v2', 2000, 'v2 to go live');
      assert.equal(f.report('dropped').generation, 2);

      fs.rmSync(target, { recursive: true });
      const removed = await waitFor(() => f.registry.get('stream_filter', 'drop') === undefined, 2000, 'the removal');
      t.diagnostic(`live after: added ${added} ms, changed ${changed} ms, removed ${removed} ms`);
    } finally {
      await f.host.disposeAll();
    }
  });

  it('refuses a half-written bundle with the reason, keeps the running generation, and loads it once complete', async () => {
    const f = hostFixture();
    const target = path.join(f.dir, 'dropped');
    copyPlugin(await buildElsewhere('1.0.0', 'v1'), target);
    await f.host.loadAll();
    await f.host.watch();
    try {
      const v2 = await buildElsewhere('2.0.0', 'v2');
      const bundle = fs.readFileSync(path.join(v2, 'dist', 'index.js'));
      fs.copyFileSync(path.join(v2, 'plugin.json'), path.join(target, 'plugin.json'));
      fs.writeFileSync(path.join(target, 'dist', 'index.js'), bundle.subarray(0, bundle.length >> 1));
      await waitFor(() => f.report('dropped').state === 'stale', 3000, 'the half-written bundle to be refused');
      assert.match(f.report('dropped').error ?? '', /dist\/index\.js does not match the sha256 in plugin\.json/);
      assert.equal(stampOf(f.registry, 'drop'), 'v1');

      fs.writeFileSync(path.join(target, 'dist', 'index.js'), bundle);
      await waitFor(() => stampOf(f.registry, 'drop') === 'v2', 3000, 'v2 once the write completed');
      assert.deepEqual([f.report('dropped').state, f.report('dropped').error], ['loaded', undefined]);
    } finally {
      await f.host.disposeAll();
    }
  });

  it('ignores hidden staging folders and temporary files', async () => {
    const f = hostFixture();
    await f.host.loadAll();
    await f.host.watch();
    try {
      copyPlugin(await buildElsewhere('1.0.0', 'v1'), path.join(f.dir, '.dropped.installing-1'));
      fs.writeFileSync(path.join(f.dir, 'notes.tmp'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.deepEqual(f.host.list(), []);
      assert.equal(f.registry.get('stream_filter', 'drop'), undefined);
    } finally {
      await f.host.disposeAll();
    }
  });
});
