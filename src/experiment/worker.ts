/**
 * One task of the batch: execute a run and store it. The same function runs in a piscina worker
 * thread (this module's default export) and on the command's thread (src/experiment/pool.ts says
 * when), so both give the same files. Storing from the worker keeps big outputs (traces,
 * captures) off the thread boundary.
 */
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import { isWorkerThread, workerData } from 'piscina';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ExecuteRun, ExecuteRunOptions } from './run-output.ts';
import type { RunSpec } from './spec-types.ts';
import { RunStore } from './store.ts';

export interface RunTask {
  run: RunSpec;
  /** runKey(run), computed once by the batch. */
  key: string;
  /** The store folder (`<out>/.runs`). */
  storeDir: string;
  /** What the batch asks of the run; the functions among ExecuteRunOptions are made where it executes. */
  opts: Omit<ExecuteRunOptions, 'captureFile' | 'handBack' | 'phases'>;
  /** URL of the module whose `executeRun` export runs the simulation (src/experiment/run.ts by default). */
  runner: string;
  /** On a worker thread: where to post `{ sim_s }` progress (a MessageChannel port, transferred). */
  progressPort?: MessagePort;
  /** Measure wall time per phase (--profile); the result carries it back. */
  profile?: boolean;
}

/** Progress messages at most this often (wall ms): the command's thread only redraws a line. */
const PROGRESS_EVERY_MS = 500;

export interface RunTaskResult {
  id: string;
  wall_s: number;
  /** With `profile`: wall milliseconds per phase (model on a thread's first task, build, simulate, collect, store). */
  phases?: Record<string, number>;
  /** The streamed trace and captures stopped at their size budget (--trace-limit) at this simulated time. */
  limited?: { limit: number; t_s: number };
}

/** `.ts` when running from the sources (through tsx), `.js` from the compiled build (dist/). */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The model's run module; tests pass a fake one. */
export const DEFAULT_RUNNER = new URL(`./run${EXT}`, import.meta.url).href;

/** A loaded run module. */
interface Runner {
  executeRun: ExecuteRun;
  /** It honours ExecuteRunOptions.handBack (exports `handsBack = true`). */
  handsBack: boolean;
  /** Wall milliseconds its import took on this thread. */
  loadMs: number;
}

const runners = new Map<string, Promise<Runner>>();
let firstTask = true;
/** When this thread had its runner loaded (ms since the epoch; 0 until then). */
let readyAt = 0;

function loadRunner(url: string): Promise<Runner> {
  let p = runners.get(url);
  if (!p) {
    const t0 = performance.now();
    p = importModule(url).then((mod: { executeRun?: unknown; handsBack?: unknown }) => {
      if (typeof mod.executeRun !== 'function') throw new Error(`${url} does not export an executeRun function`);
      readyAt ||= performance.timeOrigin + performance.now();
      return {
        executeRun: mod.executeRun as ExecuteRun,
        handsBack: mod.handsBack === true,
        loadMs: performance.now() - t0,
      };
    });
    runners.set(url, p);
  }
  return p;
}

/** Whether the run module at `url` hands back to the event loop, so it may run on the command's thread (loads it here). */
export async function runnerHandsBack(url: string): Promise<boolean> {
  return (await loadRunner(url)).handsBack;
}

/**
 * import(), or require() through tsx's CommonJS hook where tsx's ESM hooks are missing: on Node 20
 * a worker thread started with `--import tsx` gets only the CommonJS hook (module.register hooks
 * do not reach workers), so import() of a .ts file fails there with ERR_UNKNOWN_FILE_EXTENSION.
 */
async function importModule(url: string): Promise<{ executeRun?: unknown }> {
  try {
    return (await import(url)) as { executeRun?: unknown };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !url.startsWith('file:')) throw e;
    return createRequire(import.meta.url)(fileURLToPath(url)) as { executeRun?: unknown };
  }
}

/**
 * Runs a task; `onProgress` (the command's thread) or the task's port (worker) hears of its simulated time.
 * There `handBack` is the run's pause between slices (ExecuteRunOptions.handBack).
 */
export async function runTask(
  task: RunTask,
  onProgress?: (sim_s: number) => void,
  handBack?: () => Promise<void>,
): Promise<RunTaskResult> {
  const { executeRun, loadMs } = await loadRunner(task.runner);
  // A thread's first task reports loading the model: on a worker thread from the pool's creation
  // to its runner loaded, on the command's thread the runner's import.
  const model = firstTask ? (isWorkerThread ? threadStartup() : loadMs) : 0;
  firstTask = false;
  const started = performance.now();
  const port = task.progressPort;
  const report = onProgress ?? (port === undefined ? undefined : (sim_s: number) => port.postMessage({ sim_s }));
  let shownAt = started;
  const throttled =
    report === undefined
      ? undefined
      : (sim_s: number): void => {
          const t = performance.now();
          if (t - shownAt < PROGRESS_EVERY_MS) return;
          shownAt = t;
          report(sim_s);
        };
  const store = new RunStore(task.storeDir);
  const phases: Record<string, number> | undefined = task.profile ? {} : undefined;
  // The trace and captures stream straight into the store from here: they never cross the thread boundary.
  const opts: ExecuteRunOptions = {
    ...task.opts,
    ...(task.opts.trace ? { traceFile: store.tracePath(task.run.id) } : {}),
    ...(task.opts.pcap ? { captureFile: (node: string) => store.pcapPath(task.run.id, node) } : {}),
    ...(phases ? { phases } : {}),
    ...(handBack ? { handBack } : {}),
  };
  let output;
  try {
    output = await executeRun(task.run, opts, throttled);
  } finally {
    port?.close();
  }
  // Rounded to the microsecond: finer digits are timer noise.
  const wall_s = Math.round((performance.now() - started) * 1000) / 1e6;
  const { id, pointIndex, point, seed } = task.run;
  const saving = performance.now();
  await store.save({ id, key: task.key, pointIndex, point, seed }, output, wall_s);
  const result: RunTaskResult = { id, wall_s };
  if (phases) result.phases = { ...(model > 0 ? { model } : {}), ...phases, store: performance.now() - saving };
  if (output.outputsLimited) result.limited = output.outputsLimited;
  return result;
}

/** A worker thread's start-up: from the pool's creation to its runner loaded (ms). */
function threadStartup(): number {
  return typeof poolCreatedAt === 'number' ? Math.max(0, readyAt - poolCreatedAt) : 0;
}

/** The worker thread's entry (piscina passes the task only). */
export default function runTaskInWorker(task: RunTask): Promise<RunTaskResult> {
  return runTask(task);
}

// A pool thread loads its runner (the whole model) as soon as it starts, while piscina hands it its
// first task.
const preload = (workerData as { runner?: unknown } | undefined)?.runner;
/** When the pool was created (ms since the epoch), for the start-up time --profile shows. */
const poolCreatedAt = (workerData as { createdAt?: unknown } | undefined)?.createdAt;
if (isWorkerThread && typeof preload === 'string') void loadRunner(preload).catch(() => {});
