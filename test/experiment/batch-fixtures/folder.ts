/** Helpers to read a results folder in tests. */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Summary } from '../../../src/metrics/results.ts';

export function tempDir(prefix = 'tcplab-batch-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
