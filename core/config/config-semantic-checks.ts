import { formatAddress, parseAddress } from './address';

/*
 * Checks that need the whole config rather than one field, and no plugin knowledge: names and
 * listen addresses that must be unique. The config may have failed the schema too, so every
 * field is type-checked before use (all problems are reported together).
 */

interface Located {
  path: string;
  value: string;
}

export function semanticProblems(config: unknown): string[] {
  return [
    ...duplicates(listenerFields(config, 'name'), 'listener name'),
    ...duplicates(listenerAddresses(config), 'listener address'),
    ...duplicates(clusterNames(config), 'cluster name'),
    ...listenerFilterPolicies(config),
  ];
}

/** failure_policy answers a stream or network filter's throw; a listener filter's throw always closes the socket. */
function listenerFilterPolicies(config: unknown): string[] {
  const problems: string[] = [];
  for (const { path, listener } of listeners(config)) {
    arrayAt(listener, 'listener_filters').forEach((f, i) => {
      if (isObject(f) && f.failure_policy !== undefined) problems.push(`${path}.listener_filters[${i}].failure_policy: applies to stream_filters and network filters only (a listener filter that throws closes the socket)`);
    });
  }
  return problems;
}

function duplicates(items: Located[], what: string): string[] {
  const firstAt = new Map<string, string>();
  const problems: string[] = [];
  for (const item of items) {
    const first = firstAt.get(item.value);
    if (first === undefined) firstAt.set(item.value, item.path);
    else problems.push(`${item.path}: duplicate ${what} ${JSON.stringify(item.value)}, already used at ${first}`);
  }
  return problems;
}

function listenerFields(config: unknown, field: string): Located[] {
  const found: Located[] = [];
  for (const { path, listener } of listeners(config)) {
    const value = listener[field];
    if (typeof value === 'string' && value !== '') found.push({ path: `${path}.${field}`, value });
  }
  return found;
}

/** Addresses compared in canonical form, so `unix:/a` and a unix listener's `/a` collide. */
function listenerAddresses(config: unknown): Located[] {
  const found: Located[] = [];
  for (const { path, listener } of listeners(config)) {
    const address = listener.address;
    if (typeof address !== 'string' || address === '') continue;
    const isUnix = listener.network === 'unix' && !address.startsWith('unix:');
    const parsed = isUnix ? { kind: 'unix' as const, path: address } : parseAddress(address);
    // Port 0 asks the OS for a free port each time, so two such listeners never collide.
    if (parsed && !(parsed.kind === 'tcp' && parsed.port === 0)) found.push({ path: `${path}.address`, value: formatAddress(parsed) });
  }
  return found;
}

function clusterNames(config: unknown): Located[] {
  const found: Located[] = [];
  const clusters = arrayAt(objectAt(config, 'cluster_manager'), 'clusters');
  clusters.forEach((cluster, i) => {
    const name = isObject(cluster) ? cluster.name : undefined;
    if (typeof name === 'string' && name !== '') found.push({ path: `cluster_manager.clusters[${i}].name`, value: name });
  });
  return found;
}

function listeners(config: unknown): { path: string; listener: Record<string, unknown> }[] {
  const found: { path: string; listener: Record<string, unknown> }[] = [];
  arrayAt(config, 'servers').forEach((server, s) => {
    arrayAt(server, 'listeners').forEach((listener, l) => {
      if (isObject(listener)) found.push({ path: `servers[${s}].listeners[${l}]`, listener });
    });
  });
  return found;
}

function objectAt(parent: unknown, key: string): Record<string, unknown> | undefined {
  const value = isObject(parent) ? parent[key] : undefined;
  return isObject(value) ? value : undefined;
}

function arrayAt(parent: unknown, key: string): unknown[] {
  const value = isObject(parent) ? parent[key] : undefined;
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
