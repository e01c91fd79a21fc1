/**
 * A batch in a process of its own, killed midway (kill -9, Ctrl-C), then rerun: finished runs are
 * not redone, no torn or temporary file is left, and the final folder equals an uninterrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listTemps } from '../../src/experiment/atomic-write.ts';
import { comparableFiles, loggedRuns, runLogPath, tempDir } from './batch-fixtures/folder.ts';

const SCRIPT = fileURLToPath(new URL('./batch-fixtures/run-batch.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Batch {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startBatch(outDir: string, jobs: number, env: Record<string, string>, points = 4, seeds = 3): Batch {
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
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

function storedIds(outDir: string): string[] {
  try {
    return readdirSync(join(outDir, '.runs'))
      .filter((n) => /^p\d+-s\d+\.json$/.test(n))
      .map((n) => n.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

async function waitForStored(outDir: string, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (storedIds(outDir).length >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${n} runs stored in ${outDir}`);
}

describe('an interrupted batch resumes', () => {
  it('after kill -9: reruns only the runs not stored, and ends like an uninterrupted batch', async () => {
    const reference = tempDir();
    const ref = await startBatch(reference, 2, {}).done;
    expect(ref.code).toBe(0);

    const out = tempDir();
    const log1 = runLogPath(out, '-1');
    const first = startBatch(out, 2, { FAKE_RUN_DELAY_MS: '150', FAKE_RUN_LOG: log1 });
    await waitForStored(out, 4);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const stored = storedIds(out);
    expect(stored.length).toBeGreaterThanOrEqual(4);
    expect(stored.length).toBeLessThan(12);
    const mtimes = new Map(stored.map((id) => [id, statSync(join(out, '.runs', `${id}.json`)).mtimeMs]));

    const log2 = runLogPath(out, '-2');
    const second = await startBatch(out, 2, { FAKE_RUN_LOG: log2 }).done;
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`resuming: ${stored.length} of 12 runs already stored`);

    const redone = loggedRuns(log2);
    expect(redone.filter((id) => stored.includes(id))).toEqual([]);
    expect([...stored, ...redone].sort()).toEqual(storedIds(reference));
    for (const [id, t] of mtimes) expect(statSync(join(out, '.runs', `${id}.json`)).mtimeMs).toBe(t);

    expect(comparableFiles(out)).toEqual(comparableFiles(reference));
    expect(listTemps(out)).toEqual([]);
  });

  it('after Ctrl-C: lets runs in flight finish, exits 130 with a note, and a rerun completes', async () => {
    const out = tempDir();
    const starts = runLogPath(out, '-starts');
    const first = startBatch(out, 2, { FAKE_RUN_DELAY_MS: '200', FAKE_RUN_START_LOG: starts });
    await waitForStored(out, 2);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('SIGINT: no new runs started');
    expect(interrupted.stderr).toMatch(/interrupted: \d+ of 12 runs stored in .*; rerun the same command to resume/);
    const stored = storedIds(out);
    // Every run in flight when the signal came (under load a lane may be between runs, so 1 or 2
    // of them) was finished and stored, and none started after it.
    expect(stored).toEqual(loggedRuns(starts).sort());
    expect(stored.length).toBeLessThan(12);
    expect(interrupted.stderr.match(/done in/g)).toHaveLength(stored.length);
    expect(listTemps(out)).toEqual([]);

    const log = runLogPath(out);
    const second = await startBatch(out, 1, { FAKE_RUN_LOG: log }).done;
    expect(second.code).toBe(0);
    expect(loggedRuns(log)).toHaveLength(12 - stored.length);
    expect(storedIds(out)).toHaveLength(12);
  });
});
