/**
 * The batch runner: runs every RunSpec of an experiment (or of one shard of it) on a worker pool,
 * stores each finished run at once in `<out>/.runs/` (src/experiment/store.ts), then writes the
 * results folder (docs/design.md part 2) and asks the report for figures.
 *
 * Rerunning the same command after an interruption resumes: stored runs with the same key are
 * not run again. Ctrl-C (SIGINT) or SIGTERM stops handing out runs and lets the ones in flight
 * finish and be stored (a second signal abandons them), prints a note and exits 130 (143).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { makePlan } from './plan.ts';
import { executeTasks, StopControl } from './pool.ts';
import { createProgress, type ProgressStream } from './progress.ts';
import { writeResults } from './results-writer.ts';
import { checkShard, manifestName, shardRuns, writeManifest, type ShardSpec } from './shard.ts';
import type { ExperimentSpec, RunSpec } from './spec-types.ts';
import { RunStore } from './store.ts';
import { DEFAULT_RUNNER, type RunTask } from './worker.ts';

export interface BatchOptions {
  outDir: string;
  /** Worker threads; 1 runs in-process. 0 or less = os.availableParallelism(). */
  jobs: number;
  /** Keep traces (trace.jsonl); also on when the experiment sets `trace: true`. */
  trace: boolean;
  /** Keep captures (*.pcap); also on when the experiment sets `pcap: true`. */
  pcap: boolean;
  /** Run only runs whose index mod count == index; write a shard folder (merge with mergeShards). */
  shard?: ShardSpec;
  experiment: ExperimentSpec;
  /** The spec as loaded after --set overrides; written as summary.json's `spec`. */
  rawSpec: unknown;
  /** URL of the module exporting `executeRun` (default src/experiment/run.ts); tests inject fakes. */
  runner?: string;
  /**
   * Called with the results folder once it is assembled (not for a shard): the CLI passes the
   * report's figure drawing here, since the report sits above this layer.
   */
  onAssembled?: (dir: string) => Promise<unknown>;
  /** Where progress and notes go (default process.stderr). */
  stderr?: ProgressStream;
  /**
   * On SIGINT/SIGTERM: true (default) exits the process with 130/143 after the note; false throws
   * a BatchError with that exitCode instead (for embedding and tests).
   */
  exitOnSignal?: boolean;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function runBatch(runs: RunSpec[], options: BatchOptions): Promise<void> {
  const stderr = options.stderr ?? process.stderr;
  const trace = options.trace || options.experiment.trace;
  const pcap = options.pcap || options.experiment.pcap;
  const jobs = options.jobs >= 1 ? Math.floor(options.jobs) : availableParallelism();
  const shard = options.shard && options.shard.count > 1 ? options.shard : undefined;
  if (options.shard) checkShard(options.shard);

  const plan = makePlan(runs, options.experiment.name, options.rawSpec, trace, pcap);
  const mine = shard ? shardRuns(runs, shard) : runs;
  const keys = new Map(plan.runs.map((p) => [p.id, p.key]));
  const store = new RunStore(join(options.outDir, '.runs'));
  await store.open();

  const pending: RunTask[] = [];
  for (const run of mine) {
    const key = keys.get(run.id)!;
    if (await store.finished(run.id, key, { trace, pcap })) continue;
    pending.push({ run, key, storeDir: resolve(store.dir), opts: { trace, pcap }, runner: options.runner ?? DEFAULT_RUNNER });
  }

  const progress = createProgress(stderr, options.experiment.name);
  const label = shard ? ` (shard ${shard.index}/${shard.count})` : '';
  const already = mine.length - pending.length;
  if (already > 0) progress.note(`resuming: ${already} of ${mine.length} runs${label} already stored in ${store.dir}`);
  progress.start(mine.length, already);

  const stop = new StopControl();
  let signal: string | null = null;
  const onSignal = (name: NodeJS.Signals): void => {
    if (signal === null) {
      signal = name;
      stop.request();
      progress.note(`${name}: no new runs started; waiting for runs in flight (again to abandon them)`);
    } else {
      stop.abandon();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await executeTasks(pending, {
      jobs, stop,
      onStart: (t) => progress.runStarted(t.run.id, t.run.spec.duration / 1e9),
      onProgress: (t, sim_s) => progress.runProgress(t.run.id, sim_s),
      onDone: (r) => progress.runDone(r.id, r.wall_s),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.finish();
  }

  if (signal !== null) {
    const stored = await countStored(store, mine.map((r) => ({ id: r.id, key: keys.get(r.id)! })), { trace, pcap });
    const code = SIGNAL_EXIT[signal] ?? 130;
    const message = `interrupted: ${stored} of ${mine.length} runs${label} stored in ${store.dir}; rerun the same command to resume`;
    if (options.exitOnSignal === false) throw new BatchError(BatchErrorCode.interrupted, message, code);
    stderr.write(message + '\n');
    process.exit(code);
  }

  if (shard) {
    await writeManifest(options.outDir, { format: 'tcplab-shard/1', shard, runIds: mine.map((r) => r.id), plan });
    stderr.write(
      `shard ${shard.index}/${shard.count} done: ${mine.length} runs in ${options.outDir} (${manifestName(shard)}); ` +
        `join the shards with: tcplab merge <shard folders...> --out <dir>\n`,
    );
    return;
  }

  await writeResults(options.outDir, plan, store);
  if (options.onAssembled) await options.onAssembled(options.outDir);
}

async function countStored(store: RunStore, runs: { id: string; key: string }[], needs: { trace: boolean; pcap: boolean }): Promise<number> {
  let n = 0;
  for (const r of runs) if (await store.finished(r.id, r.key, needs)) n++;
  return n;
}
