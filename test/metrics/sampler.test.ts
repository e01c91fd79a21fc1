import { describe, expect, it } from 'vitest';
import { Sampler } from '../../src/metrics/sampler.ts';
import { Sim } from '../../src/sim/simulator.ts';
import { MS, SEC } from '../../src/sim/time.ts';

describe('Sampler', () => {
  it('reads every gauge at 0, interval, 2 x interval, ... up to and including the end', () => {
    const sim = new Sim();
    let n = 0;
    const s = new Sampler(
      [
        { node: 'server', metric: 'syn_queue', read: () => n },
        { node: 'client', metric: 'time_wait', read: () => 2 * n },
      ],
      250 * MS,
      1 * SEC,
    );
    s.start(sim);
    sim.at(600 * MS, {
      onEvent: () => {
        n = 5;
      },
    });
    sim.run({ until: 1 * SEC });
    expect(s.columns.t_s).toEqual([0, 0, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1, 1]);
    expect(s.columns.node.slice(0, 2)).toEqual(['server', 'client']);
    expect(s.columns.metric.slice(0, 2)).toEqual(['syn_queue', 'time_wait']);
    expect(s.columns.value).toEqual([0, 0, 0, 0, 0, 0, 5, 10, 5, 10]);
  });

  it('schedules nothing without gauges', () => {
    const sim = new Sim();
    new Sampler([], 100 * MS, 1 * SEC).start(sim);
    sim.run({ until: 1 * SEC });
    expect(sim.events).toBe(0);
  });

  it('keeps sample times exact in seconds over long runs (no float drift)', () => {
    const sim = new Sim();
    const s = new Sampler([{ node: 'a', metric: 'm', read: () => 1 }], 100 * MS, 100 * SEC);
    s.start(sim);
    sim.run({ until: 100 * SEC });
    expect(s.columns.t_s).toHaveLength(1001);
    expect(s.columns.t_s[777]).toBe(77.7);
    expect(s.columns.t_s.at(-1)).toBe(100);
  });
});
