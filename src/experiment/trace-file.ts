/**
 * The streaming trace writer: trace lines go to a temporary file in the run store as the
 * simulation makes them, in pieces of about a megabyte, instead of one string built in memory (a
 * 200 s flood at 10 000 SYN/s reached 1.8 GB and died with "Invalid string length", issue 13).
 * Writes are synchronous: the simulation waits for the disk, which is the back-pressure, and the
 * writer never holds more than one piece.
 *
 * A size budget (`--trace-limit`, output-budget.ts, shared with the run's captures) bounds one
 * run's outputs: the record that would cross it is not written; a last `trace-limit` record says
 * when and why the trace stops, and the simulation goes on untraced. The file becomes the stored
 * trace by rename (store.ts), so a reader never sees a torn trace.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Nanos } from '../sim/time.ts';
import { tempPathFor } from './atomic-write.ts';
import type { OutputBudget, OutputLimited } from './output-budget.ts';

/** Pieces of about this many characters are written at once. */
const PIECE = 1 << 20;

/** What became of a run's streamed trace (plain data: it crosses the worker boundary). */
export interface StreamedTrace {
  /** The temporary file holding the trace, renamed into the store when the run is saved. */
  tempPath: string;
  /** Bytes written (the `trace-limit` record included). */
  bytes: number;
  /** Set when the budget stopped the trace: the budget and the simulated time (s) it was reached. */
  limited?: OutputLimited;
}

export class TraceFileWriter {
  readonly tempPath: string;
  private fd: number;
  private piece: string[] = [];
  private pieceLength = 0;
  private bytes = 0;
  private stopped = false;

  /**
   * @param target the stored trace's path (the temporary file sits beside it)
   * @param budget the run's output budget (shared with its captures)
   */
  constructor(
    target: string,
    private readonly budget: OutputBudget,
  ) {
    mkdirSync(dirname(target), { recursive: true });
    this.tempPath = tempPathFor(target);
    this.fd = openSync(this.tempPath, 'w');
  }

  /**
   * Appends one line (without its newline), a record of simulated time `t`. False once the budget
   * is reached: stop calling.
   */
  line(text: string, t: Nanos): boolean {
    if (this.stopped) return false;
    const size = Buffer.byteLength(text, 'utf8') + 1;
    if (!this.budget.take(size, t)) return false;
    this.piece.push(text, '\n');
    this.pieceLength += size;
    this.bytes += size;
    if (this.pieceLength >= PIECE) this.flush();
    return true;
  }

  /** Ends the trace at the budget with a record saying so (it may cross the budget by its own size). */
  stop(record: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.piece.push(record, '\n');
    this.pieceLength += record.length + 1;
    this.bytes += Buffer.byteLength(record, 'utf8') + 1;
  }

  /** Flushes, syncs and closes the file; what the store needs to adopt it. */
  close(): StreamedTrace {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    const out: StreamedTrace = { tempPath: this.tempPath, bytes: this.bytes };
    const limited = this.budget.limited;
    if (limited !== undefined) out.limited = limited;
    return out;
  }

  /** Closes and removes the file (the run failed). */
  discard(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tempPath, { force: true });
  }

  private flush(): void {
    if (this.pieceLength === 0) return;
    const buf = Buffer.from(this.piece.join(''), 'utf8');
    this.piece = [];
    this.pieceLength = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
  }
}
