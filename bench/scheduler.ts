/**
 * Scheduler benchmark: the classic hold model (pop the earliest event, push one at its time plus a
 * random increment, so the pending count stays constant) at several pending-set sizes, for
 *   - the real EventQueue (src/sim/event-queue.ts), driven directly,
 *   - the whole Sim loop (a handler that reschedules itself with sim.after),
 *   - the array-of-objects binary heap in bench/object-heap.ts, in the same process.
 * Increments are exponential with mean 1 ms, drawn in advance so no generator runs in the loop.
 */
import { EventQueue } from '../src/sim/event-queue.ts';
import { Rng } from '../src/sim/rng.ts';
import { Sim, type EventHandler } from '../src/sim/simulator.ts';
import { MS } from '../src/sim/time.ts';
import { ObjectHeap } from './object-heap.ts';
import { bestOf, formatRate, measureRate, registerSection } from './registry.ts';

const INCREMENTS = (() => {
  const rng = new Rng(1, 'bench:scheduler:increments');
  const a = new Float64Array(1 << 20);
  for (let i = 0; i < a.length; i++) a[i] = 1 + Math.floor(rng.exponential(MS));
  return a;
})();
const MASK = INCREMENTS.length - 1;

const SIZES = [1_000, 100_000, 1_000_000];
const BATCH = 200_000;

interface Dummy {
  n: number;
}
const DUMMY: Dummy = { n: 0 };

/** Each hold function fills its queue, then returns a function that measures one trial. */
function holdEventQueue(pending: number): () => number {
  const q = new EventQueue<Dummy>();
  let k = 0;
  for (let i = 0; i < pending; i++) q.push(INCREMENTS[k++ & MASK]!, DUMMY, 1, undefined);
  const body = (): void => {
    for (let i = 0; i < BATCH; i++) {
      q.pop();
      q.push(q.poppedTime + INCREMENTS[k++ & MASK]!, q.poppedHandler!, q.poppedTag, q.poppedData);
    }
  };
  body(); // warm up
  return () => measureRate(BATCH, body);
}

function holdObjectHeap(pending: number): () => number {
  const q = new ObjectHeap<Dummy>();
  let k = 0;
  for (let i = 0; i < pending; i++) q.push(INCREMENTS[k++ & MASK]!, DUMMY, 1, undefined);
  const body = (): void => {
    for (let i = 0; i < BATCH; i++) {
      const ev = q.pop()!;
      q.push(ev.time + INCREMENTS[k++ & MASK]!, ev.handler, ev.tag, ev.data);
    }
  };
  body();
  return () => measureRate(BATCH, body);
}

class Rescheduler implements EventHandler {
  k = 0;
  onEvent(sim: Sim, tag: number, data: unknown): void {
    sim.after(INCREMENTS[this.k++ & MASK]!, this, tag, data);
  }
}

function holdSim(pending: number): () => number {
  const sim = new Sim();
  const h = new Rescheduler();
  for (let i = 0; i < pending; i++) sim.after(INCREMENTS[h.k++ & MASK]!, h, 1);
  const body = (): void => sim.run({ maxEvents: BATCH });
  body();
  return () => measureRate(BATCH, body);
}

registerSection({
  name: 'scheduler',
  description: 'hold model: EventQueue and Sim vs an array-of-objects binary heap',
  run(report) {
    const rows: Array<Record<string, string | number>> = [];
    for (const pending of SIZES) {
      const [baseline, queue, sim] = bestOf(5, [
        holdObjectHeap(pending),
        holdEventQueue(pending),
        holdSim(pending),
      ]) as [number, number, number];
      rows.push({
        pending: pending.toLocaleString('en-US'),
        'object heap': formatRate(baseline),
        EventQueue: formatRate(queue),
        'vs heap': `${(queue / baseline).toFixed(2)}x`,
        'Sim.run': formatRate(sim),
        'Sim vs heap': `${(sim / baseline).toFixed(2)}x`,
      });
    }
    report.note(
      'events/s, hold model (pop one, push one; exponential increments, mean 1 ms), best of 5 trials of >= 0.3 s, taken in turns',
    );
    report.table(rows);
  },
});
