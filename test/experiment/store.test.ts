import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listTemps,
  openAtomicStream,
  removeStaleTemps,
  tempPathFor,
  writeFileAtomic,
} from '../../src/experiment/atomic-write.ts';
import { runKey } from '../../src/experiment/run-key.ts';
import { emptyTimeseries, type RunOutput } from '../../src/experiment/run-output.ts';
import { nodeFileName, RunStore } from '../../src/experiment/store.ts';
import { fakeExperiment, fakeRuns, ratePoints } from './batch-fixtures/fake-experiment.ts';
import { tempDir } from './batch-fixtures/folder.ts';

/** The pid of a process that has exited (so a temp file named after it is stale). */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
  );
}

const output: RunOutput = {
  metrics: { 'ping.sent': 3 },
  timeseries: emptyTimeseries(),
  samples: [],
  trace: '{"run":"p0-s1","t":0}',
  pcaps: [{ node: 'client/1', bytes: new Uint8Array([1, 2, 3]) }],
};

describe('atomic writes', () => {
  it('replace the file and leave no temporary file behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'a.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('a stream is invisible until committed, and abort leaves nothing', async () => {
    const dir = tempDir();
    const s = await openAtomicStream(join(dir, 'big.csv'));
    await s.write('a,b\n');
    await s.write(new Uint8Array([0x31, 0x0a]));
    expect(readdirSync(dir).filter((n) => n === 'big.csv')).toEqual([]);
    await s.commit();
    expect(readFileSync(join(dir, 'big.csv'), 'utf8')).toBe('a,b\n1\n');
    const t = await openAtomicStream(join(dir, 'gone.csv'));
    await t.write('x');
    await t.abort();
    expect(readdirSync(dir)).toEqual(['big.csv']);
  });

  it('stale temporaries of dead processes are removed, a live process’s are kept', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p0-s1'));
    const dead = deadPid();
    const host = tempPathFor(join(dir, 'x')).split('.').at(-4)!;
    const stale = [
      join(dir, `.p0-s1.json.${host}.${dead}.0.tmp`),
      join(dir, 'p0-s1', `.client1.pcap.${host}.${dead}.3.tmp`),
    ];
    for (const f of stale) writeFileSync(f, 'torn');
    const mine = tempPathFor(join(dir, 'p0-s2.json'));
    writeFileSync(mine, 'being written');
    // Another machine sharing the folder: its processes cannot be checked from here.
    const remote = join(dir, `.p0-s3.json.other-host.${dead}.0.tmp`);
    writeFileSync(remote, 'being written elsewhere');
    expect(listTemps(dir).sort()).toEqual([...stale, mine, remote].sort());
    expect(await removeStaleTemps(dir)).toBe(2);
    expect(listTemps(dir).sort()).toEqual([mine, remote].sort());
  });
});

describe('RunStore', () => {
  const [run] = fakeRuns(ratePoints(1), 1);
  const id = { id: run!.id, key: runKey(run!), pointIndex: 0, point: run!.point, seed: 1 };

  it('stores a run with its trace and captures; the record names what it holds', async () => {
    const store = new RunStore(join(tempDir(), '.runs'));
    await store.open();
    await store.save(id, output, 0.25);
    const rec = await store.finished(id.id, id.key, { trace: true, pcap: true });
    expect(rec).toMatchObject({
      id: 'p0-s1',
      key: id.key,
      wall_s: 0.25,
      metrics: { 'ping.sent': 3 },
      trace: true,
      pcap: true,
      pcaps: ['client/1'],
    });
    // The trace is stored newline-terminated; a node name is never a path.
    expect(readFileSync(store.tracePath('p0-s1'), 'utf8')).toBe('{"run":"p0-s1","t":0}\n');
    expect(store.pcapPath('p0-s1', 'client/1')).toBe(join(store.dir, 'p0-s1', 'client%2F1.pcap'));
    expect([...readFileSync(store.pcapPath('p0-s1', 'client/1'))]).toEqual([1, 2, 3]);
    expect(listTemps(store.dir)).toEqual([]);
  });

  it('a record with another key or without the extras asked for does not count as finished', async () => {
    const store = new RunStore(join(tempDir(), '.runs'));
    await store.open();
    await store.save(id, { ...output, trace: undefined, pcaps: undefined }, 1);
    expect(await store.finished(id.id, id.key, { trace: false, pcap: false })).not.toBeNull();
    expect(await store.finished(id.id, 'another', { trace: false, pcap: false })).toBeNull();
    expect(await store.finished(id.id, id.key, { trace: true, pcap: false })).toBeNull();
    expect(await store.finished(id.id, id.key, { trace: false, pcap: true })).toBeNull();
    expect(await store.finished('p9-s9', id.key, { trace: false, pcap: false })).toBeNull();
  });

  it("stores the run's CSV rows as text; a record of the older column format is not read", async () => {
    const store = new RunStore(join(tempDir(), '.runs'));
    await store.open();
    const timeseries = { t_s: [0, 0.5], node: ['server', 'a,b'], metric: ['cwnd', 'cwnd'], value: [10, 2 / 3] };
    const samples = [{ metric: 'handshake_ms', value: 0.1 + 0.2 }];
    await store.save(id, { ...output, trace: undefined, pcaps: undefined, timeseries, samples }, 1);
    const rec = await store.read(id.id);
    expect(rec?.timeseriesCsv).toBe('p0-s1,0,server,cwnd,10\np0-s1,0.5,"a,b",cwnd,0.666666666666667\n');
    expect(rec?.samplesCsv).toBe('p0-s1,handshake_ms,0.3\n');
    // What format 1 stored: columns, no text. Its key (made with format 1) differs too.
    const { timeseriesCsv: _t, samplesCsv: _s, ...rest } = rec!;
    writeFileSync(store.recordPath(id.id), JSON.stringify({ ...rest, format: 1, timeseries, samples }));
    expect(await store.read(id.id)).toBeNull();
    expect(await store.finished(id.id, id.key, { trace: false, pcap: false })).toBeNull();
  });

  it('node file names stay inside their folder', () => {
    expect(nodeFileName('client12')).toBe('client12');
    expect(nodeFileName('../x')).toBe('%2E.%2Fx');
    expect(nodeFileName('..')).toBe('%2E.');
  });
});

describe('runKey', () => {
  it('changes with anything simulated, not with charts, file, trace or pcap', () => {
    const base = fakeExperiment();
    const key = (over: Parameters<typeof fakeExperiment>[1]) =>
      runKey(fakeRuns(ratePoints(1), 1, fakeExperiment('fake', over))[0]!);
    const k0 = runKey(fakeRuns(ratePoints(1), 1, base)[0]!);
    expect(key({})).toBe(k0);
    expect(
      key({ charts: [{ kind: 'cdf', metric: 'handshake_ms' }], file: '/elsewhere.yaml', trace: true, pcap: true }),
    ).toBe(k0);
    expect(key({ duration: 7 })).not.toBe(k0);
    expect(key({ tcp: { profile: 'rfc9293' } })).not.toBe(k0);
    expect(runKey(fakeRuns(ratePoints(1), 2, base)[1]!)).not.toBe(k0);
    expect(k0).toMatch(/^[0-9a-f]{64}$/);
  });
});
