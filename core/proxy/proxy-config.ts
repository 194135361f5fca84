import { ConfigError } from '../../plugin-sdk';
import type { ProtocolFactory } from '../../plugin-sdk';
import type { FactoryRegistry } from '../host/factory-registry';

/** The `proxy` network filter's config block, as MOSN writes it. */
export interface ProxyConfigInput {
  name?: string;
  downstream_protocol?: string;
  upstream_protocol?: string;
  router_config_name?: string;
  /** Legacy `X` protocol: `{ sub_protocol: "bolt" }` names the real one. */
  extend_config?: { sub_protocol?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export const PROXY_CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    downstream_protocol: { type: 'string', minLength: 1 },
    upstream_protocol: { type: 'string', minLength: 1 },
    router_config_name: { type: 'string', minLength: 1 },
    extend_config: { type: 'object', properties: { sub_protocol: { type: 'string' } } },
  },
  required: ['router_config_name'],
};

/** A protocol resolved from the registry, with the name configs use for it. */
export interface ResolvedProtocol {
  readonly name: string;
  readonly factory: ProtocolFactory;
}

/**
 * Finds the registered protocol a config names. MOSN spells names with varying case ("Http1",
 * "HTTP1", "bolt"); the legacy "X" defers to extend_config.sub_protocol.
 */
export function resolveProtocol(registry: FactoryRegistry, spelled: string, subProtocol: string | undefined, field: string): ResolvedProtocol {
  let name = spelled;
  if (name.toUpperCase() === 'X') {
    if (!subProtocol) throw new ConfigError(field, 'protocol "X" needs extend_config.sub_protocol');
    name = subProtocol;
  }
  const known = registry.names('protocol');
  const exact = known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === name.toLowerCase());
  if (!exact) {
    throw new ConfigError(field, `unknown protocol ${JSON.stringify(name)} (registered: ${known.length ? known.join(', ') : 'none'})`);
  }
  return { name: exact, factory: registry.get('protocol', exact)!.factory as ProtocolFactory };
}
