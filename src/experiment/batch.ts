/**
 * The batch runner: runs every RunSpec of an experiment (or of one shard of it) on a worker pool,
 * stores each finished run at once, then writes the results folder (DESIGN.md part 2).
 * First version of the signature the CLI calls; the implementation follows.
 */
import type { ExperimentSpec, RunSpec } from './spec-types.ts';

export interface BatchOptions {
  outDir: string;
  /** Worker threads; 1 runs in-process. 0 or less = os.availableParallelism(). */
  jobs: number;
  trace: boolean;
  pcap: boolean;
  /** Run only runs whose index mod count == index; write a shard folder (merge with mergeShards). */
  shard?: { index: number; count: number };
  experiment: ExperimentSpec;
  /** The spec as loaded after --set overrides; written as summary.json's `spec`. */
  rawSpec: unknown;
}

export async function runBatch(runs: RunSpec[], options: BatchOptions): Promise<void> {
  void runs;
  void options;
  throw new Error('runBatch: not implemented yet');
}
