import { promises as dns } from 'node:dns';
import type { DnsLookupFamily, DnsSettings } from './dns-settings';

/** One successful resolution: addresses and the smallest TTL among their records (seconds). */
export interface DnsAnswer {
  readonly addresses: readonly string[];
  readonly minTtlS: number;
}

/**
 * Asks DNS for a name's A and/or AAAA records with Node's c-ares resolver (the system's servers,
 * or the configured ones). Not the OS resolver (getaddrinfo): STRICT_DNS means DNS, and c-ares
 * gives TTLs and can be cancelled.
 */
export class DnsNameResolver {
  private readonly resolver: dns.Resolver;

  constructor(private readonly settings: Pick<DnsSettings, 'servers' | 'timeoutMs' | 'attempts'>) {
    this.resolver = new dns.Resolver({ timeout: settings.timeoutMs, tries: settings.attempts });
    if (settings.servers) this.resolver.setServers([...settings.servers]);
  }

  /** Resolves `name`; rejects when the lookup fails or finds no address of the asked family. */
  async resolve(name: string, family: DnsLookupFamily): Promise<DnsAnswer> {
    const lookups: Promise<{ address: string; ttl: number }[]>[] = [];
    if (family !== 'V6_ONLY') lookups.push(this.resolver.resolve4(name, { ttl: true }));
    if (family !== 'V4_ONLY') lookups.push(this.resolver.resolve6(name, { ttl: true }));
    const settled = await Promise.allSettled(lookups);
    const records = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    if (records.length === 0) {
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      const err = failed?.reason as NodeJS.ErrnoException | undefined;
      throw new Error(err ? `${err.code ?? err.message}` : 'no address records');
    }
    return { addresses: records.map((r) => r.address), minTtlS: Math.min(...records.map((r) => r.ttl)) };
  }

  /** Cancels lookups in flight (they reject with ECANCELLED). */
  cancel(): void {
    this.resolver.cancel();
  }
}
