import assert from 'node:assert/strict';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { RouterTable } from '../../core/router/router-table';
import type { RouteMatcher } from '../../core/router/route-matcher';
import type { MatchedRoute } from '../../core/router/matched-route';

/** Builds a table that must have no problems. */
export function tableOf(routers: unknown[]): RouterTable {
  const problems: string[] = [];
  const table = RouterTable.fromConfig(routers, problems);
  assert.deepEqual(problems, []);
  return table;
}

/** One router named "r" with these virtual hosts (plus router-level fields). */
export function routerOf(virtualHosts: unknown[], extra: Record<string, unknown> = {}): RouteMatcher {
  return tableOf([{ router_config_name: 'r', virtual_hosts: virtualHosts, ...extra }]).get('r')!;
}

/** One router, one default virtual host, these routes. */
export function routesOf(routes: unknown[]): RouteMatcher {
  return routerOf([{ name: 'vh', domains: ['*'], routers: routes }]);
}

/** The single route of a default virtual host with this route entry. */
export function onlyRoute(route: Record<string, unknown>): MatchedRoute {
  const matched = routesOf([route]).match(req('/'));
  assert.ok(matched, 'the route matches /');
  return matched;
}

export function req(path: string, headers: Record<string, string> = {}, authority = 'a.com'): HeaderMap {
  return HeaderMap.fromObject({ ':method': 'GET', ':scheme': 'http', ':authority': authority, ':path': path, ...headers });
}

/** The problems of a config. */
export function problemsOf(routers: unknown[]): string[] {
  const problems: string[] = [];
  RouterTable.fromConfig(routers, problems);
  return problems;
}
