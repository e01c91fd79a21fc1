/**
 * The batch runner on the real model (src/experiment/run.ts, no fake), from an experiment file
 * through the real loader: a small star with a server and clients, a sweep of two points × two
 * seeds, run in-process and on worker threads, with traces and captures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/experiment/batch.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import { comparableFiles, readSummary, resultFiles, tempDir } from './batch-fixtures/folder.ts';

const EXPERIMENT = `
name: star-batch
topology:
  name: star
  nodes:
    - { name: client, count: 2 }
    - { name: r1, kind: router }
    - { name: server }
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps, loss: 0.02, jitter: 1ms }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 2s
seeds: 2
apps:
  web: { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: "server:80", rate: 20/s }
sweep:
  apps.users.rate: [10/s, 20/s]
`;

describe('runBatch with the model', () => {
  it('gives the same results folder in-process and on two workers, traces and captures included', async () => {
    const dir = tempDir();
    const file = join(dir, 'star-batch.yaml');
    writeFileSync(file, EXPERIMENT);
    const loaded = loadExperiment(file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const { spec, raw, runs } = loaded.value;
    expect(runs.map((r) => r.id)).toEqual(['p0-s1', 'p0-s2', 'p1-s1', 'p1-s2']);

    const base = { trace: true, pcap: true, experiment: spec, rawSpec: raw, stderr: { write() {} } };
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    await runBatch(runs, { ...base, outDir: one, jobs: 1 });
    await runBatch(runs, { ...base, outDir: two, jobs: 2 });

    expect(comparableFiles(two)).toEqual(comparableFiles(one));
    const files = resultFiles(one);
    expect(Object.keys(files)).toContain('pcap/p1-s2/client2.pcap');
    // Nanosecond pcap magic, little-endian.
    expect([...readFileSync(join(one, 'pcap/p0-s1/server.pcap')).subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    const firstTrace = JSON.parse(files['trace.jsonl']!.split('\n')[0]!) as { run: string; t: number };
    expect(firstTrace).toMatchObject({ run: 'p0-s1' });
    expect(files['runs.csv']!.split('\n')[0]).toMatch(/^run,apps\.users\.rate,seed,/);

    const s = readSummary(one);
    expect(s.experiment).toBe('star-batch');
    expect(s.runs.map((r) => r.point)).toEqual([
      { 'apps.users.rate': '10/s' },
      { 'apps.users.rate': '10/s' },
      { 'apps.users.rate': '20/s' },
      { 'apps.users.rate': '20/s' },
    ]);
    for (const r of s.runs) {
      expect(r.metrics['sim.sim_s']).toBe(2);
      expect(r.metrics['sim.events']).toBeGreaterThan(0);
    }
  });
});
