/**
 * Runs batch tasks: in-process one after another (--jobs 1), or on a piscina pool of worker
 * threads that load TypeScript through tsx. At most `jobs` tasks are handed out at
 * a time, so a stop request (Ctrl-C) leaves nothing queued: only runs in flight remain, and they
 * either finish and are stored, or are abandoned on a second request.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runTask, type RunTask, type RunTaskResult } from './worker.ts';

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
}

/**
 * tsx's loader as a file URL, resolved from this package: a bare `--import tsx` would be resolved
 * from the user's working folder, where tsx is not installed when tcplab runs from elsewhere.
 */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER_URL = new URL('./worker.ts', import.meta.url).href;

/**
 * Runs the tasks; resolves when all are done or, after a stop request, when none is in flight.
 * On the first failing task no more tasks are handed out, the ones in flight finish (and are
 * stored), then the failure is thrown with the run id in its message.
 */
export async function executeTasks(tasks: readonly RunTask[], options: ExecuteTasksOptions): Promise<void> {
  // A worker thread even for a single run unless --jobs 1: a simulation running in-process blocks
  // the event loop, and with it the Ctrl-C handler, until the run ends (minutes for a big one).
  if (options.jobs <= 1 || tasks.length === 0) return executeInProcess(tasks, options);
  return executeOnPool(tasks, Math.min(options.jobs, tasks.length), options);
}

async function executeInProcess(tasks: readonly RunTask[], options: ExecuteTasksOptions): Promise<void> {
  for (const task of tasks) {
    if (options.stop.requested) return;
    let result: RunTaskResult;
    options.onStart?.(task);
    const onProgress = options.onProgress;
    try {
      result = await runTask(task, onProgress === undefined ? undefined : (sim_s) => onProgress(task, sim_s));
    } catch (e) {
      throw runFailure(task, e);
    }
    options.onDone(result);
  }
}

async function executeOnPool(tasks: readonly RunTask[], jobs: number, options: ExecuteTasksOptions): Promise<void> {
  const pool = new Piscina<RunTask, RunTaskResult>({
    filename: WORKER_URL,
    minThreads: jobs,
    maxThreads: jobs,
    // Workers are fresh Node threads: they need tsx to load the TypeScript sources.
    execArgv: ['--import', TSX_LOADER],
    concurrentTasksPerWorker: 1,
  });
  const { stop } = options;
  let next = 0;
  let failure: Error | null = null;
  // A worker that dies outside a task (it could not start) fails the batch with its message,
  // rather than as an uncaught 'error' event with a stack trace.
  pool.on('error', (e: unknown) => {
    failure ??= new Error(`worker thread failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  // `jobs` lanes, each running one task at a time: nothing waits in a queue, so a stop request
  // leaves only the runs in flight, and after a failure no new run starts.
  const lane = async (): Promise<void> => {
    while (next < tasks.length && !stop.requested && !failure) {
      const task = tasks[next++]!;
      options.onStart?.(task);
      // Progress comes back over a port of its own, not piscina's channel.
      const channel = options.onProgress === undefined ? undefined : new MessageChannel();
      const onProgress = options.onProgress;
      if (channel !== undefined && onProgress !== undefined) channel.port1.on('message', (m: { sim_s: number }) => onProgress(task, m.sim_s));
      try {
        const result = await (channel === undefined ? pool.run(task) : pool.run({ ...task, progressPort: channel.port2 }, { transferList: [channel.port2] }));
        if (!stop.abandoned) options.onDone(result);
      } catch (e) {
        if (!stop.abandoned) failure ??= runFailure(task, e);
      } finally {
        channel?.port1.close();
      }
    }
  };
  const abandoned = new Promise<void>((resolve) => stop.onAbandon(resolve));
  try {
    await Promise.race([Promise.all(Array.from({ length: jobs }, lane)), abandoned]);
  } finally {
    await pool.destroy();
  }
  if (failure) throw failure;
}

function runFailure(task: RunTask, e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  return new Error(`run ${task.run.id} failed: ${err.message}`, { cause: err });
}
