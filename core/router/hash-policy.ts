import type { HeaderMap } from '../../plugin-sdk';
import type { ConfigNode } from './config-node';

/** One `hash_policy[]` entry, for hashing load balancers (LB_MAGLEV). */
export type HashPolicy =
  | { readonly kind: 'header'; readonly key: string }
  | { readonly kind: 'cookie'; readonly name: string; readonly path: string; readonly ttlMs: number }
  | { readonly kind: 'source_ip' };

/**
 * A route's `hash_policy`, in order, as configured. MOSN uses only the first entry (cookie over
 * header when one entry has both) and hashes the source IP when there is none; the balancer
 * applies that rule, this list just carries the config.
 */
export function hashPolicyFromConfig(route: ConfigNode): readonly HashPolicy[] {
  const policies: HashPolicy[] = [];
  for (const entry of route.objects('hash_policy')) {
    const cookie = entry.object('cookie');
    const header = entry.object('header');
    if (cookie) {
      const name = cookie.string('name');
      if (!name) cookie.problem('name', 'is required');
      else policies.push(Object.freeze({ kind: 'cookie', name, path: cookie.string('path') ?? '', ttlMs: cookie.duration('ttl') ?? 0 }));
    } else if (header) {
      const key = header.string('key');
      if (!key) header.problem('key', 'is required');
      else policies.push(Object.freeze({ kind: 'header', key }));
    } else if (entry.has('source_ip')) {
      policies.push(Object.freeze({ kind: 'source_ip' }));
    } else {
      entry.problem('', 'must set one of header, cookie or source_ip');
    }
  }
  return Object.freeze(policies);
}

/**
 * The string a consistent-hash balancer hashes for one request, by MOSN's rule: the first policy
 * only; a header's value, a cookie's value, or the client IP. Undefined when the input is absent.
 */
export function hashInput(policies: readonly HashPolicy[], headers: HeaderMap, clientIp: string): string | undefined {
  const policy = policies[0];
  if (!policy) return undefined;
  switch (policy.kind) {
    case 'header':
      return headers.get(policy.key);
    case 'cookie':
      return cookieValue(headers.getAll('cookie'), policy.name);
    case 'source_ip':
      return clientIp || undefined;
  }
}

function cookieValue(cookieHeaders: readonly string[], name: string): string | undefined {
  for (const header of cookieHeaders) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}
