/** What a newcomer meets first: validate keeps going past a missing topology, run refuses a swept --set, report says what it did. */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tcplab } from './helpers.ts';

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function emptyDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tcplab-first-'));
  scratch.push(d);
  return d;
}

describe.concurrent("a newcomer's first commands", () => {
  it('validate reports the app problems too when the topology file is missing', async () => {
    const dir = emptyDir();
    const file = join(dir, 'e.yaml');
    writeFileSync(
      file,
      `name: e
topology: ../nope.yaml
duration: 10s
apps:
  web: { kind: server, on: server, port: 80, bogus: 1 }
  users: { kind: client, on: client, target: server:80, rate: -5/s }
`,
    );
    const r = await tcplab(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      `${file}: topology: cannot read ${join(dir, '..', 'nope.yaml')}: no such file`,
      `${file}: apps.web.bogus: unknown key`,
      `${file}: apps.users.rate: expected a rate like "1000/s", got "-5/s"`,
    ]);
  });

  it('run with --set on a swept path exits 2 naming the --set and the axis, and writes nothing', async () => {
    const out = join(emptyDir(), 'out');
    const r = await tcplab(['run', 'experiments/syn-flood.yaml', '--set', 'apps.flood.rate=500/s', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      `experiments/syn-flood.yaml: --set apps.flood.rate=500/s: apps.flood.rate is also set by sweep axis "apps.flood.rate", which would override it in every run; set the axis instead: --set 'sweep.apps.flood.rate=[500/s]'`,
    ]);
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('report says it redraws from the stored spec and lists what it wrote', async () => {
    const dir = emptyDir();
    cpSync(join(REPO, 'test/report/fixtures/close'), dir, { recursive: true });
    const r = await tcplab(['report', dir]);
    expect(r.code).toBe(0);
    expect(r.errLines).toEqual([
      `tcplab: redrawing from ${join(dir, 'summary.json')} (the spec as run; edits to the experiment file need tcplab run)`,
    ]);
    const wrote = r.stdout.trim().split('\n');
    expect(wrote.at(-1)).toBe(`wrote ${join(dir, 'index.html')}`);
    const svgs = readdirSync(dir)
      .filter((f) => f.endsWith('.svg'))
      .sort();
    expect(svgs.length).toBeGreaterThan(0);
    expect(wrote.slice(0, -1).sort()).toEqual(svgs.map((f) => `wrote ${join(dir, f)}`));
  });

  it('compare prints the comparison, writes one page beside B (or into --out), and refuses a non-results folder', async () => {
    const root = emptyDir();
    cpSync(join(REPO, 'test/report/fixtures/close'), join(root, 'a'), { recursive: true });
    cpSync(join(REPO, 'test/report/fixtures/close'), join(root, 'b'), { recursive: true });
    const r = await tcplab(['compare', join(root, 'a'), join(root, 'b')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('spec: identical');
    expect(r.stdout).toMatch(/metrics identical/);
    expect(r.errLines).toEqual([`tcplab: wrote ${join(root, 'compare-a-vs-b.html')}`]);
    const out = join(root, 'cmp');
    const r2 = await tcplab(['compare', join(root, 'a'), join(root, 'b'), '--out', out]);
    expect(r2.code).toBe(0);
    expect(readdirSync(out)).toEqual(['compare.html']);
    const r3 = await tcplab(['compare', join(root, 'a'), root]);
    expect(r3.code).toBe(2);
    expect(r3.errLines).toEqual([`tcplab: ${root}: not a results folder: summary.json not found`]);
  });
});
