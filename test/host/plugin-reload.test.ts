import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PluginSwapEvent } from '../../core/host/plugin-swap';
import { PLUGIN_API_VERSION } from '../../plugin-sdk';
import { checkFactoryUses } from '../../core/host/running-config-check';
import { networkFilters, networkFiltersSource, readManifestJson, replaceBundle, writeBuiltPlugin } from './plugin-fixture';
import { hostFixture, replyOf, replyPluginSource, stampOf, stampPluginSource, streamFilterProvides } from './reload-fixture';

const STAMP = streamFilterProvides('stamp');

async function writeStamp(dir: string, version: string, tag: string, extra: { activate?: string; module?: string; folder?: string; engines?: { mosn: string } } = {}) {
  return writeBuiltPlugin(
    dir,
    { name: 'stamper', version, provides: [STAMP], source: stampPluginSource('stamp', tag, extra.activate, extra.module), ...(extra.engines ? { engines: extra.engines } : {}) },
    extra.folder,
  );
}

describe('PluginHost.reload: generations', () => {
  it('swaps a stream filter factory in one step: the registry serves v1, then v2', async () => {
    const f = hostFixture();
    await writeStamp(f.dir, '1.0.0', 'v1');
    await f.host.loadAll();
    assert.equal(stampOf(f.registry, 'stamp'), 'v1');
    const v1 = f.host.generation('stamper')!;
    assert.equal(v1.number, 1);
    assert.equal(f.registry.get('stream_filter', 'stamp')?.generation, v1);

    const events: PluginSwapEvent[] = [];
    let seenInListener: string | undefined;
    f.host.onSwap((e) => {
      events.push(e);
      seenInListener = stampOf(f.registry, 'stamp');
    });
    await writeStamp(f.dir, '1.1.0', 'v2');
    const result = await f.host.reload();

    assert.deepEqual(result, { ok: true, changed: [{ name: 'stamper', dir: path.join(f.dir, 'stamper'), from: { version: '1.0.0', generation: 1 }, to: { version: '1.1.0', generation: 2 } }], refused: [] });
    assert.equal(stampOf(f.registry, 'stamp'), 'v2');
    assert.equal(seenInListener, 'v2', 'listeners run after the registry swapped');
    assert.equal(events.length, 1);
    assert.ok(events[0].affects('stream_filter', 'stamp'));
    assert.deepEqual([...events[0].changedFactories], ['stream_filter/stamp']);
    assert.equal(events[0].plugins[0].previous, v1);
    assert.equal(events[0].plugins[0].current, f.host.generation('stamper'));
    const report = f.report('stamper');
    assert.equal(report.state, 'loaded');
    assert.equal(report.version, '1.1.0');
    assert.equal(report.generation, 2);
    assert.equal(report.error, undefined);
    await v1.whenDisposed();
    assert.equal(v1.state, 'disposed', 'nothing held v1, so it is disposed once superseded');
    await f.host.disposeAll();
  });

  it('swaps a network filter factory the same way', async () => {
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'replier', provides: networkFilters('reply'), source: replyPluginSource('reply', 'one') });
    await f.host.loadAll();
    assert.equal(replyOf(f.registry, 'reply'), 'one');
    await writeBuiltPlugin(f.dir, { name: 'replier', version: '2.0.0', provides: networkFilters('reply'), source: replyPluginSource('reply', 'two') });
    const result = await f.host.reload();
    assert.equal(result.ok, true);
    assert.equal(replyOf(f.registry, 'reply'), 'two');
    assert.equal(f.report('replier').generation, 2);
    await f.host.disposeAll();
  });

  it('keeps v1 serving when v2 fails to activate, with the reason in list() and the log', async () => {
    const f = hostFixture();
    await writeStamp(f.dir, '1.0.0', 'v1');
    await f.host.loadAll();
    await writeStamp(f.dir, '1.1.0', 'v2', { activate: "throw new Error('boom in v2');" });
    const result = await f.host.reload();

    assert.equal(result.ok, false);
    assert.deepEqual(result.refused, [{ name: 'stamper', reason: 'plugin "stamper": activate failed: Error: boom in v2' }]);
    assert.equal(stampOf(f.registry, 'stamp'), 'v1');
    const report = f.report('stamper');
    assert.equal(report.state, 'stale');
    assert.equal(report.version, '1.0.0');
    assert.equal(report.generation, 1);
    assert.equal(report.attemptedVersion, '1.1.0');
    assert.equal(report.error, 'plugin "stamper": activate failed: Error: boom in v2');
    assert.ok(report.errorAt instanceof Date);
    const line = f.logger.records.find((r) => r.level === 'error' && r.fields.plugin === 'stamper');
    assert.equal(line?.fields.reason, report.error);
    assert.match(line?.msg ?? '', /generation 1 \(1\.0\.0\) keeps serving/);
    await f.host.disposeAll();
  });

  it('does not rebuild what did not change, nor retry identical refused files; names force a rebuild', async () => {
    const f = hostFixture();
    await writeStamp(f.dir, '1.0.0', 'v1');
    await writeBuiltPlugin(f.dir, { name: 'broken', provides: networkFilters('b'), source: networkFiltersSource(['b'], "throw new Error('never');") });
    await f.host.loadAll();
    const g = globalThis as Record<string, unknown>;
    const evaluated = g.__evaluated;

    assert.deepEqual(await f.host.reload(), { ok: true, changed: [], refused: [] });
    assert.equal(g.__evaluated, evaluated, 'an unchanged plugin is not evaluated again');
    assert.equal(f.report('broken').state, 'refused');

    const forced = await f.host.reload(['stamper']);
    assert.deepEqual(forced.changed.map((c) => [c.name, c.to?.generation]), [['stamper', 2]]);
    const unknown = await f.host.reload(['nope']);
    assert.deepEqual(unknown, { ok: false, changed: [], refused: [{ name: 'nope', reason: `no plugin "nope" in ${f.dir}` }] });
    const retried = await f.host.reload(['broken']);
    assert.equal(retried.ok, false);
    assert.match(retried.refused[0].reason, /activate failed: Error: never/);
    await f.host.disposeAll();
  });

  it('adds a new plugin folder and removes a deleted one', async () => {
    const f = hostFixture();
    await writeStamp(f.dir, '1.0.0', 'v1');
    await f.host.loadAll();
    const events: PluginSwapEvent[] = [];
    f.host.onSwap((e) => events.push(e));

    await writeBuiltPlugin(f.dir, { name: 'replier', provides: networkFilters('reply'), source: replyPluginSource('reply', 'hello') });
    const added = await f.host.reload();
    assert.deepEqual(added.changed.map((c) => [c.name, c.from, c.to]), [['replier', undefined, { version: '1.0.0', generation: 1 }]]);
    assert.equal(replyOf(f.registry, 'reply'), 'hello');

    const old = f.host.generation('stamper')!;
    fs.rmSync(path.join(f.dir, 'stamper'), { recursive: true });
    const removed = await f.host.reload();
    assert.deepEqual(removed.changed.map((c) => [c.name, c.from, c.to]), [['stamper', { version: '1.0.0', generation: 1 }, undefined]]);
    assert.equal(f.registry.get('stream_filter', 'stamp'), undefined);
    assert.equal(events.at(-1)?.plugins[0].current, undefined);
    await old.whenDisposed();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(f.host.list().map((r) => r.name), ['replier'], 'a removed plugin leaves the list once disposed');
    await f.host.disposeAll();
  });

  it('commits several changed plugins all or nothing', async () => {
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'alpha', provides: networkFilters('a'), source: replyPluginSource('a', 'a1') });
    await writeBuiltPlugin(f.dir, { name: 'beta', provides: networkFilters('b'), source: replyPluginSource('b', 'b1') });
    await f.host.loadAll();
    const events: PluginSwapEvent[] = [];
    f.host.onSwap((e) => events.push(e));

    await writeBuiltPlugin(f.dir, { name: 'alpha', version: '2.0.0', provides: networkFilters('a'), source: replyPluginSource('a', 'a2') });
    await writeBuiltPlugin(f.dir, { name: 'beta', version: '2.0.0', provides: networkFilters('b'), source: networkFiltersSource(['b'], "throw new Error('no activate for you');") });
    const refused = await f.host.reload();
    assert.equal(refused.ok, false);
    assert.deepEqual([replyOf(f.registry, 'a'), replyOf(f.registry, 'b')], ['a1', 'b1'], 'neither is committed');
    assert.equal(events.length, 0);
    assert.equal(f.report('alpha').state, 'stale');
    assert.match(f.report('alpha').error ?? '', /^not committed, because the reload is all-or-nothing and another plugin was refused \(beta: /);
    assert.equal(f.report('beta').state, 'stale');
    assert.deepEqual(refused.refused.map((r) => r.name).sort(), ['alpha', 'beta']);

    await writeBuiltPlugin(f.dir, { name: 'beta', version: '2.0.1', provides: networkFilters('b'), source: replyPluginSource('b', 'b2') });
    const committed = await f.host.reload();
    assert.equal(committed.ok, true, JSON.stringify(committed.refused));
    assert.deepEqual([replyOf(f.registry, 'a'), replyOf(f.registry, 'b')], ['a2', 'b2'], 'both at once');
    assert.equal(events.length, 1, 'one swap for the batch');
    assert.deepEqual(events[0].plugins.map((p) => p.name).sort(), ['alpha', 'beta']);
    assert.deepEqual(f.host.list().map((r) => [r.name, r.state, r.generation]), [['alpha', 'loaded', 2], ['beta', 'loaded', 2]]);
    await f.host.disposeAll();
  });

  it('refuses a reload whose factory another plugin owns, and one that makes two plugins share a name', async () => {
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'owner', provides: networkFilters('shared'), source: networkFiltersSource(['shared']) });
    await writeBuiltPlugin(f.dir, { name: 'other', provides: networkFilters('mine'), source: networkFiltersSource(['mine']) });
    await f.host.loadAll();
    await writeBuiltPlugin(f.dir, { name: 'other', version: '2.0.0', provides: networkFilters('mine', 'shared'), source: networkFiltersSource(['mine', 'shared']) });
    const grab = await f.host.reload();
    assert.equal(grab.ok, false);
    assert.deepEqual(grab.refused, [{ name: 'other', reason: 'plugin "other": network_filter "shared" is already registered by plugin "owner"' }]);
    assert.equal(f.registry.get('network_filter', 'shared')?.pluginName, 'owner');

    await writeBuiltPlugin(f.dir, { name: 'owner', provides: networkFilters('x'), source: networkFiltersSource(['x']) }, 'zz-twin');
    const twin = await f.host.reload(['zz-twin']);
    assert.equal(twin.ok, false);
    assert.equal(twin.refused[0].reason, `plugin "owner" is already loaded from ${path.join(f.dir, 'owner')}`);
    await f.host.disposeAll();
  });
});

