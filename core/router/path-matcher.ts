import { compileGoRegExp, invalidRegexReason } from './go-regexp';
import type { ConfigNode } from './config-node';

/**
 * The path condition of a route, compiled once. Paths are compared without the query string.
 * A route with no path condition matches any request, with or without a `:path` (MOSN's RPC
 * routes match on headers such as bolt's `service` only).
 */
export interface PathMatcher {
  readonly kind: 'prefix' | 'path' | 'regex' | 'any';
  matches(path: string): boolean;
  /**
   * How many leading characters of a path this matcher consumed (prefix_rewrite replaces them):
   * the prefix for `prefix`, the whole path for `path` and `regex`, none for `any`.
   */
  matchedLength(path: string): number;
}

export const ANY_PATH: PathMatcher = { kind: 'any', matches: () => true, matchedLength: () => 0 };

/**
 * Builds the matcher of `match` (MOSN's precedence when several are set: prefix, path, regex;
 * an empty string is unset, as in MOSN). Returns undefined after reporting a bad regex.
 */
export function buildPathMatcher(match: ConfigNode | undefined): PathMatcher | undefined {
  if (!match) return ANY_PATH;
  const caseSensitive = match.boolean('case_sensitive') ?? true;
  const prefix = match.string('prefix');
  const exact = match.string('path');
  const regex = match.string('regex');
  if (prefix) return caseSensitive ? new PrefixMatcher(prefix) : new CaseInsensitivePrefixMatcher(prefix);
  if (exact) return caseSensitive ? new ExactMatcher(exact) : new CaseInsensitiveExactMatcher(exact);
  if (regex) {
    try {
      return new RegexMatcher(compileGoRegExp(regex, { anchored: true, ignoreCase: !caseSensitive }));
    } catch (err) {
      match.problem('regex', invalidRegexReason(regex, err));
      return undefined;
    }
  }
  return ANY_PATH;
}

class PrefixMatcher implements PathMatcher {
  readonly kind = 'prefix';
  constructor(private readonly prefix: string) {}
  matches(path: string): boolean {
    return path.startsWith(this.prefix);
  }
  matchedLength(): number {
    return this.prefix.length;
  }
}

class CaseInsensitivePrefixMatcher implements PathMatcher {
  readonly kind = 'prefix';
  private readonly lower: string;
  constructor(prefix: string) {
    this.lower = prefix.toLowerCase();
  }
  matches(path: string): boolean {
    return path.length >= this.lower.length && path.slice(0, this.lower.length).toLowerCase() === this.lower;
  }
  matchedLength(): number {
    return this.lower.length;
  }
}

class ExactMatcher implements PathMatcher {
  readonly kind = 'path';
  constructor(private readonly path: string) {}
  matches(path: string): boolean {
    return path === this.path;
  }
  matchedLength(path: string): number {
    return path.length;
  }
}

class CaseInsensitiveExactMatcher implements PathMatcher {
  readonly kind = 'path';
  private readonly lower: string;
  constructor(path: string) {
    this.lower = path.toLowerCase();
  }
  matches(path: string): boolean {
    return path.length === this.lower.length && path.toLowerCase() === this.lower;
  }
  matchedLength(path: string): number {
    return path.length;
  }
}

class RegexMatcher implements PathMatcher {
  readonly kind = 'regex';
  constructor(private readonly regex: RegExp) {}
  matches(path: string): boolean {
    return this.regex.test(path);
  }
  matchedLength(path: string): number {
    return path.length;
  }
}
