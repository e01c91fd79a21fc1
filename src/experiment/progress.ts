/**
 * Batch progress on stderr (never stdout, which stays free for results): a cli-progress bar on a
 * terminal, plain lines otherwise (CI logs, `2> file`), e.g. `syn-flood [3/40] p1-s2 done in 1.2s`.
 * It names the experiment and the runs in flight with their simulated time, which workers report
 * while a run goes on (a long run moves the bar rather than freezing it), and the ETA counts the
 * work done by the runs in flight. Runs can weigh differently (the batch passes each run's cost
 * estimate): the ETA is the time so far scaled by the work left over the work done, so a batch
 * that runs its costliest runs first (`--jobs` > 1) is not told it has hours left while it does
 * them. Within a run, the batch says where its work falls in simulated time: a run whose
 * connections all open in its first 11 of 72 simulated seconds is mostly done at 11 s, not at
 * 11/72. Progress is the one place wall-clock time shows up; it is not part of any results file.
 */
import cliProgress from 'cli-progress';

/** A stream to write progress to: stderr in the CLI, a buffer in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface BatchProgress {
  /**
   * `done` runs of `total` were already stored before this batch started; the runs left weigh
   * `work` in all (default: one per run).
   */
  start(total: number, done: number, work?: number): void;
  /**
   * A run began; it simulates `duration_s` seconds and weighs `work` (default 1). `doneAt` gives
   * the share of its work done once it has simulated sim_s seconds (default sim_s / duration_s).
   */
  runStarted(id: string, duration_s: number, work?: number, doneAt?: (sim_s: number) => number): void;
  /** A run in flight has simulated up to `sim_s`. */
  runProgress(id: string, sim_s: number): void;
  runDone(id: string, wall_s: number): void;
  /** A line of its own (a resume note, an interruption). */
  note(text: string): void;
  finish(): void;
}

/** Plain lines: at most one progress line per run in flight per this many wall seconds. */
const LINE_EVERY_S = 10;

/** `now` in seconds is injectable so tests need no clock. */
export function createProgress(
  stream: ProgressStream,
  experiment = '',
  now: () => number = () => performance.now() / 1000,
): BatchProgress {
  return stream.isTTY ? new BarProgress(stream, experiment, now) : new LineProgress(stream, experiment, now);
}

interface InFlight {
  duration_s: number;
  sim_s: number;
  /** Its weight in the ETA. */
  work: number;
  /** The share of its work done at a simulated time. */
  doneAt: (sim_s: number) => number;
  /** Wall time of the last line printed about it (plain lines). */
  shownAt: number;
}

/** Counts and the ETA shared by both displays. */
class Tally {
  total = 0;
  done = 0;
  /** Work of the runs this batch has to do (runs stored before it, when resuming, are not part of it). */
  private toDo = 0;
  /** Work of the runs this batch finished. */
  private finished = 0;
  private startedAt = 0;
  readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly now: () => number) {}

  start(total: number, done: number, work = total - done): void {
    this.total = total;
    this.done = done;
    this.toDo = work;
    this.finished = 0;
    this.startedAt = this.now();
  }

  started(
    id: string,
    duration_s: number,
    work: number,
    shownAt: number,
    doneAt: (sim_s: number) => number = (s) => (duration_s > 0 ? s / duration_s : 0),
  ): void {
    this.inFlight.set(id, { duration_s, sim_s: 0, work, doneAt, shownAt });
  }

  ended(id: string): void {
    this.finished += this.inFlight.get(id)?.work ?? 0;
    this.inFlight.delete(id);
    this.done++;
  }

  /** Work done in this batch: finished runs plus the share done of those in flight. */
  private work(): number {
    let w = this.finished;
    for (const r of this.inFlight.values()) w += r.work * Math.min(1, Math.max(0, r.doneAt(r.sim_s)));
    return w;
  }

  /** Seconds left at the rate so far, or undefined before there is a rate. */
  eta(): number | undefined {
    const w = this.work();
    const elapsed = this.now() - this.startedAt;
    if (w <= 0 || elapsed <= 0) return undefined;
    return (elapsed * Math.max(0, this.toDo - w)) / w;
  }

  /** "p23-s1 45/90 s" for each run in flight. */
  active(): string {
    return [...this.inFlight].map(([id, r]) => `${id} ${formatSim(r.sim_s)}/${formatSim(r.duration_s)} s`).join(', ');
  }
}

class LineProgress implements BatchProgress {
  private readonly tally: Tally;
  private readonly prefix: string;

