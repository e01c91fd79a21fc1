/**
 * The worker pool under a stop request (the first Ctrl-C) and an abandon (the second): which runs
 * still report, counted by events, not by time.
 */
import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import {
  executeTasks,
  LARGE_WORLD_NODES,
  StopControl,
  WorkerPool,
  type RunPlacement,
} from '../../src/experiment/pool.ts';
import { runKey } from '../../src/experiment/run-key.ts';
import type { RunTask } from '../../src/experiment/worker.ts';
import { FAKE_RUNNER, fakeRuns, ratePoints } from './batch-fixtures/fake-experiment.ts';
import { loggedRuns, runLogPath, tempDir } from './batch-fixtures/folder.ts';

afterEach(() => {
  delete process.env.FAKE_RUN_DELAY_MS;
  delete process.env.FAKE_RUN_BUSY_MS;
  delete process.env.FAKE_RUN_LOG;
  delete process.env.FAKE_HANDBACKS;
  delete process.env.FAKE_SLICE_MS;
  delete process.env.FAKE_TAIL_MS;
});

/** A run module that hands back between slices, as the model does. */
const HANDS_BACK_RUNNER = new URL('./batch-fixtures/hands-back-run.ts', import.meta.url).href;

function tasks(n: number, runner = FAKE_RUNNER): RunTask[] {
  const storeDir = tempDir();
  return fakeRuns(ratePoints(n), 1).map((run) => ({
    run,
    key: runKey(run),
    storeDir,
    opts: { trace: false, pcap: false },
    runner,
  }));
}

it('after a stop request the run in flight on the other thread finishes and reports; no new run starts', async () => {
  process.env.FAKE_RUN_DELAY_MS = '100';
  const stop = new StopControl();
  const done: string[] = [];
  await executeTasks(tasks(6), { jobs: 2, stop, onDone: (r) => (done.push(r.id), stop.request()) });
  expect(done).toHaveLength(2);
});

it('after an abandon the pool returns at once and the run in flight never reports', async () => {
  process.env.FAKE_RUN_DELAY_MS = '100';
  const stop = new StopControl();
  const done: string[] = [];
  await executeTasks(tasks(6), { jobs: 2, stop, onDone: (r) => (done.push(r.id), stop.abandon()) });
  expect(done).toHaveLength(1);
});

it('runs a runner that never hands back on a worker thread, even alone, so an abandon (a second Ctrl-C) can end it', async () => {
  process.env.FAKE_RUN_BUSY_MS = '3000';
  process.env.FAKE_RUN_LOG = runLogPath(tempDir());
  const stop = new StopControl();
  const timer = setTimeout(() => stop.abandon(), 200);
  await executeTasks(tasks(1), { jobs: 4, stop, onDone: () => {} });
  clearTimeout(timer);
  // Abandoned mid-run: the run never got to log itself, the pool did not wait for it.
  expect(loggedRuns(process.env.FAKE_RUN_LOG)).toEqual([]);
});

it('starts no thread until a run is handed out, one for a batch of one run, a second only for a second run', async () => {
  const pool = new WorkerPool(2, FAKE_RUNNER);
  try {
    expect(pool.startedThreads).toBe(0);
    await executeTasks(tasks(1), { jobs: 2, pool, stop: new StopControl(), onDone: () => {} });
    expect(pool.startedThreads).toBe(1);
    process.env.FAKE_RUN_DELAY_MS = '100';
    const done: string[] = [];
    await executeTasks(tasks(4), { jobs: 2, pool, stop: new StopControl(), onDone: (r) => done.push(r.id) });
    expect(done).toHaveLength(4);
    expect(pool.startedThreads).toBe(2);
  } finally {
    await pool.destroy();
  }
});

