/**
 * `tcplab run --profile`: where the wall time of a run command goes, phase by phase (issue 14).
 * Phases of the command itself (parse, validate, expand, write, figures) are wall time on the
 * command's thread; phases of the runs (model, build, simulate, collect, store) are measured where the runs
 * execute (the command's thread, or worker threads) and summed over runs, so with several threads they
 * can add up to more than the wall time.
 *
 * Loading reports its phases through `timed` without taking a profile argument: while a profile is
 * active (between `start` and `stop`) it is the one that hears them; otherwise `timed` only calls.
 */

import type { RunPlacement } from './pool.ts';

/** The phases in the order a run command goes through them. */
export const PHASES = [
  'startup',
  'parse',
  'validate',
  'expand',
  'model',
  'build',
  'simulate',
  'collect',
  'store',
  'write',
  'figures',
] as const;

const WHAT: Record<string, string> = {
  startup: 'process start to the command (Node, module loading)',
  parse: 'reading and parsing YAML',
  validate: 'overrides, topology and spec validation',
  expand: 'sweep points applied and validated',
  model: "loading the model: its import on the command's thread, or pool start to loaded per worker thread (summed)",
  build: 'world building per run (summed over runs)',
  simulate: 'simulation per run (summed over runs)',
  collect: 'metrics, samples, trace close per run (summed)',
  store: 'storing each run in .runs/ (summed)',
  write: 'results folder: CSV, JSON, trace, captures',
  figures: 'figures and index.html',
};

export class Profile {
  readonly ms = new Map<string, number>();
  runs = 0;
  /** Where batches ran their runs (executeTasks' onPlacement). */
  private readonly placements = new Set<RunPlacement>();

  placed(where: RunPlacement): void {
    this.placements.add(where);
  }

  add(phase: string, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }

  addRun(phases: Record<string, number>): void {
    this.runs++;
    for (const [p, ms] of Object.entries(phases)) this.add(p, ms);
  }

  /** The table printed after the run: one line per phase, then the wall time and peak memory. */
  format(wallMs: number, threads: number): string {
    const places = [
      ...(this.placements.has('here') ? ["the command's own thread"] : []),
      ...(this.placements.has('threads') ? [`${threads} worker thread${threads === 1 ? '' : 's'}`] : []),
    ];
    const lines = [
      this.runs === 0
        ? 'profile: no run executed (every run was already stored)'
        : `profile: ${this.runs} run${this.runs === 1 ? '' : 's'} on ${places.join(' and ')}`,
    ];
    const names = [...PHASES, ...[...this.ms.keys()].filter((p) => !(PHASES as readonly string[]).includes(p))];
    for (const p of names) {
      // Every phase is listed, 0 when the command had none of it (no sweep to expand).
      const ms = this.ms.get(p) ?? 0;
      lines.push(`  ${p.padEnd(9)} ${(ms / 1000).toFixed(3).padStart(9)} s  ${WHAT[p] ?? ''}`.trimEnd());
    }
    // maxRSS covers every thread of the process (workers share it), in kilobytes.
    const peak = process.resourceUsage().maxRSS / 1024;
    lines.push(
      `  ${'total'.padEnd(9)} ${(wallMs / 1000).toFixed(3).padStart(9)} s  wall, process start to end; peak RSS ${peak.toFixed(0)} MB`,
    );
    return lines.join('\n') + '\n';
  }
}

let active: Profile | undefined;

/** Makes `profile` the one `timed` reports to (the CLI does, with --profile). */
export function startProfile(profile: Profile): void {
  active = profile;
}

export function stopProfile(): void {
  active = undefined;
}

/** Time spent in nested `timed` calls, per level: an outer phase does not count its inner ones. */
const nested: number[] = [];

/** Calls `body`; with a profile active, adds its wall time (less nested phases) to `phase`. */
export function timed<T>(phase: string, body: () => T): T {
  const profile = active;
  if (profile === undefined) return body();
  const t0 = performance.now();
  nested.push(0);
  try {
    return body();
  } finally {
    const took = performance.now() - t0;
    const inner = nested.pop()!;
    profile.add(phase, took - inner);
    if (nested.length > 0) nested[nested.length - 1]! += took;
  }
}
