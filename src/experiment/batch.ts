/**
 * The batch runner: runs every RunSpec of an experiment (or of one shard of it) on worker threads
 * or, one at a time, on the command's own thread (src/experiment/pool.ts), stores each finished run at once
 * in `<out>/.runs/` (src/experiment/store.ts), then writes the results folder (docs/design.md
 * part 2) and asks the report for figures.
 *
 * Rerunning the same command after an interruption resumes: stored runs with the same key are
 * not run again. Wherever runs execute, the command's thread hears signals within a few tens of
 * milliseconds while they simulate (a run on it hands back to the event loop between slices):
 * Ctrl-C (SIGINT) stops handing out runs and lets the ones in flight finish and be stored; a
 * second Ctrl-C, or SIGTERM (what schedulers send before SIGKILL), abandons them within a second
 * (their threads are terminated, a run on the command's thread stops at its next hand-back, and
 * their temporary files are removed). A signal while the results
 * folder is being written ends that too, removing its temporary files: every run is stored, and
 * a rerun writes the folder. Each prints a note and exits 130 (SIGINT) or 143 (SIGTERM).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { removeOwnTempsSync } from './atomic-write.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { makePlan } from './plan.ts';
import { longestFirst, runCost, workDoneAt } from './cost.ts';
import { SEC } from '../sim/time.ts';
import { executeTasks, StopControl, type WorkerPool } from './pool.ts';
import type { Profile } from './profile.ts';
import { createProgress, type ProgressStream } from './progress.ts';
import { onStopSignals, SIGNAL_EXIT, type StopSignal } from './stop-signals.ts';
import { writeResults } from './results-writer.ts';
import { checkShard, manifestName, shardRuns, writeManifest, type ShardSpec } from './shard.ts';
import type { ExperimentSpec, RunSpec } from './spec-types.ts';
import { RunStore } from './store.ts';
import { DEFAULT_RUNNER, type RunTask } from './worker.ts';

export interface BatchOptions {
  outDir: string;
  /** Runs at a time (one lane each: a worker thread, or the command's thread for one lane). 0 or less = os.availableParallelism(). */
  jobs: number;
  /** Worker threads to run on, kept after the batch (the CLI shares one across experiments). */
  pool?: WorkerPool;
  /**
   * No batch runs on `pool` after this one: its threads are stopped once the runs are stored,
   * before the results folder is written, so writing and drawing do not hold memory beside the
   * idle threads' heaps (on the 10 000-client star, about 10 MB off the peak).
   */
  lastOnPool?: boolean;
  /** Keep traces (trace.jsonl); also on when the experiment sets `trace: true`. */
  trace: boolean;
  /** Each run's trace and captures together stop at this many bytes, with a warning (--trace-limit); 0 or absent = none. */
  traceLimit?: number;
  /** Wall time per phase is added here (--profile). */
  profile?: Profile;
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

