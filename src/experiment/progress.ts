/**
 * Batch progress on stderr (never stdout, which stays free for results): a cli-progress bar on a
 * terminal, plain lines otherwise (CI logs, `2> file`), e.g. `[3/40] p1-s2 done in 1.2s`.
 * Progress is the one place wall-clock time shows up; it is not part of any results file.
 */
import cliProgress from 'cli-progress';

/** A stream to write progress to: stderr in the CLI, a buffer in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface BatchProgress {
  /** `done` runs of `total` were already stored before this batch started. */
  start(total: number, done: number): void;
  runDone(id: string, wall_s: number): void;
  /** A line of its own (a resume note, an interruption). */
  note(text: string): void;
  finish(): void;
}

export function createProgress(stream: ProgressStream): BatchProgress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}

class LineProgress implements BatchProgress {
  private total = 0;
  private done = 0;
  constructor(private readonly stream: ProgressStream) {}

  start(total: number, done: number): void {
    this.total = total;
    this.done = done;
  }

  runDone(id: string, wall_s: number): void {
    this.done++;
    this.stream.write(`[${this.done}/${this.total}] ${id} done in ${formatSeconds(wall_s)}\n`);
  }

  note(text: string): void {
    this.stream.write(text + '\n');
  }

  finish(): void {}
}

class BarProgress implements BatchProgress {
  private bar: cliProgress.SingleBar;
  private done = 0;
  private active = false;

  constructor(private readonly stream: ProgressStream) {
    this.bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: 'runs {bar} {value}/{total} | last {last} | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 20,
      fps: 5,
    });
  }

  start(total: number, done: number): void {
    this.done = done;
    this.bar.start(total, done, { last: '-' });
    this.active = true;
  }

  runDone(id: string, wall_s: number): void {
    this.done++;
    this.bar.update(this.done, { last: `${id} ${formatSeconds(wall_s)}` });
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
    if (this.active) this.bar.stop();
    this.active = false;
  }
}

function formatSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(1)}s` : `${s.toFixed(2)}s`;
}
