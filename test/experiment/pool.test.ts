/**
 * The worker pool under a stop request (the first Ctrl-C) and an abandon (the second): which runs
 * still report, counted by events, not by time.
 */
import { afterEach, expect, it } from 'vitest';
import { executeTasks, StopControl, WorkerPool } from '../../src/experiment/pool.ts';
import { runKey } from '../../src/experiment/run-key.ts';
import type { RunTask } from '../../src/experiment/worker.ts';
import { FAKE_RUNNER, fakeRuns, ratePoints } from './batch-fixtures/fake-experiment.ts';
import { loggedRuns, runLogPath, tempDir } from './batch-fixtures/folder.ts';

afterEach(() => {
  delete process.env.FAKE_RUN_DELAY_MS;
  delete process.env.FAKE_RUN_BUSY_MS;
  delete process.env.FAKE_RUN_LOG;
});

function tasks(n: number): RunTask[] {
  const storeDir = tempDir();
  return fakeRuns(ratePoints(n), 1).map((run) => ({
    run,
    key: runKey(run),
    storeDir,
    opts: { trace: false, pcap: false },
    runner: FAKE_RUNNER,
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

it('runs even a single run on a worker thread, so an abandon (a second Ctrl-C) can end it', async () => {
  process.env.FAKE_RUN_BUSY_MS = '3000';
  process.env.FAKE_RUN_LOG = runLogPath(tempDir());
  const stop = new StopControl();
  const timer = setTimeout(() => stop.abandon(), 200);
  await executeTasks(tasks(1), { jobs: 4, stop, onDone: () => {} });
  clearTimeout(timer);
  // Abandoned mid-run: the run never got to log itself, the pool did not wait for it.
  expect(loggedRuns(process.env.FAKE_RUN_LOG)).toEqual([]);
});

it('starts one thread for a batch of one run and a second only when a second run is handed out', async () => {
  const pool = new WorkerPool(2, FAKE_RUNNER);
  try {
    expect(pool.startedThreads).toBe(1);
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
