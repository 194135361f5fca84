import type { LoadBalancerFactory as SdkLoadBalancerFactory } from '../../../plugin-sdk/api/load-balancer';
import type { ClusterConfig } from '../../config/config-types';
import type { FactoryRegistry } from '../../host/factory-registry';
import { HostSet } from '../host-set';
import { BUILTIN_LOAD_BALANCERS, REFUSED_LOAD_BALANCERS } from './builtin-balancers';

/**
 * Enters the kernel's lb_types in the factory registry under the kernel's name, before plugins
 * load: the registry then refuses a plugin that registers one of them (a FactoryConflictError
 * naming the kernel), and lists every lb_type in one place. The cluster manager still builds
 * built-ins from BUILTIN_LOAD_BALANCERS directly.
 */
export function registerBuiltinBalancers(registry: FactoryRegistry, kernelName: string, version: string): void {
  const entries = [...BUILTIN_LOAD_BALANCERS].map(([name, make]) => {
    const factory: SdkLoadBalancerFactory = {
      createLoadBalancer(hosts, context) {
        if (!(hosts instanceof HostSet)) throw new Error(`${name} balances only a kernel host set`);
        return make(hosts, context.cluster as ClusterConfig);
      },
    };
    return { name, factory };
  });
  for (const [name, reason] of REFUSED_LOAD_BALANCERS) {
    const factory: SdkLoadBalancerFactory = {
      createLoadBalancer() {
        throw new Error(`${name} is not supported: ${reason}`);
      },
    };
    entries.push({ name, factory });
  }
  registry.registerAll(
    entries.map(({ name, factory }) => ({ kind: 'load_balancer' as const, name, factory, pluginName: kernelName, pluginVersion: version, validateConfig: () => [] })),
  );
}
