/**
 * Runs batch tasks, one at a time per lane, on worker threads (piscina) or on the thread that runs
 * the command (the main thread, or the command thread of src/command-thread.ts).
 *
 * A pool that runs one run at a time (`--jobs 1`, or a command of one run) runs a run of the model
 * on the command's own thread: the run hands back to the event loop every 50 ms or so
 * (ExecuteRunOptions.handBack), so Ctrl-C and SIGTERM are heard as with a worker (issue 13), and
 * the run shares the command's heap instead of loading the model into a second one (issue 14). Runs
 * go to worker threads when several run at a time (a lane each), when their worlds want a large
 * young generation (LARGE_WORLD_NODES: only a new thread can be given its own), and when their
 * runner does not hand back (tests' fakes that compute without yielding, as a simulation without
 * slices would).
 *
 * At most `jobs` tasks are handed out at a time, so a stop request leaves nothing queued: only
 * runs in flight remain, and they either finish and are stored, or are abandoned at once (their
 * threads terminated; a run on the command's thread stops at its next hand-back).
 *
 * A `WorkerPool` is made once and reused: the CLI runs every experiment of a command on one pool,
 * so threads and the modules they load are paid for once. It starts no thread until a run is
 * handed to it. Workers load the compiled JavaScript when the CLI runs from dist/, and TypeScript
 * through tsx only from the sources.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { DEFAULT_RUNNER, runnerHandsBack, runTask, type RunTask, type RunTaskResult } from './worker.ts';

/** Stop requests from a signal handler. */
export class StopControl {
  requested = false;
  abandoned = false;
  private abandonListeners: (() => void)[] = [];

  /** Stop handing out tasks; the ones in flight finish. */
  request(): void {
    this.requested = true;
  }

  /** Stop now, dropping the tasks in flight. */
  abandon(): void {
    this.requested = true;
    this.abandoned = true;
    for (const l of this.abandonListeners.splice(0)) l();
  }

  onAbandon(listener: () => void): void {
    if (this.abandoned) listener();
    else this.abandonListeners.push(listener);
  }
}

export interface ExecuteTasksOptions {
  jobs: number;
  onStart?: (task: RunTask) => void;
  /** A task in flight has simulated up to sim_s seconds (reported every half second or so). */
  onProgress?: (task: RunTask, sim_s: number) => void;
  onDone: (result: RunTaskResult) => void;
  stop: StopControl;
  /** A pool to run on (kept afterwards); without one a pool is started and destroyed here. */
  pool?: WorkerPool;
  /** Told once, before the first run, where the runs execute: here (the command's thread) or on worker threads. */
  onPlacement?: (where: RunPlacement) => void;
}

/** Where a batch's runs execute: here (the command's own thread) or on worker threads. */
export type RunPlacement = 'here' | 'threads';

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCES ? './worker.ts' : './worker.js', import.meta.url).href;

/**
 * Worker threads are fresh Node threads: from the sources they need tsx's loader, as a file URL
 * resolved from this package (a bare `--import tsx` would be resolved from the user's working
 * folder, where tsx is not installed when tcplab runs from elsewhere). The compiled build needs none.
 */
function workerExecArgv(): string[] {
  return FROM_SOURCES ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
}

/**
 * Worlds from this many nodes up run on threads with a larger young generation. A big world makes
 * garbage fast (segments, packets, short-lived connections) and V8's default young generation
 * (16 MB semi-spaces) promotes much of it to the old generation before it dies, where only
 * mark-compact frees it. Measured on the 200 000-connection star (100 000 clients, `tcplab run
 * --jobs 1 --profile`, three runs each, taken in turns): simulate 24.2, 25.7, 23.4 s and peak RSS
 * 1.76–1.82 GB with the default against 20.8, 20.8, 21.9 s and 1.12–1.23 GB with 64 MB
 * semi-spaces. On the 10 000-client star it bought no time and cost 40–80 MB of RSS, so small
 * worlds keep the default. 128 MB semi-spaces gain a little more where a world churns connections
 * for long (2026-12-04, in turns, two or three runs each): star-1m.yaml 51.6–53.8 s against
 * 55.5–56.7 s at the same peak RSS (2.6 GB); star-100k.yaml 6.98–7.18 s against 7.14–7.42 s for
 * ~100 MB more RSS (1.24 GB against 1.14 GB).
 */
export const LARGE_WORLD_NODES = 50_000;
/** Young generation for large worlds: V8 splits it into two 128 MB semi-spaces and a large-object space. */
const LARGE_WORLD_YOUNG_MB = 384;

/** A set of up to `threads` worker threads, started as runs are handed out, that runs one task per thread at a time. */
export class WorkerPool {
  private piscina: Piscina<RunTask, RunTaskResult> | undefined;
  private failure: Error | null = null;
  private destroyed = false;
  private large = false;

  /**
   * @param threads the most threads: none starts before a run is handed out, a second only when
   *                a second run is in flight
   * @param runner  the run module each thread loads as it starts (before its first task)
   */
  constructor(
    readonly threads: number,
    private readonly runner: string = DEFAULT_RUNNER,
  ) {}

