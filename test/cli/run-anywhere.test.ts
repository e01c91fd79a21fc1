/**
 * `tcplab run` and `merge` from a folder outside the repo, as a user runs them on their own
 * experiment files: worker threads must load tcplab's own tsx, not look for one in the user's
 * folder, and stdout names each folder for what it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { scratchFolders, tcplab, tinyExperiment } from './helpers.ts';

const scratch = scratchFolders();

const TINY = tinyExperiment({ duration: '1s', rate: '5/s' });

it('runs on worker threads from a folder that has no node_modules', async () => {
  const cwd = scratch.make('tcplab-cli-', { 'tiny.yaml': TINY });
  const r = await tcplab(['run', 'tiny.yaml', '--jobs', '2'], cwd);
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`results ${join('results', 'tiny')}\n`);
  const summary = JSON.parse(readFileSync(join(cwd, 'results/tiny/summary.json'), 'utf8')) as {
    runs: { id: string }[];
  };
  expect(summary.runs.map((x) => x.id)).toEqual(['p0-s1', 'p0-s2']);
});

it('prints a shard folder as a shard, and the merged folder as results', async () => {
  const cwd = scratch.make('tcplab-cli-', { 'tiny.yaml': TINY });
  const shards = await Promise.all(
    [0, 1].map((i) => tcplab(['run', 'tiny.yaml', '--jobs', '1', '--shard', `${i}/2`, '--out', `s${i}`], cwd)),
  );
  expect(shards.map((r) => [r.code, r.stdout])).toEqual([
    [0, 'shard s0\n'],
    [0, 'shard s1\n'],
  ]);
  const merged = await tcplab(['merge', 's0', 's1', '--out', 'all'], cwd);
  expect([merged.code, merged.stdout]).toEqual([0, 'results all\n']);
  const whole = await tcplab(['run', 'tiny.yaml', '--jobs', '1', '--shard', '0/1', '--out', 'whole'], cwd);
  expect([whole.code, whole.stdout]).toEqual([0, 'results whole\n']);
  expect(existsSync(join(cwd, 'whole', 'summary.json'))).toBe(true);
});
