import type { FactoryKind } from '../../plugin-sdk';
import type { ListenerConfig, MosnConfig } from '../config/config-types';
import type { FactoryRegistryView, RegisteredFactory } from './factory-registry';

/** One place in a config that names a factory. */
export interface FactoryUse {
  readonly kind: FactoryKind;
  readonly name: string;
  /** The config block handed to the factory (undefined for protocols, which take none). */
  readonly config: unknown;
  /** JSON path of the block's `type` owner, e.g. `servers[0].listeners[1].stream_filters[0]`. */
  readonly path: string;
}

/** MOSN's default downstream protocol of the `proxy` filter. */
const DEFAULT_PROTOCOL = 'Http1';

/**
 * Every factory the config uses: listener filters, network filters of the first filter chain (the
 * one the kernel runs), stream filters, and the protocols `proxy` filters name.
 */
export function factoryUsesOf(config: MosnConfig): FactoryUse[] {
  const uses: FactoryUse[] = [];
  (config.servers ?? []).forEach((server, i) => {
    (server.listeners ?? []).forEach((listener, j) => uses.push(...listenerFactoryUses(listener, `servers[${i}].listeners[${j}]`)));
  });
  return uses;
}

/** The factories one listener (at JSON path `at`) uses; see {@link factoryUsesOf}. */
export function listenerFactoryUses(listener: ListenerConfig, at: string): FactoryUse[] {
  const uses: FactoryUse[] = [];
  (listener.listener_filters ?? []).forEach((f, k) => uses.push({ kind: 'listener_filter', name: f.type, config: f.config ?? {}, path: `${at}.listener_filters[${k}]` }));
  (listener.filter_chains?.[0]?.filters ?? []).forEach((f, k) => {
    const path = `${at}.filter_chains[0].filters[${k}]`;
    uses.push({ kind: 'network_filter', name: f.type, config: f.config ?? {}, path });
    if (f.type === 'proxy') uses.push(...proxyProtocols(f.config, path));
  });
  (listener.stream_filters ?? []).forEach((f, k) => uses.push({ kind: 'stream_filter', name: f.type, config: f.config ?? {}, path: `${at}.stream_filters[${k}]` }));
  return uses;
}

/** The registered factory a use names (protocols by case-insensitive name, as the proxy resolves them). */
export function factoryOfUse(view: FactoryRegistryView, use: FactoryUse): RegisteredFactory | undefined {
  if (use.kind !== 'protocol') return view.get(use.kind, use.name);
  const lower = use.name.toLowerCase();
  const name = view.names('protocol').find((k) => k.toLowerCase() === lower);
  return name === undefined ? undefined : view.get('protocol', name);
}

/**
 * Problems the config would have with the factories of `view` (e.g. the registry as a reload
 * would leave it): a name no longer registered, or a config block the new schema rejects.
 * Protocol names match case-insensitively, as the proxy resolves them.
 */
export function checkFactoryUses(view: FactoryRegistryView, uses: readonly FactoryUse[]): string[] {
  const problems: string[] = [];
  for (const use of uses) {
    if (use.kind === 'protocol') {
      const known = view.names('protocol');
      if (!known.some((k) => k.toLowerCase() === use.name.toLowerCase())) problems.push(`${use.path}: protocol ${JSON.stringify(use.name)} would no longer be registered`);
      continue;
    }
    const entry = view.get(use.kind, use.name);
    if (!entry) {
      problems.push(`${use.path}.type: ${use.kind} ${JSON.stringify(use.name)} would no longer be registered`);
      continue;
    }
    problems.push(...entry.validateConfig(use.config, `${use.path}.config`));
  }
  return problems;
}

function proxyProtocols(config: unknown, path: string): FactoryUse[] {
  const c = (config ?? {}) as { downstream_protocol?: unknown; upstream_protocol?: unknown; extend_config?: { sub_protocol?: unknown } };
  const sub = typeof c.extend_config?.sub_protocol === 'string' ? c.extend_config.sub_protocol : undefined;
  const resolve = (spelled: unknown): string | undefined => {
    if (typeof spelled !== 'string') return undefined;
    // The legacy "X" protocol defers to extend_config.sub_protocol.
    return spelled.toUpperCase() === 'X' ? sub : spelled;
  };
  const down = resolve(c.downstream_protocol ?? DEFAULT_PROTOCOL);
  const up = resolve(c.upstream_protocol);
  const uses: FactoryUse[] = [];
  if (down) uses.push({ kind: 'protocol', name: down, config: undefined, path: `${path}.config.downstream_protocol` });
  if (up && up !== down) uses.push({ kind: 'protocol', name: up, config: undefined, path: `${path}.config.upstream_protocol` });
  return uses;
}
