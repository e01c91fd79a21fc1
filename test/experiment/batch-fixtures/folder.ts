/** Helpers to read a results folder in tests. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll } from 'vitest';
import type { Summary } from '../../../src/schema/results.ts';

const made: string[] = [];
// Registered in each test file that imports this module: its folders go when the file is done.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system temp folder, removed after the test file. */
export function tempDir(prefix = 'tcplab-batch-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A run log file (FAKE_RUN_LOG) beside `outDir`, removed with it: `<outDir><suffix>.log`. */
export function runLogPath(outDir: string, suffix = ''): string {
  const path = `${outDir}${suffix}.log`;
  made.push(path);
  return path;
}

/** Every file under dir except the store (.runs), relative path → content. */
export function resultFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (name === '.runs') continue;
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return out;
}

/** resultFiles without timing.json (wall-clock time: the only file that differs between identical batches). */
export function comparableFiles(dir: string): Record<string, string> {
  const files = resultFiles(dir);
  delete files['timing.json'];
  return files;
}

export function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

/** Lines of a run log written by the fake runner (FAKE_RUN_LOG). */
export function loggedRuns(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
