import type { UpstreamHost } from '../upstream-host';
import type { ProbeResult } from './health-probe';

/** What a session needs from its cluster's checker. */
export interface HealthSessionOwner {
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** The wait before the next check: interval plus a fresh random jitter. */
  nextIntervalMs(): number;
  probe(host: UpstreamHost, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult>;
  /** A check started (for the attempt counter). */
  onAttempt(session: HostHealthSession): void;
  /** A check ended; `changed` when it flipped the host's health. */
  onResult(session: HostHealthSession, result: ProbeResult, changed: boolean): void;
}

/**
 * The checks of one host: a chain of timer → check → timer, so exactly one check is in flight at a
 * time, and the next waits a full interval after the previous one ended (MOSN's session checker
 * does the same). Counts consecutive passes and failures against the thresholds.
 */
export class HostHealthSession {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private stopped = false;
  /** Consecutive passes while unhealthy. */
  private passes = 0;
  /** Consecutive failures while healthy. */
  private failures = 0;

  constructor(
    readonly host: UpstreamHost,
    private readonly owner: HealthSessionOwner,
  ) {}

  /** The first check runs after `delayMs` (the initial delay). */
  start(delayMs: number): void {
    this.schedule(delayMs);
  }

  /** No more checks; a check in flight is aborted and its result dropped. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check(), delayMs);
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    const abort = new AbortController();
    this.inFlight = abort;
    this.owner.onAttempt(this);
    let result: ProbeResult;
    try {
      result = await this.owner.probe(this.host, this.owner.timeoutMs, abort.signal);
    } catch (err) {
      // A probe should settle, not throw; if one does, it counts as a failed check rather than ending the chain.
      result = { healthy: false, failure: 'network', reason: `check threw: ${(err as Error).message}` };
    }
    if (this.stopped) return;
    this.inFlight = undefined;
    this.owner.onResult(this, result, this.count(result.healthy));
    this.schedule(this.owner.nextIntervalMs());
  }

  /** Applies one result to the counters; true when the host's health flips. */
  private count(passed: boolean): boolean {
    const host = this.host;
    if (passed) {
      this.failures = 0;
      if (host.healthy) return false;
      if (++this.passes < this.owner.healthyThreshold) return false;
      this.passes = 0;
      host.healthy = true;
      return true;
    }
    this.passes = 0;
    if (!host.healthy) return false;
    if (++this.failures < this.owner.unhealthyThreshold) return false;
    this.failures = 0;
    host.healthy = false;
    return true;
  }
}
