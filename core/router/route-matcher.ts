import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import { ConfigNode } from './config-node';
import { DomainIndex } from './domain-index';
import { HeaderMutation } from './header-mutation';
import type { MatchedRoute } from './matched-route';
import { buildRouteRule, objectOrEmpty } from './route-builder';
import type { RouteRule } from './route-rule';
import { VirtualHost } from './virtual-host';

/**
 * One router config (`routers[i]`, named by router_config_name): picks the virtual host by
 * `:authority`, then the first matching route in it. Built once; matching allocates nothing
 * but the path split.
 */
export class RouteMatcher {
  private constructor(
    readonly name: string,
    readonly virtualHosts: readonly VirtualHost[],
    private readonly domains: DomainIndex<VirtualHost>,
  ) {
    Object.freeze(this);
  }

  /** Builds a router from its config node, reporting problems into the node's list. */
  static fromConfig(node: ConfigNode, name: string): RouteMatcher {
    const routerRequestHeaders = HeaderMutation.fromConfig([node], 'request');
    const routerResponseHeaders = HeaderMutation.fromConfig([node], 'response');
    const domains = new DomainIndex<VirtualHost>();
    const virtualHosts: VirtualHost[] = [];
    node.objects('virtual_hosts').forEach((vh, i) => {
      const vhName = vh.string('name') || `virtual_hosts[${i}]`;
      const scope = {
        virtualHostName: vhName,
        virtualHostPerFilterConfig: Object.freeze({ ...objectOrEmpty(vh, 'per_filter_config') }),
        virtualHostRequestHeaders: HeaderMutation.fromConfig([vh], 'request'),
        virtualHostResponseHeaders: HeaderMutation.fromConfig([vh], 'response'),
        routerRequestHeaders,
        routerResponseHeaders,
      };
      const rules: RouteRule[] = [];
      vh.objects('routers').forEach((route, j) => {
        const rule = buildRouteRule(route, j, scope);
        if (rule) rules.push(rule);
      });
      const domainList = vh.strings('domains');
      const virtualHost = new VirtualHost(vhName, Object.freeze(domainList), Object.freeze(rules));
      virtualHosts.push(virtualHost);
      domainList.forEach((domain, k) => {
        const path = `${vh.at('domains')}[${k}]`;
        const problem = domains.add(domain, virtualHost, path);
        if (problem) node.problems.push(`${path}: ${problem}`);
      });
    });
    return new RouteMatcher(name, Object.freeze(virtualHosts), domains);
  }

  /** The virtual host for an authority (`host[:port]`), or undefined when none serves it. */
  selectVirtualHost(authority: string | undefined): VirtualHost | undefined {
    return this.domains.find(authority);
  }

  /** The route for a request, or undefined (no virtual host for its authority, or no route). */
  match(headers: HeaderMap): MatchedRoute | undefined {
    const domains = this.domains;
    return domains.find(domains.onlyDefaultDomain ? undefined : headers.get(':authority'))?.match(headers);
  }
}