/** "1.0 GB", "512 MB", "4096 B": a byte count as the trace-limit warning shows it. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

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
  const traceLimit = trace || pcap ? Math.max(0, options.traceLimit ?? 0) : 0;
  const needs = { trace, pcap, traceLimit };

  const pending: RunTask[] = [];
  for (const run of mine) {
    const key = keys.get(run.id)!;
    if (await store.finished(run.id, key, needs)) continue;
    const opts = traceLimit > 0 ? { trace, pcap, traceLimit } : { trace, pcap };
    pending.push({
      run,
      key,
      storeDir: resolve(store.dir),
      opts,
      runner: options.runner ?? DEFAULT_RUNNER,
      ...(options.profile ? { profile: true } : {}),
    });
  }

  const progress = createProgress(stderr, options.experiment.name);
  const label = shard ? ` (shard ${shard.index}/${shard.count})` : '';
  const already = mine.length - pending.length;
  if (already > 0) progress.note(`resuming: ${already} of ${mine.length} runs${label} already stored in ${store.dir}`);
  // Runs weigh their estimated events in the ETA, so a batch doing its costliest runs first
  // (--jobs > 1) or a sweep whose last points are the heavy ones gets an ETA that means something.
  const costs = new Map(pending.map((t) => [t.run.id, runCost(t.run.spec, false)]));
  const eventsOf = (t: RunTask): number => costs.get(t.run.id)!.events;
  let workLeft = 0;
  for (const c of costs.values()) workLeft += c.events;
  progress.start(mine.length, already, workLeft);

  const stop = new StopControl();
  let signal: StopSignal | null = null;
  let assembling = false;
  const onSignal = (name: StopSignal): void => {
    if (assembling) {
      // Every run is stored: stop writing the folder, leaving no temporary file, and exit now.
      signal ??= name;
      if (options.exitOnSignal === false) return;
      removeOwnTempsSync(options.outDir);
      stderr.write(
        `${name}: stopped while writing ${options.outDir}; all ${mine.length} runs${label} are stored in ${store.dir}; rerun the same command to write the results\n`,
      );
      process.exit(SIGNAL_EXIT[name]);
    }
    if (signal === null && name === 'SIGINT') {
      signal = name;
      stop.request();
      progress.note(`${name}: no new runs started; waiting for runs in flight (again to abandon them)`);
    } else {
      signal ??= name;
      if (!stop.abandoned) progress.note(`${name}: abandoning the runs in flight`);
      stop.abandon();
    }
  };
  const stopListening = onStopSignals(onSignal);
  try {
    try {
      await executeTasks(jobs > 1 ? longestFirst(pending, eventsOf) : pending, {
        jobs,
        stop,
        ...(options.pool ? { pool: options.pool } : {}),
        onPlacement: (where) => options.profile?.placed(where),
        onStart: (t) => {
          const { events, spans } = costs.get(t.run.id)!;
          progress.runStarted(t.run.id, t.run.spec.duration / SEC, events, (sim_s) => workDoneAt(spans, sim_s * SEC));
        },
        onProgress: (t, sim_s) => progress.runProgress(t.run.id, sim_s),
        onDone: (r) => {
          progress.runDone(r.id, r.wall_s);
          if (r.phases) options.profile?.addRun(r.phases);
          if (r.limited) {
            const what = trace && pcap ? 'trace and captures' : trace ? 'trace' : 'captures';
            const after = trace && !pcap ? 'the run went on untraced' : 'the run went on without them';
            progress.note(
              `${r.id}: ${what} stopped at ${formatBytes(r.limited.limit)} (simulated ${r.limited.t_s} s) by --trace-limit; ${after}`,
            );
          }
        },
      });
    } finally {
      progress.finish();
      // Abandoned runs have stopped (their threads terminated, or a run here at its hand-back): their
      // half-written files (a streamed trace) go too.
      if (stop.abandoned) removeOwnTempsSync(store.dir);
    }

    if (signal !== null) {
      const stored = await countStored(
        store,
        mine.map((r) => ({ id: r.id, key: keys.get(r.id)! })),
        needs,
      );
      const code = SIGNAL_EXIT[signal];
      const message = `interrupted: ${stored} of ${mine.length} runs${label} stored in ${store.dir}; rerun the same command to resume`;
      if (options.exitOnSignal === false) throw new BatchError(BatchErrorCode.interrupted, message, code);
      stderr.write(message + '\n');
      process.exit(code);
    }
    assembling = true;
    if (options.lastOnPool) await options.pool?.destroy();
    await assemble(
      options,
      shard,
      mine.map((r) => r.id),
      plan,
      store,
      stderr,
    );
  } finally {
    stopListening();
  }
  if (signal !== null) {
    const code = SIGNAL_EXIT[signal];
    throw new BatchError(
      BatchErrorCode.interrupted,
      `interrupted after the results were written to ${options.outDir}`,
      code,
    );
  }
}

async function assemble(
  options: BatchOptions,
  shard: ShardSpec | undefined,
  runIds: string[],
  plan: ReturnType<typeof makePlan>,
  store: RunStore,
  stderr: ProgressStream,
): Promise<void> {
  if (shard) {
    await writeManifest(options.outDir, { format: 'tcplab-shard/1', shard, runIds, plan });
    stderr.write(
      `shard ${shard.index}/${shard.count} done: ${runIds.length} runs in ${options.outDir} (${manifestName(shard)}); ` +
        `join the shards with: tcplab merge <shard folders...> --out <dir>\n`,
    );
    return;
  }
  let t = performance.now();
  await writeResults(options.outDir, plan, store);
  options.profile?.add('write', performance.now() - t);
  t = performance.now();
  if (options.onAssembled) await options.onAssembled(options.outDir);
  options.profile?.add('figures', performance.now() - t);
}

async function countStored(
  store: RunStore,
  runs: { id: string; key: string }[],
  needs: { trace: boolean; pcap: boolean },
): Promise<number> {
  let n = 0;
  for (const r of runs) if (await store.finished(r.id, r.key, needs)) n++;
  return n;
}
