import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { ConfigNode } from './config-node';
import { compileGoRegExp, invalidRegexReason } from './go-regexp';
import type { PathMatcher } from './path-matcher';
import { splitPath } from './request-path';
import { SubstitutionTemplate } from './substitution-template';

/** MOSN keeps the path the client sent here when a route rewrites it. */
export const ORIGINAL_PATH_HEADER = 'x-mosn-original-path';

/**
 * A route's prefix_rewrite or regex_rewrite of `:path` (the query string is kept as it is).
 * When both are set, prefix_rewrite wins, as in MOSN.
 */
export class PathRewrite {
  private constructor(
    private readonly prefix: string | undefined,
    private readonly regex: RegExp | undefined,
    private readonly substitution: SubstitutionTemplate | undefined,
  ) {}

  /** Undefined when the route rewrites nothing (or its regex is broken: reported). */
  static fromConfig(route: ConfigNode): PathRewrite | undefined {
    const prefix = route.string('prefix_rewrite') || undefined;
    const regexRewrite = route.object('regex_rewrite');
    if (prefix !== undefined) return new PathRewrite(prefix, undefined, undefined);
    if (!regexRewrite) return undefined;
    const pattern = regexRewrite.object('pattern');
    const source = pattern?.string('regex');
    if (!pattern || !source) {
      if (pattern) pattern.problem('regex', 'is required');
      else regexRewrite.problem('pattern', 'is required');
      return undefined;
    }
    try {
      const regex = compileGoRegExp(source, { global: true });
      return new PathRewrite(undefined, regex, new SubstitutionTemplate(regexRewrite.string('substitution') ?? ''));
    } catch (err) {
      pattern.problem('regex', invalidRegexReason(source, err));
      return undefined;
    }
  }

  /** Rewrites `:path` of a request `matcher` matched; notes the original path when it changes. */
  apply(headers: HeaderMap, matcher: PathMatcher): void {
    const raw = headers.get(':path');
    if (raw === undefined) return;
    const { path, query } = splitPath(raw);
    let rewritten = path;
    if (this.prefix !== undefined) {
      if (!matcher.matches(path)) return;
      rewritten = this.prefix + path.slice(matcher.matchedLength(path));
    } else if (this.regex && this.substitution) {
      rewritten = path.replace(this.regex, this.substitution.replacer);
    }
    if (rewritten === path) return;
    headers.set(ORIGINAL_PATH_HEADER, path);
    headers.set(':path', rewritten + query);
  }
}
