/**
 * Issue 13 item 4: a model whose time stops advancing (a timer re-arming with no delay, as
 * `keepaliveIdle: 0s` did) stops with an error naming the timer instead of spinning forever.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_AT_ONE_INSTANT, Sim, SimulationStalled, type EventHandler } from '../../src/sim/simulator.ts';

class ZeroDelayTimer implements EventHandler {
  fired = 0;
  onEvent(sim: Sim): void {
    this.fired++;
    sim.after(0, this, 7);
  }
}

describe('simulation watchdog', () => {
  it('stops a timer that re-arms at the same instant, naming it', () => {
    const sim = new Sim();
    const t = new ZeroDelayTimer();
    sim.at(1000, t, 7);
    let err: unknown;
    try {
      sim.run({ until: 10_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimulationStalled);
    expect((err as Error).message).toBe(
      `simulated time stopped advancing: ${MAX_EVENTS_AT_ONE_INSTANT} events at t = 1000 ns, the last one a ZeroDelayTimer timer (tag 7); a timer that re-arms with no delay?`,
    );
    expect(t.fired).toBe(MAX_EVENTS_AT_ONE_INSTANT);
  }, 60_000);

  it('lets time that advances run any number of events', () => {
    const sim = new Sim();
    let n = 0;
    const tick: EventHandler = {
      onEvent: (s) => {
        if (++n < 100_000) s.after(1, tick);
      },
    };
    sim.at(0, tick);
    sim.run();
    expect(n).toBe(100_000);
  });
});
