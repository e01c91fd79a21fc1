/**
 * Helpers for the whole-model tests: an experiment written inline as YAML, loaded and validated as
 * the CLI does, each run executed by the real executeRun (network, stacks, apps, metrics), and
 * readers for what comes back (metrics, one gauge's time series, trace records).
 */
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperimentText } from '../../src/experiment/load.ts';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { RunSpec } from '../../src/experiment/spec-types.ts';
import type { PointValues } from '../../src/schema/results.ts';

export const FILE = 'experiments/world-test.yaml';

/** The runs of an inline experiment (every sweep point × seed); throws with the problems if it is invalid. */
export function specRuns(yaml: string, set: readonly string[] = []): RunSpec[] {
  const r = loadExperimentText(yaml, FILE, { set });
  if (!r.ok) throw new Error(`invalid spec:\n${r.errors.map(formatSpecError).join('\n')}`);
  return r.value.runs;
}

export interface RunOptions {
  set?: readonly string[];
  trace?: boolean;
  pcap?: boolean;
}

/** Executes every run of the experiment, in order. */
export function runAll(yaml: string, opts: RunOptions = {}): { point: PointValues; seed: number; out: RunOutput }[] {
  return specRuns(yaml, opts.set).map((run) => ({
    point: run.point,
    seed: run.seed,
    out: executeRun(run, { trace: opts.trace ?? false, pcap: opts.pcap ?? false }),
  }));
}

/** Executes the experiment's only run. */
export function runOne(yaml: string, opts: RunOptions = {}): RunOutput {
  const all = runAll(yaml, opts);
  if (all.length !== 1) throw new Error(`expected one run, the spec has ${all.length}`);
  return all[0]!.out;
}

/** A number metric (throws when missing or not a number, so a renamed metric fails loudly). */
export function metric(out: RunOutput, name: string): number {
  const v = out.metrics[name];
  if (typeof v !== 'number') throw new Error(`metric ${name} is ${JSON.stringify(v)}`);
  return v;
}

/** One gauge's samples as [t_s, value] pairs. */
export function series(out: RunOutput, node: string, name: string): [number, number][] {
  const ts = out.timeseries;
  const rows: [number, number][] = [];
  for (let i = 0; i < ts.t_s.length; i++)
    if (ts.node[i] === node && ts.metric[i] === name) rows.push([ts.t_s[i]!, ts.value[i]!]);
  return rows;
}

export type TraceLine = Record<string, unknown> & { t: number; node: string; ev: string };

/** The run's trace records (it must have been run with trace: true). */
export function traceOf(out: RunOutput): TraceLine[] {
  if (out.trace === undefined) throw new Error('run without trace');
  return out.trace
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TraceLine);
}

/** tcpdump-like lines of one node's packet records: "0.010 tx S." (time in ms, 3 decimals). */
export function packets(trace: readonly TraceLine[], node: string, ev: 'tx' | 'rx' | 'both' = 'both'): string[] {
  return trace
    .filter((r) => r.node === node && (ev === 'both' ? r.ev === 'tx' || r.ev === 'rx' : r.ev === ev))
    .map((r) => `${(r.t * 1000).toFixed(3)} ${r.ev} ${String(r['flags'])}`);
}
