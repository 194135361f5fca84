import { ConfigNode } from './config-node';
import { RouteMatcher } from './route-matcher';

/**
 * Every router config of a server (`servers[0].routers`), by router_config_name; the proxy
 * filter's `router_config_name` names one. Problems are collected as `path: reason` lines (the
 * caller refuses the config when there are any) instead of thrown, so a user sees them all.
 */
export class RouterTable {
  private constructor(private readonly routers: ReadonlyMap<string, RouteMatcher>) {
    Object.freeze(this);
  }

  static fromConfig(routers: unknown[], problems: string[], basePath = 'servers[0].routers'): RouterTable {
    const byName = new Map<string, RouteMatcher>();
    const firstAt = new Map<string, string>();
    routers.forEach((raw, i) => {
      const node = ConfigNode.of(raw, `${basePath}[${i}]`, problems);
      if (!node) return;
      const name = node.string('router_config_name');
      if (!name) {
        if (!node.has('router_config_name')) node.problem('router_config_name', 'is required');
        else if (name === '') node.problem('router_config_name', 'must not be empty');
        return;
      }
      if (node.has('router_configs')) {
        node.problem('router_configs', 'reading virtual hosts from a directory (MOSN dynamic mode) is not supported; list them in virtual_hosts');
      }
      const first = firstAt.get(name);
      if (first !== undefined) {
        node.problem('router_config_name', `duplicate router_config_name ${JSON.stringify(name)}, already used at ${first}`);
        return;
      }
      firstAt.set(name, node.at('router_config_name'));
      byName.set(name, RouteMatcher.fromConfig(node, name));
    });
    return new RouterTable(byName);
  }

  get(name: string): RouteMatcher | undefined {
    return this.routers.get(name);
  }

  names(): string[] {
    return [...this.routers.keys()];
  }
}