describe('PluginHost.reload: broken bundles are refused, the previous generation keeps serving', () => {
  const running = [{ kind: 'stream_filter' as const, name: 'stamp', config: { label: 'blue' }, path: 'servers[0].listeners[0].stream_filters[0]' }];
  const cases: { name: string; breakIt(dir: string, pluginDir: string): Promise<void>; reason: RegExp }[] = [
    {
      name: 'syntax error',
      breakIt: async (_dir, pluginDir) => replaceBundle(pluginDir, 'module.exports = {\n  activate() { return 1 + ; },\n};\n'),
      reason: /^plugin "stamper": dist\/index\.js failed to evaluate: SyntaxError: Unexpected token ';' \(at dist\/index\.js:2\)$/,
    },
    {
      name: 'throw in activate',
      breakIt: async (dir) => void (await writeStamp(dir, '1.1.0', 'v2', { activate: "throw new TypeError('bad state');" })),
      reason: /^plugin "stamper": activate failed: TypeError: bad state$/,
    },
    {
      name: 'a schema that rejects the running config',
      breakIt: async (dir) =>
        void (await writeBuiltPlugin(dir, {
          name: 'stamper',
          version: '2.0.0',
          provides: [streamFilterProvides('stamp', { type: 'object', properties: { label: { type: 'integer' } } })],
          source: stampPluginSource('stamp', 'v2'),
        })),
      reason: /^the running config does not accept this reload: servers\[0\]\.listeners\[0\]\.stream_filters\[0\]\.config\.label: must be an integer, got "blue"$/,
    },
    {
      name: 'engines mismatch',
      breakIt: async (dir) => void (await writeStamp(dir, '3.0.0', 'v3', { engines: { mosn: '^3.0.0' } })),
      reason: new RegExp(`^plugin "stamper" requires mosn plugin API "\\^3\\.0\\.0" but this kernel provides ${PLUGIN_API_VERSION.replace(/\./g, '\\.')}$`),
    },
    {
      name: 'sha256 mismatch',
      breakIt: async (_dir, pluginDir) => fs.appendFileSync(path.join(pluginDir, 'dist', 'index.js'), '\n// edited after the build\n'),
      reason: /^plugin "stamper": dist\/index\.js does not match the sha256 in plugin\.json \(expected [0-9a-f]{64}, actual [0-9a-f]{64}\)$/,
    },
    {
      name: 'a half-written bundle',
      breakIt: async (dir, pluginDir) => {
        const next = await writeStamp(path.join(dir, '..'), '1.1.0', 'v2', { folder: `next-${path.basename(dir)}` });
        const bundle = fs.readFileSync(path.join(next, 'dist', 'index.js'));
        fs.copyFileSync(path.join(next, 'plugin.json'), path.join(pluginDir, 'plugin.json'));
        fs.writeFileSync(path.join(pluginDir, 'dist', 'index.js'), bundle.subarray(0, bundle.length >> 1));
      },
      reason: /^plugin "stamper": dist\/index\.js does not match the sha256 in plugin\.json/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const f = hostFixture({ validateRunningConfig: (view) => checkFactoryUses(view, running) });
      const pluginDir = await writeStamp(f.dir, '1.0.0', 'v1');
      await f.host.loadAll();
      await c.breakIt(f.dir, pluginDir);
      const result = await f.host.reload();
      assert.equal(result.ok, false);
      assert.match(result.refused[0]?.reason ?? '', c.reason);
      assert.equal(stampOf(f.registry, 'stamp'), 'v1');
      const report = f.report('stamper');
      assert.deepEqual([report.state, report.version, report.generation], ['stale', '1.0.0', 1]);
      assert.match(report.error ?? '', c.reason);
      assert.ok(f.logger.records.some((r) => r.level === 'error' && c.reason.test(String(r.fields.reason))));
      await f.host.disposeAll();
    });
  }

  it('a half-written bundle goes live once the write completes (the next change retries it)', async () => {
    const f = hostFixture();
    const pluginDir = await writeStamp(f.dir, '1.0.0', 'v1');
    await f.host.loadAll();
    const next = await writeStamp(path.join(f.dir, '..'), '1.1.0', 'v2', { folder: `next-${path.basename(f.dir)}` });
    const bundle = fs.readFileSync(path.join(next, 'dist', 'index.js'));
    fs.copyFileSync(path.join(next, 'plugin.json'), path.join(pluginDir, 'plugin.json'));
    fs.writeFileSync(path.join(pluginDir, 'dist', 'index.js'), bundle.subarray(0, 100));
    assert.equal((await f.host.reload()).ok, false);
    fs.writeFileSync(path.join(pluginDir, 'dist', 'index.js'), bundle);
    const done = await f.host.reload();
    assert.equal(done.ok, true);
    assert.equal(stampOf(f.registry, 'stamp'), 'v2');
    assert.deepEqual([f.report('stamper').state, f.report('stamper').error], ['loaded', undefined]);
    assert.equal(readManifestJson(pluginDir).version, '1.1.0');
    await f.host.disposeAll();
  });

  it('refuses removing a plugin whose factory the running config uses', async () => {
    const f = hostFixture({ validateRunningConfig: (view) => checkFactoryUses(view, running) });
    const pluginDir = await writeStamp(f.dir, '1.0.0', 'v1');
    await f.host.loadAll();
    fs.rmSync(pluginDir, { recursive: true });
    const result = await f.host.reload();
    assert.equal(result.ok, false);
    assert.match(result.refused[0].reason, /stream_filters\[0\]\.type: stream_filter "stamp" would no longer be registered/);
    assert.equal(stampOf(f.registry, 'stamp'), 'v1');
    assert.equal(f.report('stamper').state, 'stale');
    await f.host.disposeAll();
  });
});
