/** The Sim context: run({until, maxEvents}) and stop() semantics, scheduling rules, cancel. */
import { describe, expect, it } from 'vitest';
import { Sim, type EventHandler } from '../../src/sim/simulator.ts';
import { MS } from '../../src/sim/time.ts';

/** Records (now, tag) for every event it handles. */
class Recorder implements EventHandler {
  log: Array<[number, number]> = [];
  onEvent(sim: Sim, tag: number): void {
    this.log.push([sim.now, tag]);
  }
}

describe('Sim.run', () => {
  it('runs every event in time order and leaves now at the last one', () => {
    const sim = new Sim();
    const r = new Recorder();
    sim.at(30, r, 3);
    sim.at(10, r, 1);
    sim.at(20, r, 2);
    sim.run();
    expect(r.log).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    expect(sim.now).toBe(30);
    expect(sim.events).toBe(3);
    expect(sim.pending).toBe(0);
  });

  it('until: runs events at or before it, then sets now to until', () => {
    const sim = new Sim();
    const r = new Recorder();
    for (const t of [5, 10, 15]) sim.at(t, r, t);
    sim.run({ until: 10 });
    expect(r.log).toEqual([
      [5, 5],
      [10, 10],
    ]);
    expect(sim.now).toBe(10);
    sim.run({ until: 12 });
    expect(r.log).toHaveLength(2);
    expect(sim.now).toBe(12); // time advances to `until` even with no event in between
    expect(sim.pending).toBe(1);
    sim.run();
    expect(r.log.at(-1)).toEqual([15, 15]);
  });

  it('until in the past runs nothing and does not move time back', () => {
    const sim = new Sim();
    const r = new Recorder();
    sim.at(50, r, 1);
    sim.run({ until: 40 });
    expect(sim.now).toBe(40);
    sim.run({ until: 20 });
    expect(sim.now).toBe(40);
    expect(r.log).toEqual([]);
  });

  it('maxEvents: stops after that many, now at the last event run', () => {
    const sim = new Sim();
    const r = new Recorder();
    for (let t = 1; t <= 10; t++) sim.at(t * MS, r, t);
    sim.run({ maxEvents: 3 });
    expect(r.log.map(([, tag]) => tag)).toEqual([1, 2, 3]);
    expect(sim.now).toBe(3 * MS);
    sim.run({ maxEvents: 0 });
    expect(sim.events).toBe(3);
  });

  it('maxEvents with until: now moves to until only if nothing at or before it is left', () => {
    const sim = new Sim();
    const r = new Recorder();
    sim.at(1, r, 1);
    sim.at(2, r, 2);
    sim.at(100, r, 3);
    sim.run({ until: 50, maxEvents: 1 });
    expect(sim.now).toBe(1); // event at 2 still due before 50
    sim.run({ until: 50, maxEvents: 1 });
    expect(sim.now).toBe(50); // budget spent, but nothing else due by 50
    expect(r.log).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('stop() ends run after the current event; a later run resumes', () => {
    const sim = new Sim();
    const log: number[] = [];
    const stopper: EventHandler = {
      onEvent(s, tag) {
        log.push(tag);
        if (tag === 2) s.stop();
      },
    };
    for (let t = 1; t <= 4; t++) sim.at(t, stopper, t);
    sim.run({ until: 100 });
    expect(log).toEqual([1, 2]);
    expect(sim.now).toBe(2); // stopped: time is not advanced to `until`
    sim.run();
    expect(log).toEqual([1, 2, 3, 4]);
  });

  it('events scheduled for now during a run go after those already due now', () => {
    const sim = new Sim();
    const log: string[] = [];
    const h: EventHandler = {
      onEvent(s, tag) {
        log.push(`e${tag}`);
        if (tag === 1) s.after(0, h, 3);
      },
    };
    sim.at(5, h, 1);
    sim.at(5, h, 2);
    sim.run();
    expect(log).toEqual(['e1', 'e2', 'e3']);
  });

  it('passes tag and data through to the handler', () => {
    const sim = new Sim();
    const seen: unknown[] = [];
    const h: EventHandler<{ x: number } | undefined> = { onEvent: (_s, tag, data) => seen.push([tag, data]) };
    const payload = { x: 1 };
    sim.after(1, h, 7, payload);
    sim.after(2, h);
    sim.run();
    expect(seen).toEqual([
      [7, payload],
      [0, undefined],
    ]);
  });

  it('refuses to schedule in the past or at a non-finite time', () => {
    const sim = new Sim();
    const r = new Recorder();
    sim.at(10, r);
    sim.run();
    expect(() => sim.at(9, r)).toThrow(RangeError);
    expect(() => sim.after(-1, r)).toThrow(RangeError);
    expect(() => sim.at(Number.NaN, r)).toThrow(RangeError);
    expect(() => sim.at(Infinity, r)).toThrow(RangeError);
    expect(() => sim.at(10, r)).not.toThrow();
  });

  it('cancel: the event never runs; cancelling twice or after it ran returns false', () => {
    const sim = new Sim();
    const r = new Recorder();
    const a = sim.at(1, r, 1);
    const b = sim.at(2, r, 2);
    expect(sim.cancel(a)).toBe(true);
    expect(sim.cancel(a)).toBe(false);
    expect(sim.pending).toBe(1);
    expect(sim.nextEventTime()).toBe(2);
    sim.run();
    expect(r.log).toEqual([[2, 2]]);
    expect(sim.cancel(b)).toBe(false);
    expect(sim.nextEventTime()).toBe(Infinity);
  });

  it('a handler can cancel a later event', () => {
    const sim = new Sim();
    const r = new Recorder();
    const later = sim.at(20, r, 2);
    sim.at(
      10,
      {
        onEvent: (s) => {
          s.cancel(later);
        },
      },
      1,
    );
    sim.run();
    expect(r.log).toEqual([]);
    expect(sim.now).toBe(10);
  });
});
