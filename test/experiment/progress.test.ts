/**
 * Batch progress as a person sees it: plain lines when stderr is not a terminal, and on a terminal
 * a bar whose notes (a Ctrl-C) and final line replay onto a small screen model without garbling.
 */
import { expect, it } from 'vitest';
import { createProgress, formatWallTime, type BatchProgress } from '../../src/experiment/progress.ts';

/**
 * The part of a VT100 the bar uses: printable text, CR, LF, ESC 7 / ESC 8 (save and restore the
 * cursor), CSI n G (column), CSI K variants (erase line); other sequences are ignored.
 */
class Screen {
  lines: string[] = [''];
  private row = 0;
  private col = 0;
  private saved: [number, number] = [0, 0];
  readonly isTTY = true;
  readonly columns = 200;

  write(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\x1b') {
        const next = text[i + 1];
        if (next === '7') this.saved = [this.row, this.col];
        else if (next === '8') [this.row, this.col] = this.saved;
        if (next !== '[') {
          i++;
          continue;
        }
        const m = /^\[([?\d;]*)([A-Za-z])/.exec(text.slice(i + 1))!;
        if (m[2] === 'G') this.col = Number(m[1] || '1') - 1;
        else if (m[2] === 'K') this.lines[this.row] = m[1] === '2' ? '' : this.lines[this.row]!.slice(0, this.col);
        i += m[0].length;
      } else if (c === '\r') this.col = 0;
      else if (c === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push('');
      } else {
        const line = this.lines[this.row]!.padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
    return true;
  }
}

/** Progress as plain lines (no terminal) collected in `out`, on a clock the test sets (`clock.t`, s). */
function plainLines(experiment?: string): { out: string[]; clock: { t: number }; p: BatchProgress } {
  const out: string[] = [];
  const clock = { t: 0 };
  const p = createProgress({ write: (s: string) => out.push(s) }, experiment, () => clock.t);
  return { out, clock, p };
}

it('without a terminal: one plain line per run and per note', () => {
  const { out, p } = plainLines();
  p.start(3, 1);
  p.runDone('p0-s2', 0.5);
  p.note('SIGINT: no new runs started');
  p.finish();
  expect(out.join('')).toBe('[2/3] p0-s2 done in 0.50s\nSIGINT: no new runs started\n');
});

it('on a terminal: a note mid-batch, then the line after the bar, each keep a line of their own', () => {
  const screen = new Screen();
  const p = createProgress(screen);
  p.start(4, 0);
  p.runDone('p0-s1', 0.25);
  p.note('SIGINT: no new runs started; waiting for runs in flight');
  p.runDone('p0-s2', 0.25);
  p.finish();
  screen.write('interrupted: 2 of 4 runs stored\n');
  const text = screen.lines.map((l) => l.trimEnd()).filter(Boolean);
  expect(text).toHaveLength(3);
  expect(text[0]).toBe('SIGINT: no new runs started; waiting for runs in flight');
  expect(text[1]).toMatch(/^runs .* 2\/4 \| last p0-s2 0\.25s \| ETA /);
  expect(text[2]).toBe('interrupted: 2 of 4 runs stored');
});

it('formats durations without "1m60s": rounded first, then split', () => {
  expect([0, 4.4, 59.4, 59.6, 60, 119.6, 125, 3599.4, 3599.6, 3725].map(formatWallTime)).toEqual([
    '0s',
    '4s',
    '59s',
    '1m00s',
    '1m00s',
    '2m00s',
    '2m05s',
    '59m59s',
    '1h00m',
    '1h02m',
  ]);
});

it('without a terminal: names the experiment, and a long run reports its simulated time every 10 s', () => {
  const { out, clock, p } = plainLines('time-wait');
  p.start(2, 0);
  p.runStarted('p0-s1', 90);
  p.runStarted('p1-s1', 90);
  clock.t = 5;
  p.runProgress('p0-s1', 30); // under 10 s since the start: no line
  clock.t = 10;
  p.runProgress('p0-s1', 45); // half a run of two in 10 s: 1.5 runs left at that rate is 30 s
  clock.t = 12;
  p.runDone('p0-s1', 12);
  clock.t = 24;
  p.runProgress('p1-s1', 9.5);
  p.finish();
  expect(out).toEqual([
    'time-wait [0/2] p0-s1 at 45 of 90 s simulated, ETA 30s\n',
    'time-wait [1/2] p0-s1 done in 12.0s\n',
    'time-wait [1/2] p1-s1 at 9.5 of 90 s simulated, ETA 19s\n',
  ]);
});

it('the ETA weighs runs by their work: a costly run done first does not make the rest look costly', () => {
  const { out, clock, p } = plainLines('syn-flood');
  // One run of weight 8 and two of weight 1 (cost estimates), the heavy one first (--jobs 2 order).
  p.start(3, 0, 10);
  p.runStarted('p2-s1', 10, 8);
  p.runStarted('p0-s1', 10, 1);
  clock.t = 16;
  p.runDone('p0-s1', 16);
  p.runProgress('p2-s1', 5); // 1 + 8 x 1/2 = 5 of 10 done in 16 s: 16 s left (equal weights said 32 s)
  clock.t = 24;
  p.runDone('p2-s1', 24);
  p.runStarted('p1-s1', 10, 1);
  clock.t = 34;
  p.runProgress('p1-s1', 5); // 9.5 of 10 done in 34 s: 1.8 s left (equal weights: 13.6 s)
  p.finish();
  expect(out).toEqual([
    'syn-flood [1/3] p0-s1 done in 16.0s\n',
    'syn-flood [1/3] p2-s1 at 5.0 of 10 s simulated, ETA 16s\n',
    'syn-flood [2/3] p2-s1 done in 24.0s\n',
    'syn-flood [2/3] p1-s1 at 5.0 of 10 s simulated, ETA 2s\n',
  ]);
});

it("the ETA follows where a run's work falls in simulated time, not the simulated time alone", () => {
  const { out, clock, p } = plainLines('star-1m');
  p.start(1, 0, 100);
  // Connections open over the first 11 of 72 simulated seconds, then TIME-WAIT runs out.
  p.runStarted('p0-s1', 72, 100, (sim_s) => Math.min(1, sim_s / 11));
  clock.t = 30;
  p.runProgress('p0-s1', 5.5); // half the work in 30 s: 30 s left (by simulated time, 5.5 of 72: 6m03s)
  clock.t = 61;
  p.runProgress('p0-s1', 11); // all the work the estimate knows of: only the TIME-WAIT tail is left
  p.finish();
  expect(out).toEqual([
    'star-1m [0/1] p0-s1 at 5.5 of 72 s simulated, ETA 30s\n',
    'star-1m [0/1] p0-s1 at 11 of 72 s simulated, ETA 0s\n',
  ]);
});

it('on a terminal: the bar names the experiment and the runs in flight with their simulated time', () => {
  const screen = new Screen();
  let t = 0;
  const p = createProgress(screen, 'syn-flood', () => t);
  p.start(3, 0);
  p.runStarted('p2-s1', 60);
  t = 30;
  p.runProgress('p2-s1', 30);
  p.finish();
  const text = screen.lines.map((l) => l.trimEnd()).filter(Boolean);
  expect(text).toHaveLength(1);
  expect(text[0]).toMatch(/^syn-flood .* 0\/3 \| running p2-s1 30\/60 s \| ETA 2m30s$/);
});
