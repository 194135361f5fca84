import type { XKeepaliveSettings } from '../../../plugin-sdk';

/** What the keepalive of one upstream connection works on. */
export interface KeepaliveTarget {
  /** Whether the connection is open (heartbeats are sent only then). */
  readonly open: boolean;
  /** Sends a heartbeat request and returns the id it carries. */
  sendHeartbeat(): number;
  /** Too many heartbeats failed in a row: close the connection. */
  onKeepaliveDead(failures: number): void;
  /** One heartbeat went unanswered (for the log). */
  onKeepaliveMiss(failures: number): void;
}

/**
 * MOSN's xprotocol keepalive for one upstream connection: after `idleMs` without reading anything
 * a heartbeat goes out; one not answered within `timeoutMs` counts as a failure, an answer resets
 * the count, and `failuresToClose` failures in a row close the connection (MOSN: 6 × 15 s).
 *
 * One timer per connection. Reads only record a timestamp; the timer looks at it when it fires,
 * so a busy connection costs no timer work per read.
 */
export class Keepalive {
  /** Id of the heartbeat awaiting its answer (0: none). */
  pendingId = 0;
  private lastReadAt = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onTimer = (): void => this.tick();

  constructor(
    private readonly target: KeepaliveTarget,
    private readonly settings: XKeepaliveSettings,
  ) {}

  /** The connection is up: start watching it. */
  start(): void {
    if (this.stopped || this.settings.idleMs <= 0) return;
    this.lastReadAt = Date.now();
    this.arm(this.settings.idleMs);
  }

  /** Bytes arrived from the upstream. */
  onRead(): void {
    this.lastReadAt = Date.now();
  }

  /** A heartbeat response arrived; true when it answered our pending heartbeat. */
  onReply(id: number): boolean {
    if (this.pendingId === 0 || id !== this.pendingId) return false;
    this.pendingId = 0;
    this.failures = 0;
    this.arm(this.settings.idleMs);
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.pendingId = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped || !this.target.open) return;
    if (this.pendingId !== 0) {
      this.onMiss();
      return;
    }
    const idleFor = Date.now() - this.lastReadAt;
    if (idleFor < this.settings.idleMs) {
      this.arm(this.settings.idleMs - idleFor);
      return;
    }
    this.pendingId = this.target.sendHeartbeat();
    this.arm(this.settings.timeoutMs);
  }

  private onMiss(): void {
    this.pendingId = 0;
    this.failures++;
    if (this.failures >= this.settings.failuresToClose) {
      this.stop();
      this.target.onKeepaliveDead(this.failures);
      return;
    }
    this.target.onKeepaliveMiss(this.failures);
    // MOSN sends the next one after the next read timeout (TickCountIfFail = 1).
    this.arm(this.settings.idleMs);
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, Math.max(1, ms));
    this.timer.unref();
  }
}
