/**
 * The plan of a batch: which runs, in which order, with which keys, for which experiment and
 * spec. It is everything the results writer needs besides the stored runs, so a shard folder
 * carries it in its manifest and `mergeShards` can rebuild exactly the unsharded output.
 */
import type { PointValues } from '../metrics/results.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { canonicalJson } from './csv.ts';
import { runKey, sha256 } from './run-key.ts';
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

export function makePlan(runs: readonly RunSpec[], experiment: string, spec: unknown, trace: boolean, pcap: boolean): BatchPlan {
  const seen = new Set<string>();
  const planned: PlannedRun[] = [];
  for (const r of runs) {
    if (seen.has(r.id)) throw new BatchError(BatchErrorCode.duplicateRun, `two runs have the id ${r.id}`, 1);
    seen.add(r.id);
    planned.push({ id: r.id, pointIndex: r.pointIndex, point: r.point, seed: r.seed, key: runKey(r) });
  }
  const hash = sha256(canonicalJson({ experiment, spec: spec ?? null, trace, pcap, runs: planned }));
  return { experiment, spec, trace, pcap, runs: planned, hash };
}
