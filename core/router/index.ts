/* The L7 router: MOSN's `routers[]` config compiled into matchers and immutable routes. */
export { RouterTable } from './router-table';
export { RouteMatcher } from './route-matcher';
export { VirtualHost } from './virtual-host';
export { MatchedRoute } from './matched-route';
export { DEFAULT_ROUTE_TIMEOUT_MS } from './route-builder';
export { ORIGINAL_PATH_HEADER } from './path-rewrite';
export type { RetryPolicy } from './retry-policy';
export type { HashPolicy } from './hash-policy';
export type { RedirectRule } from './redirect-action';
export type { DirectResponse } from './direct-response';
export type * from './route-config-types';
