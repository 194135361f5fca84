import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MosnConfig } from '../../core/config/config-types';
import { FactoryRegistry, type RegisteredFactory } from '../../core/host/factory-registry';
import { checkFactoryUses, factoryUsesOf } from '../../core/host/running-config-check';

function entry(kind: RegisteredFactory['kind'], name: string, validate: RegisteredFactory['validateConfig'] = () => []): RegisteredFactory {
  return { kind, name, factory: {}, pluginName: `p_${name}`, pluginVersion: '1.0.0', validateConfig: validate };
}

const CONFIG = {
  servers: [
    {
      listeners: [
        {
          address: '127.0.0.1:1',
          listener_filters: [{ type: 'original_dst' }],
          filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'X', upstream_protocol: 'Http1', router_config_name: 'r', extend_config: { sub_protocol: 'bolt' } } }] }],
          stream_filters: [{ type: 'stamp', config: { value: 3 } }],
        },
      ],
    },
  ],
} as MosnConfig;

describe('the running-config check of a reload', () => {
  it('lists every factory a config names, with its config block and path', () => {
    assert.deepEqual(
      factoryUsesOf(CONFIG).map((u) => [u.kind, u.name, u.path]),
      [
        ['listener_filter', 'original_dst', 'servers[0].listeners[0].listener_filters[0]'],
        ['network_filter', 'proxy', 'servers[0].listeners[0].filter_chains[0].filters[0]'],
        ['protocol', 'bolt', 'servers[0].listeners[0].filter_chains[0].filters[0].config.downstream_protocol'],
        ['protocol', 'Http1', 'servers[0].listeners[0].filter_chains[0].filters[0].config.upstream_protocol'],
        ['stream_filter', 'stamp', 'servers[0].listeners[0].stream_filters[0]'],
      ],
    );
  });

  it('reports names a registry would lack and config blocks its schemas reject', () => {
    const registry = new FactoryRegistry();
    registry.registerAll([
      entry('network_filter', 'proxy'),
      entry('protocol', 'http1'),
      entry('stream_filter', 'stamp', (c, base) => (typeof (c as { value?: unknown }).value === 'string' ? [] : [`${base}.value: must be a string`])),
    ]);
    assert.deepEqual(checkFactoryUses(registry, factoryUsesOf(CONFIG)), [
      'servers[0].listeners[0].listener_filters[0].type: listener_filter "original_dst" would no longer be registered',
      'servers[0].listeners[0].filter_chains[0].filters[0].config.downstream_protocol: protocol "bolt" would no longer be registered',
      'servers[0].listeners[0].stream_filters[0].config.value: must be a string',
    ]);
  });
});