  constructor(
    private readonly stream: ProgressStream,
    experiment: string,
    private readonly now: () => number,
  ) {
    this.tally = new Tally(now);
    this.prefix = experiment === '' ? '' : `${experiment} `;
  }

  start(total: number, done: number, work?: number): void {
    this.tally.start(total, done, work);
  }

  runStarted(id: string, duration_s: number, work = 1, doneAt?: (sim_s: number) => number): void {
    this.tally.started(id, duration_s, work, this.now(), doneAt);
  }

  runProgress(id: string, sim_s: number): void {
    const r = this.tally.inFlight.get(id);
    if (r === undefined) return;
    r.sim_s = sim_s;
    const t = this.now();
    if (t - r.shownAt < LINE_EVERY_S) return;
    r.shownAt = t;
    const eta = this.tally.eta();
    this.stream.write(
      `${this.prefix}[${this.tally.done}/${this.tally.total}] ${id} at ${formatSim(sim_s)} of ${formatSim(r.duration_s)} s simulated${eta === undefined ? '' : `, ETA ${formatWallTime(eta)}`}\n`,
    );
  }

  runDone(id: string, wall_s: number): void {
    this.tally.ended(id);
    this.stream.write(
      `${this.prefix}[${this.tally.done}/${this.tally.total}] ${id} done in ${formatSeconds(wall_s)}\n`,
    );
  }

  note(text: string): void {
    this.stream.write(text + '\n');
  }

  finish(): void {}
}

class BarProgress implements BatchProgress {
  private bar: cliProgress.SingleBar;
  private readonly tally: Tally;
  private active = false;
  private last = '-';

  constructor(
    private readonly stream: ProgressStream,
    private readonly experiment: string,
    now: () => number,
  ) {
    this.tally = new Tally(now);
    this.bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WritableStream,
      // Our own ETA (cli-progress's counts only finished runs and prints 1m60s-style times).
      format: `${experiment === '' ? 'runs' : experiment} {bar} {value}/{total} | {running} | ETA {eta_text}`,
      hideCursor: true,
      fps: 5,
    });
  }

  private payload(): Record<string, string> {
    const eta = this.tally.eta();
    const running = this.tally.active();
    return {
      running: running === '' ? `last ${this.last}` : `running ${running}`,
      eta_text: eta === undefined ? '…' : formatWallTime(eta),
    };
  }

  start(total: number, done: number, work?: number): void {
    this.tally.start(total, done, work);
    this.bar.start(total, done, this.payload());
    this.active = true;
  }

  runStarted(id: string, duration_s: number, work = 1, doneAt?: (sim_s: number) => number): void {
    this.tally.started(id, duration_s, work, 0, doneAt);
    if (this.active) this.bar.update(this.tally.done, this.payload());
  }

  runProgress(id: string, sim_s: number): void {
    const r = this.tally.inFlight.get(id);
    if (r === undefined) return;
    r.sim_s = sim_s;
    if (this.active) this.bar.update(this.tally.done, this.payload());
  }

  runDone(id: string, wall_s: number): void {
    this.tally.ended(id);
    this.last = `${id} ${formatSeconds(wall_s)}`;
    this.bar.update(this.tally.done, this.payload());
  }

  note(text: string): void {
    if (!this.active) {
      this.stream.write(text + '\n');
      return;
    }
    // Clear the bar's line and print the note there, wrapped if long (the bar turns wrapping off,
    // ESC[?7l). The bar then moves one line down: save the cursor there (ESC 7), because the bar's
    // stop() restores the position saved at its start (ESC 8), which is now the note's line, and a
    // later line would overwrite the bar's text only in part.
    this.stream.write(`\r\x1b[2K\x1b[?7h${text}\n\x1b[?7l\x1b7`);
    this.bar.render();
  }

  finish(): void {
    if (this.active) {
      this.bar.update(this.tally.done, this.payload());
      this.bar.stop();
    }
    this.active = false;
  }
}

function formatSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(1)}s` : `${s.toFixed(2)}s`;
}

/** Simulated seconds: whole above 10 s, one decimal below. */
function formatSim(s: number): string {
  return s >= 10 ? String(Math.floor(s)) : (Math.floor(s * 10) / 10).toFixed(1);
}

/**
 * A duration for people: "42s", "3m05s", "1h02m". Rounded to the unit shown first, then split,
 * so 119.6 s is "2m00s", never "1m60s".
 */
export function formatWallTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