/** Runs `n` hand-back tasks `jobs` at a time on `pool`: where they went, and the runs done in order. */
async function placed(pool: WorkerPool, n: number, jobs: number): Promise<{ places: RunPlacement[]; done: string[] }> {
  const places: RunPlacement[] = [];
  const done: string[] = [];
  await executeTasks(tasks(n, HANDS_BACK_RUNNER), {
    jobs,
    pool,
    stop: new StopControl(),
    onPlacement: (where) => places.push(where),
    onDone: (r) => done.push(r.id),
  });
  return { places, done };
}

it('runs one run at a time of a runner that hands back on this thread, starting no worker thread', async () => {
  process.env.FAKE_RUN_LOG = runLogPath(tempDir());
  const pool = new WorkerPool(2, HANDS_BACK_RUNNER);
  try {
    const { places, done } = await placed(pool, 2, 1);
    expect(places).toEqual(['here']);
    expect(done).toEqual(['p0-s1', 'p1-s1']);
    expect(pool.startedThreads).toBe(0);
    const log = readFileSync(process.env.FAKE_RUN_LOG, 'utf8');
    expect(log).toBe(
      // fake-run.ts, which makes the outputs, logs the run id as it ends.
      [0, 1]
        .map((p) => [`p${p}-s1 thread ${threadId}`, ...Array(3).fill(`p${p}-s1 hand-back`), `p${p}-s1`].join('\n'))
        .join('\n') + '\n',
    );
    // Two at a time: each on a worker thread of its own.
    expect((await placed(pool, 2, 2)).places).toEqual(['threads']);
    expect(pool.startedThreads).toBe(2);
  } finally {
    await pool.destroy();
  }
});

/** Runs one hand-back task on this thread and abandons the batch `ms` after the run starts. */
async function abandonedAfter(ms: number): Promise<{ stop: StopControl; done: string[] }> {
  const stop = new StopControl();
  const done: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  await executeTasks(tasks(1, HANDS_BACK_RUNNER), {
    jobs: 1,
    stop,
    onStart: () => (timer = setTimeout(() => stop.abandon(), ms)),
    onDone: (r) => done.push(r.id),
  });
  clearTimeout(timer);
  return { stop, done };
}

it('an abandon ends a run on this thread at its next hand-back, and it never reports', async () => {
  process.env.FAKE_RUN_LOG = runLogPath(tempDir());
  process.env.FAKE_HANDBACKS = '100';
  // Abandoned from the event loop 100 ms into the run, as the signal handler does: only possible
  // because the run hands back.
  const { done } = await abandonedAfter(100);
  // It returns once the run has stopped; 300 ms more (30 slices) must add no hand-back.
  const returnedWith = readFileSync(process.env.FAKE_RUN_LOG, 'utf8');
  await new Promise((r) => setTimeout(r, 300));
  expect(readFileSync(process.env.FAKE_RUN_LOG, 'utf8')).toBe(returnedWith);
  const handBacks = readFileSync(process.env.FAKE_RUN_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('hand-back'));
  expect(handBacks.length).toBeGreaterThan(0);
  expect(handBacks.length).toBeLessThan(16); // about 10 slices of 10 ms before the abandon at 100 ms
  expect(done).toEqual([]);
});

it('runs a world of LARGE_WORLD_NODES or more on a worker thread even one at a time (its own young generation)', async () => {
  const pool = new WorkerPool(1, HANDS_BACK_RUNNER);
  try {
    await pool.sizeFor(LARGE_WORLD_NODES);
    expect((await placed(pool, 1, 1)).places).toEqual(['threads']);
    expect(pool.startedThreads).toBe(1);
  } finally {
    await pool.destroy();
  }
});

it('after an abandon it returns only once a run on this thread has ended, not while it still stores', async () => {
  process.env.FAKE_RUN_LOG = runLogPath(tempDir());
  process.env.FAKE_TAIL_MS = '300';
  // The abandon comes during the run's last 300 ms, which hand nothing back.
  const { stop } = await abandonedAfter(150);
  expect(stop.abandoned).toBe(true);
  expect(readFileSync(process.env.FAKE_RUN_LOG, 'utf8')).toContain('p0-s1 tail done');
});
