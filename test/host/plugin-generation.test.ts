import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GenerationSet } from '../../core/host/generation-set';
import { writeBuiltPlugin } from './plugin-fixture';
import { hostFixture, stampOf, stampPluginSource, streamFilterProvides } from './reload-fixture';

const g = globalThis as Record<string, unknown>;

/** v<n> of plugin "pinned": stamps x-version, counts its deactivations, holds an interval. */
function pinnedSource(tag: string): string {
  return stampPluginSource(
    'pin',
    tag,
    'ctx.setInterval(() => undefined, 60_000);',
    `deactivate() { const d = (globalThis as Record<string, unknown>).__deactivated as string[]; d.push(${JSON.stringify(tag)}); },`,
  );
}

describe('plugin generations: reference counts', () => {
  it('keeps a superseded generation that is held until its last release, then disposes it', async () => {
    g.__deactivated = [];
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'pinned', provides: [streamFilterProvides('pin')], source: pinnedSource('v1') });
    await f.host.loadAll();
    const v1 = f.host.generation('pinned')!;

    // What the kernel does per connection or stream: pin the generations its chain was built from.
    const pins = GenerationSet.of([f.registry.get('stream_filter', 'pin')]);
    assert.deepEqual(pins.generations, [v1]);
    const releaseConnection = pins.acquire();
    const releaseStream = pins.acquire();
    assert.equal(v1.refCount, 2);

    await writeBuiltPlugin(f.dir, { name: 'pinned', version: '2.0.0', provides: [streamFilterProvides('pin')], source: pinnedSource('v2') });
    assert.equal((await f.host.reload()).ok, true);
    assert.equal(stampOf(f.registry, 'pin'), 'v2', 'new work gets v2 at once');
    assert.equal(v1.state, 'superseded');
    assert.deepEqual(g.__deactivated, [], 'v1 is still held');
    assert.equal(v1.resourceCounts().intervals, 1);
    assert.deepEqual(f.report('pinned').draining, [{ generation: 1, version: '1.0.0', refCount: 2 }]);

    releaseStream();
    releaseStream(); // a release function works once
    assert.equal(v1.refCount, 1);
    assert.equal(v1.state, 'superseded');
    releaseConnection();
    await v1.whenDisposed();
    assert.equal(v1.state, 'disposed');
    assert.deepEqual(g.__deactivated, ['v1']);
    assert.equal(v1.resourceCounts().intervals, 0, 'its interval was closed');
    assert.deepEqual(f.report('pinned').draining, []);
    assert.throws(() => v1.acquire(), /plugin "pinned" generation 1 is disposed and cannot be acquired/);
    await f.host.disposeAll();
    assert.deepEqual(g.__deactivated, ['v1', 'v2']);
    delete g.__deactivated;
  });

  it('a release without an acquire is logged and does not go below zero', async () => {
    g.__deactivated = [];
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'pinned', provides: [streamFilterProvides('pin')], source: pinnedSource('v1') });
    await f.host.loadAll();
    const v1 = f.host.generation('pinned')!;
    v1.release();
    assert.equal(v1.refCount, 0);
    assert.ok(f.logger.records.some((r) => r.level === 'error' && /release\(\) without a matching acquire\(\)/.test(r.msg ?? '')));
    await f.host.disposeAll();
    delete g.__deactivated;
  });

  it('GenerationSet pins nothing when one of its generations is already disposed', async () => {
    g.__deactivated = [];
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'pinned', provides: [streamFilterProvides('pin')], source: pinnedSource('v1') });
    await writeBuiltPlugin(f.dir, { name: 'other', provides: [streamFilterProvides('other')], source: stampPluginSource('other', 'o') });
    await f.host.loadAll();
    const set = GenerationSet.of([f.registry.get('stream_filter', 'other'), f.registry.get('stream_filter', 'pin'), undefined]);
    assert.equal(set.generations.length, 2);
    await f.host.reload(['pinned']);
    const old = set.generations.find((x) => x.name === 'pinned')!;
    await old.whenDisposed();
    assert.throws(() => set.acquire(), /disposed/);
    assert.equal(set.generations.find((x) => x.name === 'other')!.refCount, 0, 'the acquire that succeeded was undone');
    assert.equal(GenerationSet.of([]).acquire()(), undefined);
    await f.host.disposeAll();
    delete g.__deactivated;
  });

  it('disposeAll disposes held generations too (shutdown), with a warning', async () => {
    g.__deactivated = [];
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'pinned', provides: [streamFilterProvides('pin')], source: pinnedSource('v1') });
    await f.host.loadAll();
    const v1 = f.host.generation('pinned')!;
    v1.acquire();
    await f.host.disposeAll();
    assert.equal(v1.state, 'disposed');
    assert.deepEqual(g.__deactivated, ['v1']);
    assert.ok(f.logger.records.some((r) => r.level === 'warn' && /disposed while still held/.test(r.msg ?? '')));
    delete g.__deactivated;
  });
});
