/**
 * Signals against a batch in a process of its own (issue 13): SIGTERM, or Ctrl-C twice, stop a
 * `--jobs 1` batch within a second even while its run computes without yielding (a runner that
 * never hands back runs on a worker thread, so the batch's thread hears the signal), store nothing partial and leave no
 * temporary file; a signal while the results folder is written ends that too, cleanly; a rerun
 * completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listTemps } from '../../src/experiment/atomic-write.ts';
import { runLogPath, tempDir } from './batch-fixtures/folder.ts';

const SCRIPT = fileURLToPath(new URL('./batch-fixtures/run-batch.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** performance.now() when the process exited. */
  at: number;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Batch {
  child: ChildProcess;
  done: Promise<Exit>;
  stderr: () => string;
}

function startBatch(outDir: string, jobs: number, env: Record<string, string>, points = 2, seeds = 2): Batch {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SCRIPT, outDir, String(jobs), String(points), String(seeds)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, at: performance.now() })),
  );
  return { child, done, stderr: () => stderr };
}

async function waitForText(batch: Batch, text: string): Promise<void> {
  for (let i = 0; i < 1200 && !batch.stderr().includes(text); i++) await new Promise((r) => setTimeout(r, 25));
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} never appeared`);
}

function storedRecords(outDir: string): string[] {
  return existsSync(join(outDir, '.runs'))
    ? readdirSync(join(outDir, '.runs')).filter((n) => /^p\d+-s\d+\.json$/.test(n))
    : [];
}

describe('a --jobs 1 batch whose run computes for 30 s without yielding', () => {
  for (const [what, signals, code] of [
    ['SIGTERM', ['SIGTERM'], 143],
    ['Ctrl-C twice', ['SIGINT', 'SIGINT'], 130],
  ] as const) {
    it(`stops within a second of ${what}, stores nothing partial, and a rerun completes`, async () => {
      const out = tempDir();
      const started = runLogPath(out, '-starts');
      const batch = startBatch(out, 1, { FAKE_RUN_BUSY_MS: '30000', FAKE_RUN_START_LOG: started });
      await waitForFile(started);
      // Signals are not queued: the second Ctrl-C is sent once the first has been heard.
      if (signals.length === 2) {
        batch.child.kill(signals[0]);
        await waitForText(batch, 'no new runs started');
      }
      const sentAt = performance.now();
      batch.child.kill(signals.at(-1)!);
      const exit = await batch.done;
      expect(exit.code).toBe(code);
      expect(exit.at - sentAt).toBeLessThan(1000);
      expect(exit.stderr).toContain('abandoning the runs in flight');
      expect(exit.stderr).toMatch(/interrupted: 0 of 4 runs stored in .*; rerun the same command to resume/);
      expect(storedRecords(out)).toEqual([]);
      expect(listTemps(out)).toEqual([]);

      const rerun = await startBatch(out, 1, {}).done;
      expect(rerun.code).toBe(0);
      expect(storedRecords(out)).toHaveLength(4);
    });
  }
});

it('a signal while the results folder is written stops it at once, leaves no temporary file, and a rerun writes the folder', async () => {
  const out = tempDir();
  const marker = runLogPath(out, '-assembling');
  const batch = startBatch(out, 2, { FAKE_ASSEMBLE_HOLD: marker });
  await waitForFile(marker);
  expect(listTemps(out)).toHaveLength(1); // the figure being written
  const sentAt = performance.now();
  batch.child.kill('SIGINT');
  const exit = await batch.done;
  expect(exit.code).toBe(130);
  expect(exit.at - sentAt).toBeLessThan(1000);
  expect(exit.stderr).toMatch(
    /SIGINT: stopped while writing .*; all 4 runs are stored in .*; rerun the same command to write the results/,
  );
  expect(listTemps(out)).toEqual([]);
  expect(storedRecords(out)).toHaveLength(4);

  const rerun = await startBatch(out, 2, {}).done;
  expect(rerun.code).toBe(0);
  expect(rerun.stderr).toContain('resuming: 4 of 4 runs already stored');
  expect(existsSync(join(out, 'summary.json'))).toBe(true);
});
