import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { HeaderMatcher } from './header-matcher';
import type { MatchedRoute } from './matched-route';
import type { PathMatcher } from './path-matcher';

/** A route's conditions (path and headers, all must hold) and the route they select. */
export class RouteRule {
  constructor(
    private readonly pathMatcher: PathMatcher,
    private readonly headerMatchers: readonly HeaderMatcher[],
    readonly route: MatchedRoute,
  ) {}

  /** `path` is the request path without the query ('' when the request has no `:path`). */
  matches(headers: HeaderMap, path: string): boolean {
    // A path condition needs a path: MOSN's HTTP rules never match a request without one.
    if (this.pathMatcher.kind !== 'any' && (path === '' || !this.pathMatcher.matches(path))) return false;
    for (const matcher of this.headerMatchers) if (!matcher.matches(headers)) return false;
    return true;
  }
}
