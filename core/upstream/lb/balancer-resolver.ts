import type { Logger } from '../../../plugin-sdk';
import { ConfigError } from '../../../plugin-sdk';
import type { LoadBalancerFactory as SdkLoadBalancerFactory } from '../../../plugin-sdk/api/load-balancer';
import { joinPath } from '../../../plugin-sdk/schema/schema-errors';
import type { ClusterConfig } from '../../config/config-types';
import type { FactoryRegistryView } from '../../host/factory-registry';
import type { HostSet } from '../host-set';
import { BUILTIN_LOAD_BALANCERS, DEFAULT_LB_TYPE, REFUSED_LOAD_BALANCERS } from './builtin-balancers';
import type { LoadBalancer } from './load-balancer';
import { PluginBalancer } from './plugin-balancer';

/** Makes a cluster's balancer once its host set exists; throws ConfigError (path under lbconfig). */
export type BalancerMaker = (hostSet: HostSet) => LoadBalancer;

/**
 * Finds what builds the balancer a cluster's `lb_type` names: the kernel's built-ins first (a
 * plugin cannot replace them), then load balancers registered by plugins (whose configSchema then
 * checks the cluster's `lbconfig`). An unknown or refused lb_type is a problem line naming
 * `<path>.lb_type` and what exists.
 */
export function findLoadBalancer(
  config: ClusterConfig,
  path: string,
  plugins: FactoryRegistryView | undefined,
  logger: Logger,
  problems: string[],
): BalancerMaker | undefined {
  const lbType = config.lb_type ?? DEFAULT_LB_TYPE;
  const builtin = BUILTIN_LOAD_BALANCERS.get(lbType);
  if (builtin) return (hostSet) => builtin(hostSet, config);
  const refused = REFUSED_LOAD_BALANCERS.get(lbType);
  if (refused) {
    problems.push(`${path}.lb_type: ${JSON.stringify(lbType)} is not supported: ${refused}`);
    return undefined;
  }
  const entry = plugins?.get('load_balancer', lbType);
  if (!entry || BUILTIN_LOAD_BALANCERS.has(entry.name)) {
    const fromPlugins = (plugins?.names('load_balancer') ?? []).filter((n) => !BUILTIN_LOAD_BALANCERS.has(n) && !REFUSED_LOAD_BALANCERS.has(n));
    problems.push(
      `${path}.lb_type: unknown lb_type ${JSON.stringify(lbType)} (built in: ${[...BUILTIN_LOAD_BALANCERS.keys()].join(', ')}; ` +
        `from plugins: ${fromPlugins.length > 0 ? fromPlugins.join(', ') : 'none'})`,
    );
    return undefined;
  }
  const lbConfig = config.lbconfig ?? {};
  const invalid = entry.validateConfig(lbConfig, `${path}.lbconfig`);
  if (invalid.length > 0) {
    problems.push(...invalid);
    return undefined;
  }
  const factory = entry.factory as SdkLoadBalancerFactory;
  const cluster = deepFreeze(structuredClone(config));
  return (hostSet) => {
    let inner;
    try {
      inner = factory.createLoadBalancer(hostSet, { clusterName: config.name, lbType, config: deepFreeze(structuredClone(lbConfig)), cluster });
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(joinPath(`${path}.lbconfig`, err.path), err.reason);
      throw new ConfigError(`${path}.lb_type`, `plugin ${JSON.stringify(entry.pluginName)} failed to build its load balancer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!inner || typeof inner.chooseHost !== 'function') {
      throw new ConfigError(`${path}.lb_type`, `plugin ${JSON.stringify(entry.pluginName)} returned a load balancer without chooseHost`);
    }
    return new PluginBalancer(inner, hostSet, entry.pluginName, lbType, logger.child({ cluster: config.name }));
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
