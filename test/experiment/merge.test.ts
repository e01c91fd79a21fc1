import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTemps } from '../../src/experiment/atomic-write.ts';
import { BatchError } from '../../src/experiment/batch-errors.ts';
import { runBatch, type BatchOptions } from '../../src/experiment/batch.ts';
import { mergeShards } from '../../src/experiment/merge.ts';
import { parseShard, shardRuns } from '../../src/experiment/shard.ts';
import type { ExperimentSpec } from '../../src/experiment/spec-types.ts';
import { FAKE_RUNNER, fakeExperiment, fakeRuns, ratePoints } from './batch-fixtures/fake-experiment.ts';
import { comparableFiles, resultFiles, tempDir } from './batch-fixtures/folder.ts';

const quiet = { write() {} };

function options(outDir: string, experiment: ExperimentSpec, over: Partial<BatchOptions> = {}): BatchOptions {
  return {
    outDir,
    jobs: 1,
    trace: true,
    pcap: true,
    experiment,
    rawSpec: { name: experiment.name },
    runner: FAKE_RUNNER,
    stderr: quiet,
    ...over,
  };
}

async function runShards(
  count: number,
  experiment = fakeExperiment(),
  points = 3,
  seeds = 2,
  over: Partial<BatchOptions> = {},
): Promise<string[]> {
  const runs = fakeRuns(ratePoints(points), seeds, experiment);
  const dirs: string[] = [];
  for (let index = 0; index < count; index++) {
    const dir = tempDir('tcplab-shard-');
    await runBatch(runs, options(dir, experiment, { shard: { index, count }, jobs: index % 2 === 0 ? 1 : 2, ...over }));
    dirs.push(dir);
  }
  return dirs;
}

describe('shards', () => {
  it('parses i/n and deals runs round-robin', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(parseShard('3/3')).toBeNull();
    expect(parseShard('1-3')).toBeNull();
    expect(shardRuns(['a', 'b', 'c', 'd', 'e'], { index: 1, count: 2 })).toEqual(['b', 'd']);
  });

  it('a shard writes its runs and a manifest, not a results folder', async () => {
    const [dir] = await runShards(2);
    expect(readdirSync(dir!).sort()).toEqual(['.runs', 'shard-0-of-2.json']);
    expect(
      readdirSync(join(dir!, '.runs'))
        .filter((n) => n.endsWith('.json'))
        .sort(),
    ).toEqual(['p0-s1.json', 'p1-s1.json', 'p2-s1.json']);
  });
});

describe('mergeShards', () => {
  it('two shards merged equal one unsharded batch, file for file', async () => {
    const experiment = fakeExperiment();
    const whole = tempDir();
    await runBatch(fakeRuns(ratePoints(3), 2, experiment), options(whole, experiment, { jobs: 2 }));
    const merged = tempDir();
    await mergeShards(await runShards(2, experiment), merged, { stderr: quiet });

    const files = comparableFiles(merged);
    expect(Object.keys(files)).toContain('pcap/p2-s2/server.pcap');
    expect(Object.keys(files)).toContain('trace.jsonl');
    expect(files).toEqual(comparableFiles(whole));
    for (const f of ['runs.csv', 'timeseries.csv', 'samples.csv', 'trace.jsonl'])
      expect(resultFiles(merged)[f]).toBe(resultFiles(whole)[f]);
    expect(listTemps(merged)).toEqual([]);
  });

  it('merges three shards written into one shared folder, in place', async () => {
    const experiment = fakeExperiment();
    const runs = fakeRuns(ratePoints(2), 3, experiment);
    const shared = tempDir();
    for (const index of [2, 0, 1]) await runBatch(runs, options(shared, experiment, { shard: { index, count: 3 } }));
    await mergeShards([shared], shared, { stderr: quiet });
    const whole = tempDir();
    await runBatch(runs, options(whole, experiment));
    const files = comparableFiles(shared);
    for (const m of ['shard-0-of-3.json', 'shard-1-of-3.json', 'shard-2-of-3.json']) delete files[m];
    expect(files).toEqual(comparableFiles(whole));
  });

  it('refuses a missing shard, naming it', async () => {
    const dirs = await runShards(3);
    const err = await mergeShards([dirs[0]!, dirs[2]!], tempDir(), { stderr: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchError);
    expect(err).toMatchObject({ code: 'missing_shard', exitCode: 2, message: 'merge: shard 1/3 missing' });
  });

  it('refuses shards of different specs or shard counts', async () => {
    const a = await runShards(2, fakeExperiment());
    const b = await runShards(2, fakeExperiment('fake', { duration: 5_000_000_000 }));
    await expect(mergeShards([a[0]!, b[1]!], tempDir(), { stderr: quiet })).rejects.toMatchObject({
      code: 'shard_mismatch',
    });
    const c = await runShards(3);
    await expect(mergeShards([a[0]!, c[1]!, c[2]!], tempDir(), { stderr: quiet })).rejects.toMatchObject({
      code: 'shard_mismatch',
      message: expect.stringContaining('splits the batch in 3 shards'),
    });
    const other = await runShards(2, fakeExperiment('other'));
    await expect(mergeShards([a[0]!, other[1]!], tempDir(), { stderr: quiet })).rejects.toThrow(
      'is from experiment "other"',
    );
    const noTrace = await runShards(2, fakeExperiment(), 3, 2, { trace: false });
    await expect(mergeShards([a[0]!, noTrace[1]!], tempDir(), { stderr: quiet })).rejects.toMatchObject({
      code: 'shard_mismatch',
    });
  });

  it("says where two shards' batches differ", async () => {
    const a = await runShards(2, fakeExperiment(), 3, 2, {
      rawSpec: { name: 'fake', seeds: 2, apps: { users: { rate: '5/s' } } },
    });
    const b = await runShards(2, fakeExperiment(), 3, 2, {
      rawSpec: { name: 'fake', seeds: 2, apps: { users: { rate: '9/s' } } },
    });
    await expect(mergeShards([a[0]!, b[1]!], tempDir(), { stderr: quiet })).rejects.toThrow(
      /ran different batches of "fake": spec\.apps\.users\.rate: "9\/s" vs "5\/s"$/,
    );
    const noTrace = await runShards(2, fakeExperiment(), 3, 2, {
      trace: false,
      rawSpec: { name: 'fake', seeds: 2, apps: { users: { rate: '5/s' } } },
    });
    await expect(mergeShards([a[0]!, noTrace[1]!], tempDir(), { stderr: quiet })).rejects.toThrow(
      /: --trace not given vs given$/,
    );
  });

  it('refuses a folder that is not a shard, and a shard whose run records are gone', async () => {
    const plain = tempDir();
    await expect(mergeShards([plain], tempDir(), { stderr: quiet })).rejects.toMatchObject({ code: 'not_a_shard' });
    const dirs = await runShards(2);
    unlinkSync(join(dirs[1]!, '.runs', 'p1-s2.json'));
    const out = tempDir();
    await expect(mergeShards(dirs, out, { stderr: quiet })).rejects.toMatchObject({
      code: 'missing_run',
      message: expect.stringContaining('run p1-s2'),
    });
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });
});
