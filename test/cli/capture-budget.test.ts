/**
 * Captures under the run's output budget (issue 13): `--pcap` streams each node's capture to the
 * store, and `--trace-limit` bounds the trace and the captures of a run together. A capture that
 * outgrows the budget ends with a warning, the run goes on and its metrics are unchanged; below
 * the budget the files are those of an unlimited run; resuming keeps the same bytes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchFolders, tcplab, tinyExperiment } from './helpers.ts';

const scratch = scratchFolders();

const TINY = tinyExperiment({ duration: '2s', rate: '20/s' });
const RUNS = ['p0-s1', 'p0-s2'];
const NODES = ['client', 'server'];

function folder(): string {
  const cwd = scratch.make('tcplab-capture-', { 'tiny.yaml': TINY });
  return cwd;
}

const pcap = (cwd: string, out: string, id: string, node: string) =>
  readFileSync(join(cwd, out, 'pcap', id, `${node}.pcap`));

/** Simulated times (ns) of a pcap's records. */
function recordTimes(file: Buffer): number[] {
  const out: number[] = [];
  for (let at = 24; at < file.length; at += 16 + file.readUInt32LE(at + 8))
    out.push(file.readUInt32LE(at) * 1e9 + file.readUInt32LE(at + 4));
  return out;
}

describe.concurrent('captures and the run budget', () => {
  it('a capture past --trace-limit stops with a warning; the run goes on; the kept part is the start of the whole capture', async () => {
    const cwd = folder();
    const full = await tcplab(['run', 'tiny.yaml', '--pcap', '--out', 'full'], cwd);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).not.toContain('stopped at');

    const limit = 20_000;
    const r = await tcplab(['run', 'tiny.yaml', '--pcap', '--trace-limit', '20kB', '--out', 'cut'], cwd);
    expect(r.code, r.stderr).toBe(0);
    for (const id of RUNS) {
      const m = new RegExp(
        `${id}: captures stopped at 20\\.0 kB \\(simulated ([\\d.]+) s\\) by --trace-limit; the run went on without them`,
      ).exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      const cutAt = Number(m![1]) * 1e9;
      let kept = 0;
      let whole = 0;
      for (const node of NODES) {
        const cut = pcap(cwd, 'cut', id, node);
        const all = pcap(cwd, 'full', id, node);
        expect(all.subarray(0, cut.length).equals(cut), `${id}/${node}`).toBe(true);
        expect(recordTimes(cut).every((t) => t <= cutAt)).toBe(true);
        expect(recordTimes(all).some((t) => t > cutAt)).toBe(true);
        kept += cut.length;
        whole += all.length;
      }
      expect(kept).toBeLessThanOrEqual(limit);
      expect(whole).toBeGreaterThan(limit);
      const rec = JSON.parse(readFileSync(join(cwd, 'cut/.runs', `${id}.json`), 'utf8')) as {
        outputsLimited?: unknown;
      };
      expect(rec.outputsLimited).toEqual({ limit, t_s: cutAt / 1e9, trace: false, pcap: true });
    }
    // The budget changes what is kept, never what is simulated.
    expect(readFileSync(join(cwd, 'cut/runs.csv'), 'utf8')).toBe(readFileSync(join(cwd, 'full/runs.csv'), 'utf8'));
    expect(readFileSync(join(cwd, 'cut/summary.json'), 'utf8')).toBe(
      readFileSync(join(cwd, 'full/summary.json'), 'utf8'),
    );

    // The same budget resumes from the store; no budget reruns and gives the whole captures.
    const again = await tcplab(['run', 'tiny.yaml', '--pcap', '--trace-limit', '20kB', '--out', 'cut'], cwd);
    expect(again.stderr).toContain('resuming: 2 of 2 runs already stored');
    const unlimited = await tcplab(['run', 'tiny.yaml', '--pcap', '--trace-limit', '0', '--out', 'cut'], cwd);
    expect(unlimited.stderr).not.toContain('resuming');
    for (const id of RUNS)
      for (const node of NODES) expect(pcap(cwd, 'cut', id, node).equals(pcap(cwd, 'full', id, node))).toBe(true);
  });

  it('with --trace, trace and captures share the budget and stop at the same instant, the trace saying so', async () => {
    const cwd = folder();
    const limit = 30_000;
    const r = await tcplab(['run', 'tiny.yaml', '--trace', '--pcap', '--trace-limit', '30kB', '--out', 'both'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const full = await tcplab(['run', 'tiny.yaml', '--trace', '--pcap', '--trace-limit', '0', '--out', 'full'], cwd);
    expect(full.code, full.stderr).toBe(0);
    const trace = readFileSync(join(cwd, 'both/trace.jsonl'), 'utf8').trim().split('\n');
    const fullTrace = readFileSync(join(cwd, 'full/trace.jsonl'), 'utf8');
    for (const id of RUNS) {
      const m = new RegExp(
        `${id}: trace and captures stopped at 30\\.0 kB \\(simulated ([\\d.]+) s\\) by --trace-limit; the run went on without them`,
      ).exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      const lines = trace.filter((l) => l.includes(`"run":"${id}"`));
      expect(JSON.parse(lines.at(-1)!)).toEqual({ run: id, t: Number(m![1]), ev: 'trace-limit', limit });
      const keptTrace = lines
        .slice(0, -1)
        .map((l) => l + '\n')
        .join('');
      expect(
        fullTrace
          .split('\n')
          .filter((l) => l.includes(`"run":"${id}"`))
          .map((l) => l + '\n')
          .join('')
          .startsWith(keptTrace),
      ).toBe(true);
      let kept = Buffer.byteLength(keptTrace);
      for (const node of NODES) {
        const cut = pcap(cwd, 'both', id, node);
        expect(pcap(cwd, 'full', id, node).subarray(0, cut.length).equals(cut)).toBe(true);
        kept += cut.length;
      }
      expect(kept).toBeLessThanOrEqual(limit);
    }
  });

  it('below the budget, --pcap files and the trace are those of an unlimited run, and no temporary file is left', async () => {
    const cwd = folder();
    const a = await tcplab(['run', 'tiny.yaml', '--trace', '--pcap', '--out', 'a'], cwd);
    const b = await tcplab(['run', 'tiny.yaml', '--trace', '--pcap', '--trace-limit', '0', '--out', 'b'], cwd);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr).not.toContain('stopped at');
    for (const id of RUNS)
      for (const node of NODES) expect(pcap(cwd, 'a', id, node).equals(pcap(cwd, 'b', id, node))).toBe(true);
    expect(readFileSync(join(cwd, 'a/trace.jsonl')).equals(readFileSync(join(cwd, 'b/trace.jsonl')))).toBe(true);
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [n]));
    expect(walk(join(cwd, 'a')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
