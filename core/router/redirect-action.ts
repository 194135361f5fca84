import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { ConfigNode } from './config-node';
import { splitHostPort } from './authority';
import type { PathMatcher } from './path-matcher';
import { splitPath } from './request-path';

export interface RedirectRule {
  /** 301 (default), 302, 303, 307 or 308. */
  readonly responseCode: number;
  readonly schemeRedirect?: string;
  readonly hostRedirect?: string;
  readonly pathRedirect?: string;
  readonly prefixRewrite?: string;
  readonly stripQuery: boolean;
}

const CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};
const ALLOWED_CODES = new Set(Object.values(CODES));
// RFC 3986 section 3.1; MOSN refuses any other scheme.
const SCHEME = /^[a-z][a-z0-9.+-]*$/;

/** A route's `redirect`, or undefined when there is none (or it is broken: reported). */
export function redirectFromConfig(route: ConfigNode): RedirectRule | undefined {
  const node = route.object('redirect');
  if (!node) return undefined;
  const responseCode = readCode(node);
  let scheme = node.string('scheme_redirect')?.toLowerCase() || undefined;
  if (!scheme && node.boolean('https_redirect')) scheme = 'https';
  if (scheme && !SCHEME.test(scheme)) {
    node.problem('scheme_redirect', `${JSON.stringify(scheme)} is not a valid URL scheme`);
    return undefined;
  }
  if (responseCode === undefined) return undefined;
  return Object.freeze({
    responseCode,
    schemeRedirect: scheme,
    hostRedirect: node.string('host_redirect') || undefined,
    pathRedirect: node.string('path_redirect') || undefined,
    prefixRewrite: node.string('prefix_rewrite') || undefined,
    stripQuery: node.boolean('strip_query') ?? false,
  });
}

function readCode(node: ConfigNode): number | undefined {
  const v = node.raw('response_code');
  if (v === undefined || v === 0) return 301;
  const code = typeof v === 'string' ? CODES[v] : v;
  if (typeof code === 'number' && ALLOWED_CODES.has(code)) return code;
  node.problem('response_code', `${JSON.stringify(v)} is not a redirect code (301, 302, 303, 307 or 308)`);
  return undefined;
}

/**
 * The Location of a redirect, as MOSN's proxy builds it: each part the rule sets replaces the
 * request's (scheme from `:scheme`, default http; host from `:authority`); the request's query
 * is kept unless the rule strips it or its path_redirect carries one. When the scheme changes,
 * a port that is the other scheme's default (http on 443, https on 80) is dropped.
 */
export function redirectLocation(rule: RedirectRule, headers: HeaderMap, pathMatcher: PathMatcher): string {
  const currentScheme = (headers.get(':scheme') || 'http').toLowerCase();
  const scheme = rule.schemeRedirect ?? currentScheme;
  let host = rule.hostRedirect ?? headers.get(':authority') ?? '';
  const current = splitPath(headers.get(':path') ?? '/');
  let path = current.path;
  let query = rule.stripQuery ? '' : current.query;
  if (rule.pathRedirect !== undefined) {
    const target = splitPath(rule.pathRedirect);
    path = target.path;
    if (target.query) query = target.query;
  } else if (rule.prefixRewrite !== undefined && pathMatcher.matches(path)) {
    path = rule.prefixRewrite + path.slice(pathMatcher.matchedLength(path));
  }
  if (scheme !== currentScheme) {
    const { port } = splitHostPort(host);
    if ((scheme === 'http' && port === '443') || (scheme === 'https' && port === '80')) host = host.slice(0, host.length - port.length - 1);
  }
  if (!path.startsWith('/')) path = `/${path}`;
  return `${scheme}://${host}${path}${query === '?' ? '' : query}`;
}
