import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { Deadline, type DeadlineOwner } from '../../core/network/deadlines';

/** Records when each of its deadlines fired (ms since `t0`). */
class Recorder implements DeadlineOwner {
  readonly fired: { name: string; at: number }[] = [];
  readonly t0 = performance.now();
  readonly names = new Map<Deadline, string>();
  onFire: ((d: Deadline) => void) | undefined;

  make(name: string): Deadline {
    const d = new Deadline(this);
    this.names.set(d, name);
    return d;
  }

  onDeadline(d: Deadline): void {
    this.fired.push({ name: this.names.get(d)!, at: performance.now() - this.t0 });
    this.onFire?.(d);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('request deadlines (shared timer lists)', () => {
  it('fires each deadline once, not early, in expiry order across durations', async () => {
    const r = new Recorder();
    r.make('b40').arm(40);
    r.make('a20').arm(20);
    r.make('c60').arm(60);
    r.make('a20bis').arm(20);
    await sleep(120);
    assert.deepEqual(
      r.fired.map((f) => f.name),
      ['a20', 'a20bis', 'b40', 'c60'],
    );
    for (const f of r.fired) assert.ok(f.at >= Number(f.name.slice(1, 3)) - 1, `${f.name} fired at ${f.at.toFixed(1)} ms`);
  });

  it('does not fire a disarmed deadline, and re-arming pushes it back', async () => {
    const r = new Recorder();
    const gone = r.make('gone');
    gone.arm(20);
    const pushed = r.make('pushed');
    pushed.arm(40);
    gone.disarm();
    assert.equal(gone.armed, false);
    await sleep(25);
    pushed.arm(40); // activity: 40 ms from now
    await sleep(30);
    assert.equal(r.fired.length, 0, 'nothing due yet');
    await sleep(40);
    assert.deepEqual(
      r.fired.map((f) => f.name),
      ['pushed'],
    );
    assert.ok(r.fired[0].at >= 64, `fired at ${r.fired[0].at.toFixed(1)} ms`);
    assert.equal(pushed.armed, false);
  });

  it('can be armed again from its own callback, and with another duration', async () => {
    const r = new Recorder();
    const d = r.make('again');
    let times = 0;
    r.onFire = (x) => {
      if (++times < 3) x.arm(times === 1 ? 10 : 15);
    };
    d.arm(10);
    await sleep(80);
    assert.equal(r.fired.length, 3);
  });

  it('keeps no timer referenced: armed deadlines do not hold the process open', () => {
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    const r = new Recorder();
    const before = timers();
    const d = r.make('long');
    d.arm(60_000);
    assert.equal(timers(), before);
    d.disarm();
    // Many distinct durations (x-mosn-global-timeout comes from requests) come and go quietly.
    for (let i = 0; i < 100; i++) {
      const x = r.make(`d${i}`);
      x.arm(100_000 + i);
      x.disarm();
    }
    assert.equal(timers(), before);
    assert.deepEqual(r.fired, []);
  });
});
