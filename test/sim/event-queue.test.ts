/**
 * The event queue against a reference model: random schedule / cancel / pop sequences must pop in
 * (time, insertion order) order, never return a cancelled event, and treat stale ids as no-ops.
 * Small tier sizes force the near/far refills, spills and compactions on short sequences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type EventId } from '../../src/sim/event-queue.ts';

interface Ref {
  time: number;
  seq: number; // insertion order
  id: EventId;
  cancelled: boolean;
  popped: boolean;
}

type Op = { kind: 'push'; dt: number } | { kind: 'cancel'; pick: number } | { kind: 'pop'; n: number };

/** Times from a few distinct values (many ties) up to a wide range (spills and refills). */
const op = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      dt: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000_000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const), n: fc.integer({ min: 1, max: 20 }) }) },
);

const tunings = fc.constantFrom(
  {},
  { nearLimit: 4, refillTarget: 2 },
  { nearLimit: 16, refillTarget: 8 },
  { nearLimit: 2, refillTarget: 1 },
);

function runModel(ops: Op[], tuning: { nearLimit?: number; refillTarget?: number }): void {
  const q = new EventQueue<Ref>(tuning);
  const all: Ref[] = [];
  let now = 0;
  let seq = 0;
  const expectNextPop = (): void => {
    const pending = all.filter((r) => !r.cancelled && !r.popped);
    expect(q.size).toBe(pending.length);
    const ok = q.pop();
    if (pending.length === 0) {
      expect(ok).toBe(false);
      return;
    }
    expect(ok).toBe(true);
    pending.sort((a, b) => a.time - b.time || a.seq - b.seq);
    const want = pending[0]!;
    expect(q.poppedHandler).toBe(want);
    expect(q.poppedTime).toBe(want.time);
    expect(q.poppedTag).toBe(want.seq & 0xff);
    expect(q.poppedData).toBe(want.seq);
    want.popped = true;
    now = want.time;
  };
  for (const o of ops) {
    if (o.kind === 'push') {
      const r: Ref = { time: now + o.dt, seq: seq++, id: -1, cancelled: false, popped: false };
      r.id = q.push(r.time, r, r.seq & 0xff, r.seq);
      all.push(r);
    } else if (o.kind === 'cancel') {
      if (all.length === 0) continue;
      const r = all[o.pick % all.length]!;
      const live = !r.cancelled && !r.popped;
      // A live event is cancelled once; a popped or already cancelled one (a stale id) is not.
      expect(q.cancel(r.id)).toBe(live);
      if (live) r.cancelled = true;
    } else {
      for (let i = 0; i < o.n; i++) expectNextPop();
    }
  }
  while (all.some((r) => !r.cancelled && !r.popped)) expectNextPop();
  expect(q.pop()).toBe(false);
  expect(q.size).toBe(0);
  // Every id is stale now.
  for (const r of all) expect(q.cancel(r.id)).toBe(false);
}

describe('EventQueue', () => {
  it('pops in (time, insertion order) and never returns a cancelled event', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), tunings, (ops, tuning) => runModel(ops, tuning)),
      { numRuns: 300 },
    );
  });

  it('keeps the order through many refills and spills (thousands of events, tiny tiers)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 2000, maxLength: 4000 }), (ops) =>
        runModel(ops, { nearLimit: 8, refillTarget: 4 }),
      ),
      { numRuns: 10 },
    );
  });

  it('keeps ties in insertion order across the tiers (times from three values)', () => {
    const tieOp = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), dt: fc.integer({ min: 0, max: 2 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const), n: fc.integer({ min: 1, max: 3 }) }) },
    );
    fc.assert(
      fc.property(fc.array(tieOp, { maxLength: 400 }), (ops) => runModel(ops, { nearLimit: 4, refillTarget: 2 })),
      { numRuns: 300 },
    );
  });

  it('default tiers: 100,000 random events and 50,000 at a single time come out in order', () => {
    const q = new EventQueue<number>();
    let x = 12345;
    const times: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      times.push(x % 1_000_000);
      q.push(times[i]!, i, 0, undefined);
    }
    for (let i = 0; i < 50_000; i++) q.push(777_777, 100_000 + i, 0, undefined);
    const want = [...times.keys(), ...Array.from({ length: 50_000 }, (_, i) => 100_000 + i)].sort(
      (a, b) => (a < 100_000 ? times[a]! : 777_777) - (b < 100_000 ? times[b]! : 777_777) || a - b,
    );
    const got: number[] = [];
    while (q.pop()) got.push(q.poppedHandler!);
    expect(got).toEqual(want);
  });

  it('breaks ties by insertion order', () => {
    const q = new EventQueue<string>();
    for (const name of ['a', 'b', 'c', 'd']) q.push(5, name, 0, undefined);
    q.push(1, 'first', 0, undefined);
    const out: string[] = [];
    while (q.pop()) out.push(q.poppedHandler!);
    expect(out).toEqual(['first', 'a', 'b', 'c', 'd']);
  });

  it('ignores stale ids after the slot is reused', () => {
    const q = new EventQueue<string>();
    const old = q.push(10, 'old', 0, undefined);
    expect(q.pop()).toBe(true);
    const fresh = q.push(20, 'fresh', 0, undefined); // reuses old's slot
    expect(fresh).not.toBe(old);
    expect(q.cancel(old)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.pop()).toBe(true);
    expect(q.poppedHandler).toBe('fresh');
  });

  it('refuses ids that were never issued', () => {
    const q = new EventQueue<string>();
    q.push(1, 'x', 0, undefined);
    for (const id of [-1, 1.5, 2 ** 60, Number.NaN, 12345]) expect(q.cancel(id)).toBe(false);
    expect(q.size).toBe(1);
  });

  it('compacts when cancelled entries outnumber live ones', () => {
    const q = new EventQueue<number>({ nearLimit: 64, refillTarget: 32 });
    // Timers pushed far ahead and cancelled again, over and over, while time barely advances.
    let keep = 0;
    for (let round = 0; round < 200; round++) {
      const ids: EventId[] = [];
      for (let i = 0; i < 100; i++) ids.push(q.push(1e9 + round * 100 + i, i, 0, undefined));
      for (const id of ids) q.cancel(id);
      q.push(round, -1, 0, undefined);
      keep++;
    }
    expect(q.size).toBe(keep);
    const internals = q as unknown as { near: { size: number }; farSize: number };
    expect(internals.near.size + internals.farSize).toBeLessThan(2 * keep + 1100);
    let popped = 0;
    while (q.pop()) {
      expect(q.poppedHandler).toBe(-1);
      popped++;
    }
    expect(popped).toBe(keep);
  });

  it('peekTime skips cancelled events and reports Infinity when empty', () => {
    const q = new EventQueue<string>();
    expect(q.peekTime()).toBe(Infinity);
    const a = q.push(3, 'a', 0, undefined);
    q.push(7, 'b', 0, undefined);
    q.cancel(a);
    expect(q.peekTime()).toBe(7);
    expect(q.popUntil(6)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.popUntil(7)).toBe(true);
    expect(q.poppedHandler).toBe('b');
  });
});
