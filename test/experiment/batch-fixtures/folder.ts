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

/** resultFiles with summary.json's wall times (the only non-deterministic values) removed. */
export function comparableFiles(dir: string): Record<string, string> {
  const files = resultFiles(dir);
  if (files['summary.json'] !== undefined) files['summary.json'] = JSON.stringify(withoutWallTime(JSON.parse(files['summary.json']) as Summary));
  return files;
}

export function withoutWallTime(s: Summary): Summary {
  for (const r of s.runs) delete r.metrics['sim.wall_s'];
  for (const a of s.aggregate) delete a.metrics['sim.wall_s'];
  return s;
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
