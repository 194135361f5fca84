import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import { compileGoRegExp, invalidRegexReason } from './go-regexp';
import type { ConfigNode } from './config-node';

/**
 * One `match.headers[]` condition, compiled once. The request's first value of the header is
 * compared; a missing header never matches. A regex must match the whole value (as the path
 * regex does; MOSN's Go matcher finds a substring, Envoy's matches the whole value).
 */
export class HeaderMatcher {
  private constructor(
    private readonly name: string,
    private readonly exact: string | undefined,
    private readonly regex: RegExp | undefined,
  ) {}

  /** Undefined after reporting a problem (no name, bad regex). */
  static fromConfig(node: ConfigNode): HeaderMatcher | undefined {
    const configured = node.string('name');
    const value = node.string('value');
    const isRegex = node.boolean('regex') ?? false;
    if (!configured) {
      node.problem('name', 'is required');
      return undefined;
    }
    // MOSN routes the "method" condition to the request method (HTTP's :method; see matches()).
    const name = configured.toLowerCase() === 'method' ? ':method' : configured;
    if (!isRegex) return new HeaderMatcher(name, value, undefined);
    try {
      return new HeaderMatcher(name, undefined, compileGoRegExp(value ?? '', { anchored: true }));
    } catch (err) {
      node.problem('value', invalidRegexReason(value ?? '', err));
      return undefined;
    }
  }

  matches(headers: HeaderMap): boolean {
    let value = headers.get(this.name);
    // RPC requests (dubbo) carry no :method; their method is the plain `method` header.
    if (value === undefined && this.name === ':method') value = headers.get('method');
    if (value === undefined) return false;
    if (this.regex) return this.regex.test(value);
    // No value configured: the header only has to be present.
    return this.exact === undefined || value === this.exact;
  }
}
