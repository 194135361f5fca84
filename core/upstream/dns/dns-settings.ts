import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseDuration } from '../../../plugin-sdk';
import { parseAddress } from '../../config/address';
import type { ClusterConfig } from '../../config/config-types';

/** MOSN's defaults (pkg/upstream/cluster/strict_dns_cluster.go, pkg/network/dns.go). */
export const DEFAULT_DNS_REFRESH_MS = 5_000;
export const DEFAULT_DNS_PORT = 53;
/** Per-attempt query timeout and attempts when dns_resolvers gives none. */
export const DEFAULT_DNS_TIMEOUT_MS = 2_000;
export const DEFAULT_DNS_ATTEMPTS = 2;

export type DnsLookupFamily = 'V4_ONLY' | 'V6_ONLY' | 'ALL';

/** A configured host whose name is resolved: every address found becomes a host on `port`. */
export interface DnsTarget {
  readonly name: string;
  readonly port: number;
  readonly weight: number;
  /** The host's hostname: the config's, else the DNS name. */
  readonly hostname: string;
}

/** A STRICT_DNS cluster's resolution settings, checked. */
export interface DnsSettings {
  readonly refreshMs: number;
  readonly respectTtl: boolean;
  readonly family: DnsLookupFamily;
  /** `ip:port` / `[v6]:port` for Node's resolver; undefined: the system's servers. */
  readonly servers: readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly targets: readonly DnsTarget[];
  /** Hosts given as IP literals: kept as they are, never resolved (as MOSN does). */
  readonly literals: readonly { address: string; weight: number; hostname: string }[];
}

/**
 * Reads a STRICT_DNS cluster's hosts and dns_* fields (cluster at `path`); problems are appended
 * as `path.field: reason`. Host addresses are `name:port`.
 */
export function parseDnsSettings(config: ClusterConfig, path: string, problems: string[]): DnsSettings | undefined {
  const before = problems.length;
  let refreshMs = DEFAULT_DNS_REFRESH_MS;
  if (config.dns_refresh_rate !== undefined) {
    const ms = parseDuration(config.dns_refresh_rate);
    if (ms === undefined) problems.push(`${path}.dns_refresh_rate: ${JSON.stringify(config.dns_refresh_rate)} is not a valid duration`);
    else if (ms > 0) refreshMs = ms;
  }
  const resolvers = config.dns_resolvers;
  const defaultPort = portOf(resolvers?.port ?? config.dns_resolver_port, `${path}.${resolvers?.port !== undefined ? 'dns_resolvers.port' : 'dns_resolver_port'}`, problems);
  let servers: string[] | undefined;
  if (resolvers?.servers !== undefined && resolvers.servers.length > 0) {
    servers = [];
    resolvers.servers.forEach((s, i) => {
      const server = serverAddress(s, defaultPort);
      if (server) servers!.push(server);
      else problems.push(`${path}.dns_resolvers.servers[${i}]: ${JSON.stringify(s)} is not an IP address (optionally with :port)`);
    });
  } else if (config.dns_resolver_file !== undefined) {
    servers = serversFromFile(config.dns_resolver_file, defaultPort, `${path}.dns_resolver_file`, problems);
  }
  const targets: DnsTarget[] = [];
  const literals: { address: string; weight: number; hostname: string }[] = [];
  (config.hosts ?? []).forEach((h, j) => {
    const parsed = parseAddress(h.address);
    if (!parsed || parsed.kind !== 'tcp' || parsed.host === '') {
      problems.push(`${path}.hosts[${j}].address: ${JSON.stringify(h.address)} is not "hostname:port"`);
      return;
    }
    if (isIP(parsed.host) !== 0) literals.push({ address: h.address, weight: h.weight ?? 1, hostname: h.hostname ?? '' });
    else targets.push({ name: parsed.host, port: parsed.port, weight: h.weight ?? 1, hostname: h.hostname || parsed.host });
  });
  if (problems.length > before) return undefined;
  return {
    refreshMs,
    respectTtl: config.respect_dns_ttl === true,
    family: config.dns_lookup_family ?? 'V4_ONLY',
    servers,
    timeoutMs: resolvers?.timeout ? resolvers.timeout * 1000 : DEFAULT_DNS_TIMEOUT_MS,
    attempts: resolvers?.attempts || DEFAULT_DNS_ATTEMPTS,
    targets,
    literals,
  };
}

function portOf(text: string | undefined, path: string, problems: string[]): number {
  if (text === undefined || text === '') return DEFAULT_DNS_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`${path}: ${JSON.stringify(text)} is not a port (1-65535)`);
    return DEFAULT_DNS_PORT;
  }
  return port;
}

/** `ip`, `ip:port`, `v6`, `[v6]:port` → the form Node's Resolver.setServers takes. */
function serverAddress(text: string, defaultPort: number): string | undefined {
  if (isIP(text) === 4) return `${text}:${defaultPort}`;
  if (isIP(text) === 6) return `[${text}]:${defaultPort}`;
  const parsed = parseAddress(text);
  if (!parsed || parsed.kind !== 'tcp' || parsed.port === 0) return undefined;
  const family = isIP(parsed.host);
  if (family === 0) return undefined;
  return family === 6 ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
}

/** The `nameserver` lines of a resolv.conf file. */
function serversFromFile(file: string, defaultPort: number, path: string, problems: string[]): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push(`${path}: ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const server = m ? serverAddress(m[1], defaultPort) : undefined;
    if (server) servers.push(server);
  }
  if (servers.length === 0) problems.push(`${path}: ${JSON.stringify(file)} names no nameserver`);
  return servers;
}
