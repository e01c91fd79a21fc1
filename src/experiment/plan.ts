/**
 * The plan of a batch: which runs, in which order, with which keys, for which experiment and
 * spec. It is everything the results writer needs besides the stored runs, so a shard folder
 * carries it in its manifest and `mergeShards` can rebuild exactly the unsharded output.
 */
import type { PointValues } from '../schema/results.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { canonicalJson } from './csv.ts';
import { canonicalSha256 } from './canonical-hash.ts';
import { runKey } from './run-key.ts';
import type { RunSpec } from './spec-types.ts';

export interface PlannedRun {
  id: string;
  pointIndex: number;
  point: PointValues;
  seed: number;
  key: string;
}

export interface BatchPlan {
  /** The experiment's name (summary.json's `experiment`). */
  experiment: string;
  /** The spec as loaded, after --set overrides (summary.json's `spec`). */
  spec: unknown;
  trace: boolean;
  pcap: boolean;
  /** Every run of the batch, in RunSpec order (the order of every results file). */
  runs: PlannedRun[];
  /** Hash of all of the above: two shards belong to one batch iff their plan hashes agree. */
  hash: string;
}

export function makePlan(
  runs: readonly RunSpec[],
  experiment: string,
  spec: unknown,
  trace: boolean,
  pcap: boolean,
): BatchPlan {
  const seen = new Set<string>();
  const planned: PlannedRun[] = [];
  for (const r of runs) {
    if (seen.has(r.id)) throw new BatchError(BatchErrorCode.duplicateRun, `two runs have the id ${r.id}`, 1);
    seen.add(r.id);
    planned.push({ id: r.id, pointIndex: r.pointIndex, point: r.point, seed: r.seed, key: runKey(r) });
  }
  const hash = makePlanHash({ experiment, spec, trace, pcap, runs: planned });
  return { experiment, spec, trace, pcap, runs: planned, hash };
}

/** The hash a plan carries (and a shard manifest's plan must match). */
export function makePlanHash(plan: Omit<BatchPlan, 'hash'>): string {
  const { experiment, spec, trace, pcap, runs } = plan;
  return canonicalSha256({ experiment, spec: spec ?? null, trace, pcap, runs });
}

/**
 * Where two plans differ, for a message about shards that do not belong together: the first
 * differing field of the spec as `spec.<path>: <a> vs <b>`, else the --trace/--pcap flags, else
 * the run lists. '' when they agree.
 */
export function planDifference(a: BatchPlan, b: BatchPlan): string {
  const spec = firstDifference(a.spec, b.spec, 'spec');
  if (spec !== null) return spec;
  if (a.trace !== b.trace) return `--trace ${a.trace ? 'given' : 'not given'} vs ${b.trace ? 'given' : 'not given'}`;
  if (a.pcap !== b.pcap) return `--pcap ${a.pcap ? 'given' : 'not given'} vs ${b.pcap ? 'given' : 'not given'}`;
  return firstDifference(a.runs, b.runs, 'runs') ?? '';
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== null) return d;
    }
  }
  const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));
  return `${path}: ${show(a)} vs ${show(b)}`;
}
