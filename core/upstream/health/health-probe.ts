import type { UpstreamHost } from '../upstream-host';

/** How one check came out. */
export interface ProbeResult {
  readonly healthy: boolean;
  /**
   * For a failed check: `active` when the host answered wrongly (an unexpected HTTP status),
   * `network` when it did not answer (refused, reset, timed out). MOSN counts them apart.
   */
  readonly failure?: 'active' | 'network';
  /** Why, in words, for the log ("HTTP status 503", "connect failed: ECONNREFUSED"). */
  readonly reason: string;
}

/**
 * One check of one host. It settles within `timeoutMs` (a timeout is a network failure) and at
 * once when `signal` aborts (the checker stopped), leaving no socket or timer behind.
 */
export type HealthProbe = (host: UpstreamHost, timeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;

/**
 * Settles a probe exactly once: clears its timeout, drops its abort listener and lets the probe
 * release its socket (`release`), whichever of answer, error, timeout or abort comes first.
 */
export function settleOnce(
  timeoutMs: number,
  signal: AbortSignal,
  release: () => void,
  resolve: (r: ProbeResult) => void,
): (r: ProbeResult) => void {
  let done = false;
  const finish = (r: ProbeResult): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    release();
    resolve(r);
  };
  const timer = setTimeout(() => finish({ healthy: false, failure: 'network', reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  const onAbort = (): void => finish({ healthy: false, failure: 'network', reason: 'check stopped' });
  if (signal.aborted) queueMicrotask(onAbort);
  else signal.addEventListener('abort', onAbort, { once: true });
  return finish;
}
