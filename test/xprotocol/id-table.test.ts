import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdTable } from '../../core/stream/xprotocol/id-table';

const entry = (id: number) => ({ id });

describe('IdTable (streams by request id)', () => {
  it('finds, removes and counts entries; an id sharing a taken slot goes to the overflow and is found too', () => {
    const t = new IdTable<{ id: number }>();
    const a = entry(1);
    const b = entry(1 + 256); // same slot as 1 in a 256-slot table
    const big = entry(2 ** 40 + 1); // dubbo ids go past 32 bits: same low bits, other id
    t.add(a);
    t.add(b);
    t.add(big);
    assert.equal(t.size, 3);
    assert.equal(t.get(1), a);
    assert.equal(t.get(257), b);
    assert.equal(t.get(2 ** 40 + 1), big);
    assert.equal(t.get(2), undefined);
    assert.equal(t.slotFree(1), false);
    assert.equal(t.remove(entry(1)), false, 'only the entry held under the id is removed');
    assert.equal(t.remove(a), true);
    assert.equal(t.get(1), undefined);
    assert.equal(t.get(257), b);
    assert.equal(t.remove(b), true);
    assert.equal(t.remove(big), true);
    assert.equal(t.size, 0);
  });

  it('grows past half full and keeps every entry; drain returns them all and empties it', () => {
    const t = new IdTable<{ id: number }>();
    const entries = Array.from({ length: 5000 }, (_v, i) => entry(i * 7 + 3));
    for (const e of entries) t.add(e);
    assert.equal(t.size, 5000);
    for (const e of entries) assert.equal(t.get(e.id), e);
    const drained = t.drain();
    assert.equal(drained.length, 5000);
    assert.deepEqual(new Set(drained), new Set(entries));
    assert.equal(t.size, 0);
    assert.equal(t.get(3), undefined);
  });
});
