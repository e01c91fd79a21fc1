/**
 * One run's size budget for the files it streams to disk (`--trace-limit`): the trace and every
 * node's capture draw on the same budget, so a run never writes more than the budget whatever it
 * keeps (issue 13: a 32-run sweep with --trace --pcap wrote 22 GB into `.runs/`).
 *
 * The first record, trace line or packet, that would cross the budget is not written, and from
 * that instant every output stops: the trace and the captures cover the same simulated span
 * [0, t), so what is in one can be found in the other. Records are offered in the simulation's
 * own order, so where the cut falls is deterministic.
 */
import { toSeconds, type Nanos } from '../sim/time.ts';

/** Where the budget stopped the outputs: the budget in bytes and the simulated time (s). */
export interface OutputLimited {
  limit: number;
  t_s: number;
}

export class OutputBudget {
  private used = 0;
  private stoppedAt: OutputLimited | undefined;
  private readonly onStop: ((t: Nanos) => void)[] = [];

  /** @param limit bytes; 0 = none */
  constructor(readonly limit: number) {}

  /** Where the outputs stopped, once they have. */
  get limited(): OutputLimited | undefined {
    return this.stoppedAt;
  }

  /**
   * Counts `bytes` a writer is about to write at simulated time `t`. False when they would cross
   * the budget (the outputs stop there, every writer is told) or the outputs already stopped.
   */
  take(bytes: number, t: Nanos): boolean {
    if (this.stoppedAt !== undefined) return false;
    if (this.limit > 0 && this.used + bytes > this.limit) {
      this.stoppedAt = { limit: this.limit, t_s: toSeconds(t) };
      for (const f of this.onStop) f(t);
      return false;
    }
    this.used += bytes;
    return true;
  }

  /** Counts bytes that are written whatever the budget (a capture's file header). */
  charge(bytes: number): void {
    this.used += bytes;
  }

  /** Calls `f` with the simulated time when the outputs stop. */
  whenStopped(f: (t: Nanos) => void): void {
    this.onStop.push(f);
  }
}
