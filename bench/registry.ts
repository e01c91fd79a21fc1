/**
 * The benchmark registry: each bench file registers named sections; bench/run.ts imports the files
 * and runs all sections or the ones named on the command line (`npm run bench -- scheduler`).
 * A section prints its own table through the `report` it is given, so output stays uniform.
 */
import { spawnSync } from 'node:child_process';

export interface BenchReport {
  /** Prints a table: one row per measurement, columns in the order of the first row's keys. */
  table(rows: Array<Record<string, string | number>>): void;
  /** Prints a line of free text (what was measured, caveats). */
  note(text: string): void;
}

export interface BenchSection {
  name: string;
  description: string;
  run(report: BenchReport): void | Promise<void>;
}

const sections: BenchSection[] = [];

export function registerSection(section: BenchSection): void {
  if (sections.some((s) => s.name === section.name))
    throw new Error(`bench section "${section.name}" registered twice`);
  sections.push(section);
}

export function registeredSections(): readonly BenchSection[] {
  return sections;
}

/** Runs `body` repeatedly until at least `minMs` of wall time has passed; returns operations per second. */
export function measureRate(opsPerCall: number, body: () => void, minMs = 300): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const minNs = BigInt(minMs) * 1_000_000n;
  while (elapsedNs < minNs) {
    body();
    ops += opsPerCall;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsedNs) / 1e9);
}

/**
 * Best of `trials` measurements of each candidate, taken in turns (a, b, c, a, b, c, …) so a slow
 * patch on a shared machine hurts every candidate alike. Returns one rate per candidate.
 */
export function bestOf(trials: number, candidates: Array<() => number>): number[] {
  const best = candidates.map(() => 0);
  for (let t = 0; t < trials; t++) {
    candidates.forEach((measure, i) => {
      best[i] = Math.max(best[i]!, measure());
    });
  }
  return best;
}

/** Formats a rate as "12.3 M/s". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/**
 * Runs a bench script in a fresh node process (so its memory and its JIT are its own) through tsx,
 * with the collector exposed when `exposeGc`, and returns the JSON line it prints last.
 */
export function childJson(script: string, args: string[], exposeGc: boolean): Record<string, string | number> {
  const nodeArgs = [...(exposeGc ? ['--expose-gc'] : []), '--import', 'tsx', script, ...args];
  const r = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string | number>;
}
