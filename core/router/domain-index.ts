import { splitHostPort } from './authority';

interface Wildcard<T> {
  /** The fixed part: `.a.com` of `*.a.com`, `a.` of `a.*`. */
  text: string;
  /** '' when any port. */
  port: string;
  target: T;
}

/** Where a domain was configured, for duplicate reports. */
export interface DomainSource {
  path: string;
  domain: string;
}

/**
 * Finds the virtual host for a request's `:authority` (compared lowercased; a domain without a
 * port matches any port, `host:port` only that port). Order: exact host with that port, exact
 * host; then suffix wildcards (`*.a.com`, `*a.com`) longest first; then prefix wildcards (`a.*`)
 * longest first (Envoy's order; MOSN has suffix ones only); then `*:port`; then the default `*`.
 * A wildcard stands for at least one character, so `*.a.com` does not match `a.com`.
 */
export class DomainIndex<T> {
  private readonly exact = new Map<string, Map<string, T>>();
  private readonly suffixes: Wildcard<T>[] = [];
  private readonly prefixes: Wildcard<T>[] = [];
  private readonly anyHostByPort = new Map<string, T>();
  private defaultTarget: T | undefined;
  /** Only the default `*` is configured: every authority gets it, no need to look at it. */
  private onlyDefault = true;
  private readonly seen = new Map<string, DomainSource>();

  /** Adds a domain; returns a problem reason (for the domain's path) instead of adding it. */
  add(domain: string, target: T, path: string): string | undefined {
    const { host, port: rawPort } = splitHostPort(domain);
    const port = rawPort === '*' ? '' : rawPort;
    if (host === '') return 'must not be empty';
    if (port !== '' && !/^[0-9]{1,5}$/.test(port)) return `${JSON.stringify(domain)} has an invalid port`;
    const star = host.indexOf('*');
    const kind = star < 0 ? 'exact' : host === '*' ? 'any' : star === 0 && host.lastIndexOf('*') === 0 ? 'suffix' : star === host.length - 1 ? 'prefix' : undefined;
    if (kind === undefined) return `${JSON.stringify(domain)}: a wildcard '*' may only start or end a domain`;
    const key = `${kind}|${host}|${port}`;
    const first = this.seen.get(key);
    if (first) {
      if (kind === 'any' && port === '') return `a second default virtual host ("${domain}"), the first is at ${first.path}`;
      return `duplicate domain ${JSON.stringify(domain)}, already used at ${first.path}`;
    }
    this.seen.set(key, { path, domain });
    if (kind !== 'any' || port !== '') this.onlyDefault = false;
    switch (kind) {
      case 'exact': {
        let byPort = this.exact.get(host);
        if (!byPort) this.exact.set(host, (byPort = new Map()));
        byPort.set(port, target);
        break;
      }
      case 'suffix':
        insertByLength(this.suffixes, { text: host.slice(1), port, target });
        break;
      case 'prefix':
        insertByLength(this.prefixes, { text: host.slice(0, -1), port, target });
        break;
      case 'any':
        if (port === '') this.defaultTarget = target;
        else this.anyHostByPort.set(port, target);
        break;
    }
    return undefined;
  }

  /** Whether only the default `*` is configured (so the authority need not be read). */
  get onlyDefaultDomain(): boolean {
    return this.onlyDefault;
  }

  /** The target for an authority; the default one when the request has none (RPC protocols). */
  find(authority: string | undefined): T | undefined {
    if (!authority || this.onlyDefault) return this.defaultTarget;
    const { host, port } = splitHostPort(authority);
    const byPort = this.exact.get(host);
    if (byPort) {
      const hit = (port !== '' ? byPort.get(port) : undefined) ?? byPort.get('');
      if (hit !== undefined) return hit;
    }
    for (const w of this.suffixes) {
      if (host.length > w.text.length && host.endsWith(w.text) && (w.port === '' || w.port === port)) return w.target;
    }
    for (const w of this.prefixes) {
      if (host.length > w.text.length && host.startsWith(w.text) && (w.port === '' || w.port === port)) return w.target;
    }
    return (port !== '' ? this.anyHostByPort.get(port) : undefined) ?? this.defaultTarget;
  }
}

/** Keeps the list longest first; at equal length a port-specific entry goes first. */
function insertByLength<T>(list: Wildcard<T>[], item: Wildcard<T>): void {
  const rank = (w: Wildcard<T>): number => w.text.length * 2 + (w.port === '' ? 0 : 1);
  const i = list.findIndex((w) => rank(w) < rank(item));
  if (i < 0) list.push(item);
  else list.splice(i, 0, item);
}
