import type { Logger } from '../../../plugin-sdk';
import { parseAddress } from '../../config/address';
import type { Counter, Gauge } from '../../metrics/metrics-registry';
import type { HostSet } from '../host-set';
import { UpstreamHost } from '../upstream-host';
import { DnsNameResolver } from './dns-name-resolver';
import type { DnsSettings, DnsTarget } from './dns-settings';

export interface StrictDnsMetrics {
  resolveSuccess: Counter;
  resolveFailure: Counter;
  hosts: Gauge;
}

/** A target's last good answer, as host addresses (`ip:port`). */
interface TargetState {
  readonly target: DnsTarget;
  addresses: readonly string[];
  resolvedOnce: boolean;
}

/**
 * The hosts of a STRICT_DNS cluster: every address each configured name resolves to, re-resolved
 * every dns_refresh_rate (or after the records' TTL with respect_dns_ttl). A failed lookup keeps
 * that name's last good addresses (and says so in the log). The host set gets the same
 * UpstreamHost object for an address that stays, so its health, counters and pools carry on.
 */
export class StrictDnsHosts {
  private readonly resolver: DnsNameResolver;
  private readonly states: TargetState[];
  private readonly byAddress = new Map<string, UpstreamHost>();
  private readonly literalHosts: UpstreamHost[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private firstRound: Promise<void> | undefined;

  constructor(
    private readonly clusterName: string,
    private readonly settings: DnsSettings,
    private readonly hostSet: HostSet,
    private readonly metrics: StrictDnsMetrics,
    private readonly logger: Logger,
  ) {
    this.resolver = new DnsNameResolver(settings);
    this.states = settings.targets.map((target) => ({ target, addresses: [], resolvedOnce: false }));
    this.literalHosts = settings.literals.map((l) => this.hostFor(l.address, l.weight, l.hostname));
  }

  /** The hosts to start the cluster with: the literal IPs (names come after their first lookup). */
  initialHosts(): UpstreamHost[] {
    return [...this.literalHosts];
  }

  /** Resolves every name now and then periodically; the promise settles when the first round has. */
  start(): Promise<void> {
    this.firstRound ??= this.round();
    return this.firstRound;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.resolver.cancel();
  }

  private async round(): Promise<void> {
    const ttls = await Promise.all(this.states.map((s) => this.resolveOne(s)));
    if (this.stopped) return;
    this.apply();
    const minTtlS = Math.min(...ttls.filter((t) => t > 0));
    const next = this.settings.respectTtl && Number.isFinite(minTtlS) ? minTtlS * 1000 + 1000 : this.settings.refreshMs;
    this.timer = setTimeout(() => void this.round(), next);
  }

  /** Looks one name up; returns the answer's smallest TTL (0 on failure). */
  private async resolveOne(state: TargetState): Promise<number> {
    const { name, port } = state.target;
    const started = performance.now();
    try {
      const answer = await this.resolver.resolve(name, this.settings.family);
      if (this.stopped) return 0;
      this.metrics.resolveSuccess.inc();
      const addresses = [...new Set(answer.addresses.map((ip) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`)))].sort();
      this.logger.debug({ name, addresses, ttl: answer.minTtlS, ms: Math.round(performance.now() - started) }, 'dns: resolved');
      state.addresses = addresses;
      state.resolvedOnce = true;
      return answer.minTtlS;
    } catch (err) {
      if (this.stopped) return 0;
      this.metrics.resolveFailure.inc();
      const reason = (err as Error).message;
      if (state.resolvedOnce) {
        this.logger.warn({ name, reason, kept: state.addresses }, 'dns: resolution failed; keeping the last good addresses');
      } else {
        this.logger.error({ name, reason }, 'dns: resolution failed; no address for this name yet, retrying');
      }
      return 0;
    }
  }

  /** Puts the current answers into the host set when they changed. */
  private apply(): void {
    const wanted = new Map<string, UpstreamHost>();
    for (const h of this.literalHosts) wanted.set(h.address, h);
    for (const s of this.states) {
      for (const address of s.addresses) {
        if (!wanted.has(address)) wanted.set(address, this.hostFor(address, s.target.weight, s.target.hostname));
      }
    }
    const current = this.hostSet.hosts;
    const same = current.length === wanted.size && current.every((h) => wanted.get(h.address) === h);
    this.metrics.hosts.set(wanted.size);
    if (same) return;
    const hosts = [...wanted.values()];
    const added = hosts.filter((h) => !current.includes(h)).map((h) => h.address);
    const removed = current.filter((h) => wanted.get(h.address) !== h).map((h) => h.address);
    for (const address of removed) this.byAddress.delete(address);
    this.logger.info({ cluster: this.clusterName, added, removed, hosts: hosts.map((h) => h.address) }, 'dns: cluster hosts changed');
    this.hostSet.setHosts(hosts);
  }

  /** The host object for an address: the one already in the cluster, or a new one. */
  private hostFor(address: string, weight: number, hostname: string): UpstreamHost {
    let host = this.byAddress.get(address);
    if (!host) {
      host = new UpstreamHost(address, parseAddress(address)!, weight, hostname, this.clusterName);
      this.byAddress.set(address, host);
    }
    return host;
  }
}
