import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listTemps, tempPathFor } from '../../src/experiment/atomic-write.ts';
import { BatchError } from '../../src/experiment/batch-errors.ts';
import { runBatch, type BatchOptions } from '../../src/experiment/batch.ts';
import { WorkerPool } from '../../src/experiment/pool.ts';
import type { RunSpec } from '../../src/experiment/spec-types.ts';
import { FAKE_RUNNER, fakeExperiment, fakeRuns, ratePoints } from './batch-fixtures/fake-experiment.ts';
import { comparableFiles, loggedRuns, readSummary, resultFiles, runLogPath, tempDir } from './batch-fixtures/folder.ts';

/** Captures progress output like a non-terminal stderr. */
function sink(): { write(t: string): void; text: string } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

function options(outDir: string, over: Partial<BatchOptions> = {}): BatchOptions {
  return {
    outDir,
    jobs: 1,
    trace: false,
    pcap: false,
    experiment: fakeExperiment(),
    rawSpec: { name: 'fake', seeds: 2 },
    runner: FAKE_RUNNER,

    stderr: sink(),
    ...over,
  };
}

afterEach(() => {
  delete process.env.FAKE_RUN_LOG;
  delete process.env.FAKE_RUN_FAIL;
});

describe('runBatch results folder', () => {
  it('writes the same files with --jobs 1 (in-process) and --jobs 3 (worker threads)', async () => {
    const runs = fakeRuns(ratePoints(3), 3);
    const one = tempDir();
    const three = tempDir();
    await runBatch(runs, options(one, { jobs: 1, trace: true }));
    await runBatch(runs, options(three, { jobs: 3, trace: true }));

    const a = resultFiles(one);
    expect(Object.keys(a).sort()).toEqual([
      'runs.csv',
      'samples.csv',
      'summary.json',
      'timeseries.csv',
      'timing.json',
      'trace.jsonl',
    ]);
    expect(comparableFiles(three)).toEqual(comparableFiles(one));
    // Byte-identical, every file but timing.json (wall-clock time).
    for (const f of ['runs.csv', 'timeseries.csv', 'samples.csv', 'trace.jsonl', 'summary.json'])
      expect(resultFiles(three)[f]).toBe(a[f]);
    expect(listTemps(one)).toEqual([]);
    expect(listTemps(three)).toEqual([]);
  });

  it('clears temporary files a process killed while assembling the folder left behind', async () => {
    const out = tempDir();
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
    );
    const torn = tempPathFor(join(out, 'summary.json')).replace(`.${process.pid}.`, `.${dead}.`);
    writeFileSync(torn, '{"runs": [');
    expect(listTemps(out)).toEqual([torn]);
    await runBatch(fakeRuns(ratePoints(1), 1), options(out));
    expect(listTemps(out)).toEqual([]);
  });

  it('lays runs.csv out tidy: run, point columns, seed, sorted metrics without wall time', async () => {
    const out = tempDir();
    await runBatch(fakeRuns(ratePoints(2), 2), options(out));
    const lines = readFileSync(join(out, 'runs.csv'), 'utf8').split('\n');
    expect(lines[0]).toBe(
      'run,rate,mode,seed,handshake_ms.p99,ping.lost,ping.rtt_ms.mean,ping.sent,time_wait.peak_node',
    );
    // A comma in a point value is quoted; a null metric is an empty cell.
    expect(lines[1]).toMatch(/^p0-s1,10,"a,b",1,,1,20\.\d+,100,server$/);
    expect(lines.slice(1, 5).map((l) => l.split(',')[0])).toEqual(['p0-s1', 'p0-s2', 'p1-s1', 'p1-s2']);
    expect(lines[5]).toBe('');
    expect(readFileSync(join(out, 'timeseries.csv'), 'utf8').split('\n').slice(0, 4)).toEqual([
      'run,t_s,node,metric,value',
      expect.stringMatching(/^p0-s1,0,server,syn_queue,\d+$/),
      'p0-s1,0,client1,established,0',
      expect.stringMatching(/^p0-s1,0\.1,server,syn_queue,\d+$/),
    ]);
    // 3 × 0.1 is 0.30000000000000004 in binary; written with the 15-digit rule.
    expect(readFileSync(join(out, 'timeseries.csv'), 'utf8')).toContain('p0-s1,0.3,client1,established,3\n');
    expect(readFileSync(join(out, 'samples.csv'), 'utf8').split('\n')[0]).toBe('run,metric,value');
  });

  it('writes summary.json with runs in RunSpec order and one aggregate row per point, wall time apart in timing.json', async () => {
    const out = tempDir();
    const runs = fakeRuns(ratePoints(2), 3);
    await runBatch(runs, options(out, { rawSpec: { name: 'fake', note: 'as loaded' } }));
    const s = readSummary(out);
    expect(s.experiment).toBe('fake');
    expect(s.spec).toEqual({ name: 'fake', note: 'as loaded' });
    expect(s.runs.map((r) => r.id)).toEqual(runs.map((r) => r.id));
    expect(s.runs[0]).toMatchObject({ id: 'p0-s1', point: { rate: 10, mode: 'a,b' }, seed: 1 });
    expect(s.runs[0]!.metrics['sim.wall_s']).toBeUndefined();
    const timing = JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8')) as {
      'sim.wall_s': Record<string, number>;
    };
    expect(Object.keys(timing['sim.wall_s'])).toEqual(runs.map((r) => r.id));
    expect(s.aggregate.map((a) => a.point)).toEqual([ratePoints(2)[0], ratePoints(2)[1]]);
    // ping.lost is seed % 3 → 1, 2, 0 over seeds 1..3: mean 1, s = 1, t(0.975, 2) = 4.302653.
    expect(s.aggregate[0]!.metrics['ping.lost']).toEqual({
      mean: 1,
      ci95: expect.closeTo((4.302652729749464 * 1) / Math.sqrt(3), 12),
      min: 0,
      max: 2,
      n: 3,
    });
    expect(s.aggregate[1]!.metrics['ping.sent']).toEqual({ mean: 200, ci95: 0, min: 200, max: 200, n: 3 });
    // Text and null metrics are not aggregated.
    expect(s.aggregate[0]!.metrics['time_wait.peak_node']).toBeUndefined();
    expect(s.aggregate[0]!.metrics['handshake_ms.p99']).toBeUndefined();
  });

  it('puts a single run’s captures at <node>.pcap and several runs’ under pcap/<run>/', async () => {
    const single = tempDir();
    await runBatch(fakeRuns(ratePoints(1), 1), options(single, { pcap: true }));
    expect(
      Object.keys(resultFiles(single))
        .filter((f) => f.endsWith('.pcap'))
        .sort(),
    ).toEqual(['client1.pcap', 'server.pcap']);
    expect([...readFileSync(join(single, 'client1.pcap'))]).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 1, 0]);

    const many = tempDir();
    await runBatch(fakeRuns(ratePoints(2), 1), options(many, { pcap: true, jobs: 2 }));
    expect(
      Object.keys(resultFiles(many))
        .filter((f) => f.endsWith('.pcap'))
        .sort(),
    ).toEqual([
      'pcap/p0-s1/client1.pcap',
      'pcap/p0-s1/server.pcap',
      'pcap/p1-s1/client1.pcap',
      'pcap/p1-s1/server.pcap',
    ]);
    expect([...readFileSync(join(many, 'pcap/p1-s1/client1.pcap'))]).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 1, 1]);
  });

  it('reports plain progress lines on a non-terminal stream and nothing else', async () => {
    const err = sink();
    await runBatch(fakeRuns(ratePoints(2), 2), options(tempDir(), { stderr: err }));
    const lines = err.text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\S+ \[1\/4\] p0-s1 done in \d+\.\d+s$/);
    expect(lines[3]).toMatch(/^\S+ \[4\/4\] p1-s2 done in \d+\.\d+s$/);
  });
});

