/** One certificate a listener can serve and the names it answers in SNI. */
export interface SniCandidate<T> {
  /** Lower-cased: the context's server_name, the certificate's CN and DNS SANs. */
  names: readonly string[];
  value: T;
}

/**
 * Picks what to serve for a client's SNI: an exact name match, else a wildcard match (as MOSN,
 * `*.example.com` for `www.example.com`, then `*.com`), else the first candidate. Names compare
 * case-insensitively and without a trailing dot; the earlier candidate wins a tie.
 */
export class SniSelector<T> {
  private readonly exact = new Map<string, T>();
  private readonly fallback: T;

  constructor(candidates: readonly SniCandidate<T>[]) {
    if (candidates.length === 0) throw new Error('SniSelector needs at least one candidate');
    this.fallback = candidates[0].value;
    for (const c of candidates) for (const n of c.names) if (n !== '' && !this.exact.has(n)) this.exact.set(n, c.value);
  }

  select(serverName: string | undefined): T {
    if (!serverName) return this.fallback;
    let name = serverName.toLowerCase();
    while (name.endsWith('.')) name = name.slice(0, -1);
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) {
      const wildcard = this.exact.get(`*.${labels.slice(i).join('.')}`);
      if (wildcard !== undefined) return wildcard;
    }
    return this.fallback;
  }
}
