import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FactoryKind } from '../../plugin-sdk';
import { FactoryRegistry, type RegisteredFactory } from '../../core/host/factory-registry';

function entry(kind: FactoryKind, name: string, pluginName = 'p'): RegisteredFactory {
  return { kind, name, factory: { name }, pluginName, pluginVersion: '1.0.0', validateConfig: () => [] };
}

describe('FactoryRegistry', () => {
  it('keeps one map per kind', () => {
    const registry = new FactoryRegistry();
    registry.registerAll([entry('network_filter', 'b'), entry('network_filter', 'a'), entry('listener_filter', 'a'), entry('protocol', 'http1')]);
    assert.deepEqual(registry.names('network_filter'), ['a', 'b']);
    assert.deepEqual(registry.names('listener_filter'), ['a']);
    assert.deepEqual(registry.names('stream_filter'), []);
    assert.equal(registry.get('listener_filter', 'a')?.kind, 'listener_filter');
    assert.equal(registry.get('stream_filter', 'a'), undefined);
    assert.deepEqual(
      registry.all().map((e) => `${e.kind}/${e.name}`),
      ['protocol/http1', 'network_filter/a', 'network_filter/b', 'listener_filter/a'],
    );
  });

  it('never overwrites: a taken name throws and names its owner', () => {
    const registry = new FactoryRegistry();
    const original = entry('network_filter', 'x', 'first');
    registry.register(original);
    assert.throws(() => registry.register(entry('network_filter', 'x', 'second')), {
      message: 'network_filter "x" is already registered by plugin "first"',
    });
    assert.equal(registry.get('network_filter', 'x'), original);
  });

  it('registerAll is all or nothing', () => {
    const registry = new FactoryRegistry();
    registry.register(entry('network_filter', 'taken', 'first'));
    assert.throws(() => registry.registerAll([entry('network_filter', 'fresh', 'second'), entry('network_filter', 'taken', 'second')]), /already registered by plugin "first"/);
    assert.equal(registry.get('network_filter', 'fresh'), undefined);
    assert.throws(() => registry.registerAll([entry('protocol', 'twice', 'third'), entry('protocol', 'twice', 'third')]), /already registered by plugin "third"/);
    assert.equal(registry.get('protocol', 'twice'), undefined);
  });

  it('unregisterPlugin removes exactly that plugin’s factories', () => {
    const registry = new FactoryRegistry();
    registry.registerAll([entry('network_filter', 'a', 'one'), entry('protocol', 'b', 'one'), entry('network_filter', 'c', 'two')]);
    assert.deepEqual(registry.unregisterPlugin('one').map((e) => e.name).sort(), ['a', 'b']);
    assert.deepEqual(registry.all().map((e) => e.name), ['c']);
    registry.register(entry('network_filter', 'a', 'three'));
    assert.equal(registry.get('network_filter', 'a')?.pluginName, 'three');
  });
});
