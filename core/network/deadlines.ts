import { performance } from 'node:perf_hooks';

/** Told when a {@link Deadline} it armed has passed. */
export interface DeadlineOwner {
  onDeadline(deadline: Deadline): void;
}

/**
 * A timeout (a route's global timeout, a per-try timeout, a connection's idle timeout) that costs
 * no Node timer of its own: arming one links it into the list of its duration and disarming
 * unlinks it, both O(1) and allocation-free. Re-arming (an idle timeout pushed back on activity)
 * moves it to the end of its list. Reusable: arm it again after it fired or was disarmed.
 */
export class Deadline {
  /** When it expires (performance.now() ms); meaningful while armed. */
  at = 0;
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  list: DeadlineList | undefined = undefined;

  constructor(readonly owner: DeadlineOwner) {}

  get armed(): boolean {
    return this.list !== undefined;
  }

  /** Arms it `ms` from now (re-arms it when already armed); `now` saves a clock read when the caller has one. */
  arm(ms: number, now = performance.now()): void {
    const list = this.list;
    if (list !== undefined) {
      if (list.ms === ms) {
        list.moveToTail(this, now + ms);
        return;
      }
      list.remove(this);
    }
    listFor(ms).push(this, now + ms);
  }

  disarm(): void {
    if (this.list !== undefined) this.list.remove(this);
  }
}

/**
 * Every armed deadline of one duration, in expiry order (the same duration armed later expires
 * later, so appending keeps the order, as Node's own timer lists do). One unref'd Node timer per
 * list is set for the head's expiry; deadlines removed early leave it alone: when it fires it
 * expires what is due and sets itself for the new head, so a 60 s list with requests coming and
 * going fires about once a minute instead of creating and clearing a timer per request.
 */
class DeadlineList {
  private head: Deadline | undefined = undefined;
  private tail: Deadline | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly onTimer = (): void => this.expire();

  constructor(readonly ms: number) {}

  push(d: Deadline, at: number): void {
    d.at = at;
    d.list = this;
    d.prev = this.tail;
    d.next = undefined;
    if (this.tail !== undefined) this.tail.next = d;
    else this.head = d;
    this.tail = d;
    if (this.timer === undefined) this.setTimer(this.ms);
  }

  /** A deadline of this list armed again: it now expires last. */
  moveToTail(d: Deadline, at: number): void {
    d.at = at;
    if (this.tail === d) return;
    this.unlink(d);
    d.prev = this.tail;
    this.tail!.next = d;
    this.tail = d;
  }

  remove(d: Deadline): void {
    this.unlink(d);
    d.list = undefined;
    // Durations can come from request headers (x-mosn-global-timeout): past a few lists, an
    // emptied one goes away at once instead of waiting for its timer.
    if (this.head === undefined && lists.size > KEPT_LISTS) this.dispose();
  }

  private unlink(d: Deadline): void {
    if (d.prev !== undefined) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next !== undefined) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.prev = d.next = undefined;
  }

  private dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (lists.get(this.ms) === this) lists.delete(this.ms);
  }

  private setTimer(ms: number): void {
    // setTimeout takes at most 2^31-1 ms (more becomes 1 ms); a later expiry is reached in steps.
    this.timer = setTimeout(this.onTimer, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(ms))));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    // Node's timers run on the loop's millisecond clock and may fire a fraction of a millisecond
    // before performance.now() reaches the deadline.
    const now = performance.now() + 1;
    for (let d = this.head; d !== undefined && d.at <= now; d = this.head) {
      this.remove(d);
      try {
        d.owner.onDeadline(d);
      } catch (err) {
        // One owner's bug must not stop the others' timeouts; report it as Node would.
        process.nextTick(() => {
          throw err;
        });
      }
    }
    if (this.head !== undefined) {
      if (this.timer === undefined) this.setTimer(this.head.at - performance.now());
    } else {
      this.dispose();
    }
  }
}

const lists = new Map<number, DeadlineList>();
/** Lists kept while empty (the routes' usual timeouts), so their timers are reused. */
const KEPT_LISTS = 16;
const MAX_TIMER_MS = 2 ** 31 - 1;

function listFor(ms: number): DeadlineList {
  let list = lists.get(ms);
  if (list === undefined) lists.set(ms, (list = new DeadlineList(ms)));
  return list;
}
