/**
 * A simulation context. There is no global simulator: whatever needs the clock is handed a Sim,
 * so many worlds can run in one process (every test builds its own).
 *
 * Events carry a handler object, a small integer tag and an optional datum instead of a closure,
 * so scheduling allocates nothing on the hot path: a link schedules `(link, DELIVER, packet)`.
 * The datum's type is the handler's: `EventHandler<Packet>` receives a Packet, checked where the
 * event is scheduled (Sim.at), so no handler casts an `unknown`.
 */
import { EventQueue, type EventId } from './event-queue.ts';
import type { Nanos } from './time.ts';

export type { EventId } from './event-queue.ts';

/** Receives its events; `D` is the datum its events carry (undefined: none). */
export interface EventHandler<D = undefined> {
  onEvent(sim: Sim, tag: number, data: D): void;
}

export interface RunOptions {
  /** Run events at or before this time; `now` is then set to `until` (never moved back). */
  until?: Nanos;
  /** Stop after this many events (a guard for runaway models). */
  maxEvents?: number;
}

/**
 * The watchdog: this many events at one simulated instant means time has stopped advancing (a
 * timer re-arming itself with a zero delay), not a burst: a 100 000-client start is a tenth of it.
 */
export const MAX_EVENTS_AT_ONE_INSTANT = 5_000_000;

/** Thrown by Sim.run when simulated time stops advancing; names the handler that kept firing. */
export class SimulationStalled extends Error {
  constructor(
    readonly time: Nanos,
    readonly handler: string,
    readonly tag: number,
  ) {
    super(
      `simulated time stopped advancing: ${MAX_EVENTS_AT_ONE_INSTANT} events at t = ${time} ns, the last one a ${handler} timer (tag ${tag}); a timer that re-arms with no delay?`,
    );
    this.name = 'SimulationStalled';
  }
}

export class Sim {
  // Handlers of every datum type share the queue: Sim.at pairs each datum with its handler's type.
  private queue = new EventQueue<EventHandler<never>>();
  private current: Nanos = 0;
  private processed = 0;
  private stopped = false;

  get now(): Nanos {
    return this.current;
  }

  /** Events run so far. */
  get events(): number {
    return this.processed;
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Schedules `handler.onEvent(sim, tag, data)` at absolute time `time` (finite, never in the
   * past). `tag` is a small integer the handler switches on.
   */
  at(time: Nanos, handler: EventHandler<undefined>, tag?: number): EventId;
  at<D>(time: Nanos, handler: EventHandler<D>, tag: number, data: NoInfer<D>): EventId;
  at<D>(time: Nanos, handler: EventHandler<D>, tag = 0, data?: D): EventId {
    if (!(time >= this.current && time < Infinity))
      throw new RangeError(`cannot schedule at ${time} ns: now is ${this.current} ns`);
    return this.queue.push(time, handler as EventHandler<never>, tag, data);
  }

  /** Schedules after a delay from now. */
  after(delay: Nanos, handler: EventHandler<undefined>, tag?: number): EventId;
  after<D>(delay: Nanos, handler: EventHandler<D>, tag: number, data: NoInfer<D>): EventId;
  after<D>(delay: Nanos, handler: EventHandler<D>, tag = 0, data?: D): EventId {
    return this.at(this.current + delay, handler, tag, data as D);
  }

  /** Cancels a scheduled event; false if it already ran or was cancelled. */
  cancel(id: EventId): boolean {
    return this.queue.cancel(id);
  }

  /** Time of the next event, or Infinity. */
  nextEventTime(): Nanos {
    return this.queue.peekTime();
  }

  /** Makes `run` return after the event being processed (called outside run, it has no effect). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events in (time, insertion order) until none is left, the next is later than `until`,
   * `maxEvents` have run, or a handler calls stop(). `now` ends at `until` if every event up to it
   * ran (and not stopped), otherwise at the time of the last event run.
   */
  run(options: RunOptions = {}): void {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    const queue = this.queue;
    this.stopped = false;
    let budget = maxEvents;
    let sameInstant = 0;
    while (budget-- > 0 && !this.stopped) {
      if (!queue.popUntil(until)) break;
      if (queue.poppedTime !== this.current) sameInstant = 0;
      else if (++sameInstant >= MAX_EVENTS_AT_ONE_INSTANT) {
        throw new SimulationStalled(this.current, queue.poppedHandler?.constructor.name ?? 'unknown', queue.poppedTag);
      }
      this.current = queue.poppedTime;
      const handler = queue.poppedHandler!;
      const data = queue.poppedData;
      queue.poppedHandler = undefined; // hold no reference to finished work
      queue.poppedData = undefined;
      this.processed++;
      handler.onEvent(this, queue.poppedTag, data as never); // the datum Sim.at took with this handler
    }
    if (until !== Infinity && !this.stopped && this.current < until && queue.peekTime() > until) this.current = until;
  }
}
