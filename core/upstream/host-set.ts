import type { UpstreamHost } from './upstream-host';

/** Told after the host list or a host's health changed. */
export type HostSetListener = (added: readonly UpstreamHost[], removed: readonly UpstreamHost[]) => void;

/**
 * The hosts of one cluster and the healthy subset balancers choose from. STRICT_DNS clusters
 * replace the list on re-resolution; health checking flips `host.healthy` and calls
 * {@link healthChanged}. `version` grows on every change so a balancer can rebuild lazily.
 */
export class HostSet {
  private all: readonly UpstreamHost[];
  private healthy: readonly UpstreamHost[];
  private readonly listeners = new Set<HostSetListener>();
  version = 0;

  constructor(hosts: readonly UpstreamHost[]) {
    this.all = hosts;
    this.healthy = hosts;
  }

  get hosts(): readonly UpstreamHost[] {
    return this.all;
  }

  /**
   * The hosts to balance over: the healthy ones, or every host when none is healthy (Envoy's
   * panic mode: sending somewhere beats refusing everything when the checks themselves fail).
   */
  get healthyHosts(): readonly UpstreamHost[] {
    return this.healthy.length > 0 ? this.healthy : this.all;
  }

  /** Replaces the host list (DNS). Hosts kept by address should be the same objects as before. */
  setHosts(hosts: readonly UpstreamHost[]): void {
    const before = new Set(this.all);
    const after = new Set(hosts);
    const added = hosts.filter((h) => !before.has(h));
    const removed = this.all.filter((h) => !after.has(h));
    this.all = hosts;
    this.recompute(added, removed);
  }

  /** A host's `healthy` flag changed. */
  healthChanged(): void {
    this.recompute([], []);
  }

  /** Registers a listener; returns its removal. */
  onChange(listener: HostSetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private recompute(added: readonly UpstreamHost[], removed: readonly UpstreamHost[]): void {
    this.healthy = this.all.every((h) => h.healthy) ? this.all : this.all.filter((h) => h.healthy);
    this.version++;
    for (const listener of this.listeners) listener(added, removed);
  }
}
