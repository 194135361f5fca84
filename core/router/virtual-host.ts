import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { MatchedRoute } from './matched-route';
import { requestPath } from './request-path';
import type { RouteRule } from './route-rule';

/** A virtual host: its routes in config order; the first whose conditions hold wins. */
export class VirtualHost {
  constructor(
    readonly name: string,
    readonly domains: readonly string[],
    private readonly rules: readonly RouteRule[],
  ) {
    Object.freeze(this);
  }

  /** Every route, in order (for config dumps and tests). */
  get routes(): readonly MatchedRoute[] {
    return this.rules.map((r) => r.route);
  }

  match(headers: HeaderMap): MatchedRoute | undefined {
    const path = requestPath(headers);
    for (const rule of this.rules) if (rule.matches(headers, path)) return rule.route;
    return undefined;
  }
}