describe('runBatch resume', () => {
  it('does not redo stored runs, and redoes only the ones whose record is gone', async () => {
    const out = tempDir();
    const log = runLogPath(out);
    process.env.FAKE_RUN_LOG = log;
    const runs = fakeRuns(ratePoints(3), 2);
    await runBatch(runs, options(out));
    expect(loggedRuns(log)).toHaveLength(6);
    const before = comparableFiles(out);
    const mtime = statSync(join(out, '.runs', 'p0-s1.json')).mtimeMs;

    unlinkSync(join(out, '.runs', 'p1-s2.json'));
    unlinkSync(join(out, '.runs', 'p2-s1.json'));
    rmSync(log);
    const err = sink();
    await runBatch(runs, options(out, { stderr: err }));
    expect(loggedRuns(log)).toEqual(['p1-s2', 'p2-s1']);
    expect(err.text).toContain('resuming: 4 of 6 runs already stored');
    expect(err.text).toContain('[5/6] p1-s2 done');
    expect(statSync(join(out, '.runs', 'p0-s1.json')).mtimeMs).toBe(mtime);
    expect(comparableFiles(out)).toEqual(before);
  });

  it('redoes runs whose spec changed (another key), even with the same ids', async () => {
    const out = tempDir();
    const log = runLogPath(out);
    process.env.FAKE_RUN_LOG = log;
    await runBatch(fakeRuns(ratePoints(2), 1), options(out));
    rmSync(log);
    const edited = fakeExperiment('fake', { duration: 2_000_000_000 });
    await runBatch(fakeRuns(ratePoints(2), 1, edited), options(out, { experiment: edited }));
    expect(loggedRuns(log)).toEqual(['p0-s1', 'p1-s1']);
  });

  it('keeps stored runs when only charts or the spec file path changed', async () => {
    const out = tempDir();
    const log = runLogPath(out);
    process.env.FAKE_RUN_LOG = log;
    await runBatch(fakeRuns(ratePoints(2), 1), options(out));
    rmSync(log);
    const edited = fakeExperiment('fake', {
      charts: [{ kind: 'timeseries', metric: 'syn_queue' }],
      file: 'elsewhere/fake.yaml',
    });
    await runBatch(fakeRuns(ratePoints(2), 1, edited), options(out, { experiment: edited }));
    expect(loggedRuns(log)).toEqual([]);
  });

  it('redoes a run stored without a trace when a trace is asked for, not the other way round', async () => {
    const out = tempDir();
    const log = runLogPath(out);
    process.env.FAKE_RUN_LOG = log;
    const runs = fakeRuns(ratePoints(1), 2);
    await runBatch(runs, options(out));
    expect(existsSync(join(out, 'trace.jsonl'))).toBe(false);
    rmSync(log);
    await runBatch(runs, options(out, { trace: true }));
    expect(loggedRuns(log)).toEqual(['p0-s1', 'p0-s2']);
    expect(readFileSync(join(out, 'trace.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(4);
    rmSync(log);
    await runBatch(runs, options(out, { trace: false }));
    expect(loggedRuns(log)).toEqual([]);
    // A results folder describes the last batch: its trace file is gone.
    expect(existsSync(join(out, 'trace.jsonl'))).toBe(false);
  });

  it('treats a record it cannot parse as missing', async () => {
    const out = tempDir();
    const log = runLogPath(out);
    process.env.FAKE_RUN_LOG = log;
    const runs = fakeRuns(ratePoints(1), 2);
    await runBatch(runs, options(out));
    rmSync(log);
    writeFileSync(join(out, '.runs', 'p0-s2.json'), '{"format":1,"id":"p0-s2","ke');
    await runBatch(runs, options(out));
    expect(loggedRuns(log)).toEqual(['p0-s2']);
  });
});

describe('runBatch failures', () => {
  it('stops at a failing run, names it, and keeps the runs already stored', async () => {
    const out = tempDir();
    process.env.FAKE_RUN_FAIL = 'p1-s1';
    const runs: RunSpec[] = fakeRuns(ratePoints(3), 1);
    await expect(runBatch(runs, options(out))).rejects.toThrow('run p1-s1 failed: fake failure');
    expect(existsSync(join(out, '.runs', 'p0-s1.json'))).toBe(true);
    expect(existsSync(join(out, '.runs', 'p2-s1.json'))).toBe(false);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it('rejects a failing run on the worker pool too', async () => {
    process.env.FAKE_RUN_FAIL = 'p2-s1';
    await expect(runBatch(fakeRuns(ratePoints(4), 1), options(tempDir(), { jobs: 2 }))).rejects.toThrow(
      'run p2-s1 failed: fake failure',
    );
  });

  it('stops a shared pool before writing the results only when told no batch follows on it', async () => {
    for (const lastOnPool of [false, true]) {
      const pool = new WorkerPool(1, FAKE_RUNNER);
      const stoppedWhileDrawing: boolean[] = [];
      await runBatch(
        fakeRuns(ratePoints(2), 1),
        options(tempDir(), {
          jobs: 1,
          pool,
          lastOnPool,
          onAssembled: async () => stoppedWhileDrawing.push(pool.stopped),
        }),
      );
      expect({ lastOnPool, stoppedWhileDrawing, stoppedAfter: pool.stopped }).toEqual({
        lastOnPool,
        stoppedWhileDrawing: [lastOnPool],
        stoppedAfter: lastOnPool,
      });
      await pool.destroy();
    }
  });

  it('refuses an out-of-range shard and duplicate run ids', async () => {
    await expect(
      runBatch(fakeRuns(ratePoints(1), 1), options(tempDir(), { shard: { index: 2, count: 2 } })),
    ).rejects.toBeInstanceOf(BatchError);
    const runs = fakeRuns(ratePoints(1), 1);
    await expect(runBatch([...runs, ...runs], options(tempDir()))).rejects.toThrow('two runs have the id p0-s1');
  });
});