  private start(): Piscina<RunTask, RunTaskResult> {
    const piscina = new Piscina<RunTask, RunTaskResult>({
      workerData: { runner: this.runner, createdAt: performance.timeOrigin + performance.now() },
      filename: WORKER_URL,
      // One thread at once, for the run being handed out; piscina starts the others when runs are
      // handed out to them, so a batch of one run never pays for a second thread.
      minThreads: 1,
      maxThreads: this.threads,
      execArgv: workerExecArgv(),
      concurrentTasksPerWorker: 1,
      // Threads stay up between batches of one command (several experiment files).
      idleTimeout: 60_000,
      ...(this.large ? { resourceLimits: { maxYoungGenerationSizeMb: LARGE_WORLD_YOUNG_MB } } : {}),
    });
    // A worker that dies outside a task (it could not start) fails the batch with its message,
    // rather than as an uncaught 'error' event with a stack trace.
    piscina.on('error', (e: unknown) => {
      this.failure ??= new Error(`worker thread failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    });
    return piscina;
  }

  /**
   * Sizes the threads for worlds of `nodes` nodes: from LARGE_WORLD_NODES on, with a larger young
   * generation (threads already started are restarted). Call before any task runs.
   */
  async sizeFor(nodes: number): Promise<void> {
    if (nodes < LARGE_WORLD_NODES || this.large || this.destroyed) return;
    this.large = true;
    const started = this.piscina;
    this.piscina = undefined;
    await started?.destroy();
  }

  /**
   * Whether runs handed out `jobs` at a time execute on the command's own thread (for a runner
   * that hands back): one at a time for the whole pool (not merely a batch of one run among
   * several batches on two threads, which keep the model off the command's heap), in worlds of
   * ordinary size (large ones need a thread of their own for their young generation).
   */
  oneAtATimeHere(jobs: number): boolean {
    return Math.min(jobs, this.threads) === 1 && !this.large;
  }

  /** How many threads have started so far (piscina's live threads). */
  get startedThreads(): number {
    return this.piscina?.threads.length ?? 0;
  }

  /** The failure of a thread outside any task, if one died. */
  get threadFailure(): Error | null {
    return this.failure;
  }

  run(task: RunTask, transferList?: Transferable[]): Promise<RunTaskResult> {
    if (this.destroyed) return Promise.reject(new Error('the worker pool is stopped'));
    const piscina = (this.piscina ??= this.start());
    return transferList === undefined ? piscina.run(task) : piscina.run(task, { transferList: transferList as never });
  }

  /** destroy() was called: the threads are gone. */
  get stopped(): boolean {
    return this.destroyed;
  }

  /** Terminates every thread, tasks in flight included. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina?.destroy();
  }
}

/**
 * Runs the tasks; resolves when all are done or, after a stop request, when none is in flight
 * (after an abandon: at once when they are on worker threads, which are terminated; a run on the
 * command's thread first reaches its next hand-back, where it stops, or ends its store). On the
 * first failing task no more tasks are handed out, the ones in flight finish (and are stored), then
 * the failure is thrown with the run id in its message.
 */
export async function executeTasks(tasks: readonly RunTask[], options: ExecuteTasksOptions): Promise<void> {
  if (tasks.length === 0) return;
  const own = options.pool === undefined;
  const pool = options.pool ?? new WorkerPool(Math.max(1, Math.min(options.jobs, tasks.length)), tasks[0]!.runner);
  const lanes = Math.max(1, Math.min(options.jobs, pool.threads, tasks.length));
  const { stop } = options;
  const here = pool.oneAtATimeHere(options.jobs) && (await runnerHandsBack(tasks[0]!.runner));
  options.onPlacement?.(here ? 'here' : 'threads');
  let next = 0;
  let failure: Error | null = null;
  const execute = (task: RunTask): Promise<RunTaskResult> => {
    const onProgress = options.onProgress;
    if (here) return runTask(task, onProgress && ((sim_s) => onProgress(task, sim_s)), () => handBack(stop));
    if (onProgress === undefined) return pool.run(task);
    // Progress comes back over a port of its own, not piscina's channel.
    const channel = new MessageChannel();
    channel.port1.on('message', (m: { sim_s: number }) => onProgress(task, m.sim_s));
    return pool.run({ ...task, progressPort: channel.port2 }, [channel.port2]).finally(() => channel.port1.close());
  };
  // `lanes` lanes, each running one task at a time: nothing waits in a queue, so a stop request
  // leaves only the runs in flight, and after a failure no new run starts.
  const lane = async (): Promise<void> => {
    while (next < tasks.length && !stop.requested && !failure && !pool.threadFailure) {
      const task = tasks[next++]!;
      options.onStart?.(task);
      try {
        const result = await execute(task);
        if (!stop.abandoned) options.onDone(result);
      } catch (e) {
        if (!stop.abandoned) failure ??= runFailure(task, e);
      }
    }
  };
  const lanesDone = Promise.all(Array.from({ length: lanes }, lane));
  const abandoned = new Promise<void>((resolve) => stop.onAbandon(resolve));
  try {
    // A run on this thread is waited for even after an abandon: its next hand-back is tens of
    // milliseconds away, and the batch must not clear temporary files or count stored runs under it.
    await (here ? lanesDone : Promise.race([lanesDone, abandoned]));
  } finally {
    // An abandon ends the runs in flight by terminating their threads, even on a shared pool.
    if (own || stop.abandoned) await pool.destroy();
  }
  failure ??= pool.threadFailure;
  if (failure) throw failure;
}

/** Thrown into a run on the command's thread at its next hand-back once the batch is abandoned. */
class RunAbandoned extends Error {
  constructor() {
    super('run abandoned');
  }
}

/**
 * A run's pause between slices on the command's thread: one turn of the event loop (setImmediate runs after
 * the poll phase, where signals and I/O are handled), then it ends the run if it was abandoned.
 */
async function handBack(stop: StopControl): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (stop.abandoned) throw new RunAbandoned();
}

function runFailure(task: RunTask, e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  return new Error(`run ${task.run.id} failed: ${err.message}`, { cause: err });
}
