/** The command surface: help, version, usage errors, validate on good files, --set and option problems. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tcplab } from './helpers.ts';

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function emptyDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tcplab-cli-'));
  scratch.push(d);
  return d;
}

describe.concurrent('tcplab', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await tcplab(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['validate <files...>', 'run <files...>', 'report <dir>', 'drill <paths...>', 'merge <dirs...>'])
      expect(r.stdout).toContain(`tcplab ${cmd}`);
  });

  it('run --help documents the run options', async () => {
    const r = await tcplab(['run', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--out', '--set', '--seed', '--seeds', '--jobs', '--trace', '--pcap', '--shard'])
      expect(r.stdout).toContain(opt);
  });

  it("every command's --help says what its arguments are", async () => {
    const args = { validate: 'files', run: 'files', report: 'dir', drill: 'paths', merge: 'dirs' };
    for (const [cmd, arg] of Object.entries(args)) {
      const r = await tcplab([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${arg} `));
      expect(line, cmd).toMatch(new RegExp(`^\\s+${arg}\\s+\\S.*\\[required\\]$`));
      expect(r.stdout, cmd).not.toContain('[default: []]');
    }
    expect((await tcplab(['run', '--help'])).stdout).toContain('the same command run again resumes');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await tcplab(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command, a missing file argument or an unknown option is a usage error: exit 2', async () => {
    for (const args of [['frobnicate'], ['run'], ['validate', 'topologies/star.yaml', '--frob'], []]) {
      const r = await tcplab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errLines[0], args.join(' ')).toMatch(/^tcplab: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('validate passes the shipped topologies and experiments with one ok line each', async () => {
    const files = [
      ...readdirSync(join(REPO, 'topologies'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `topologies/${f}`),
      ...readdirSync(join(REPO, 'experiments'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `experiments/${f}`),
    ];
    expect(files).toContain('topologies/star.yaml');
    expect(files).toContain('topologies/dumbbell.yaml');
    expect(files).toContain('topologies/line.yaml');
    const r = await tcplab(['validate', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(files.map((f) => `ok ${f}`));
  });

  it('validate reports good and bad files together and exits 2', async () => {
    const r = await tcplab(['validate', 'topologies/line.yaml', 'test/experiment/fixtures/bad-rate.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('ok topologies/line.yaml\n');
    expect(r.errLines).toEqual([
      'test/experiment/fixtures/bad-rate.yaml: apps.flood.rate: expected a rate like "1000/s", got "fast"',
    ]);
  });

  it('a missing file is bad input, not an internal error', async () => {
    const r = await tcplab(['validate', 'experiments/no-such.yaml']);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(['experiments/no-such.yaml: cannot read: no such file']);
  });

  it('a bad --set path is a problem naming the override; a bad --set value names the field', async () => {
    const cwd = emptyDir();
    const file = join(REPO, 'test/experiment/fixtures/good-inline.yaml');
    const r = await tcplab(
      [
        'run',
        file,
        '--set',
        'apps.flod.rate=1/s',
        '--set',
        'tcp.backlogg=10',
        '--set',
        'apps.users.mode=http2',
        '--set',
        'nonsense',
      ],
      cwd,
    );
    expect(r.code).toBe(2);
    expect(r.errLines.sort()).toEqual(
      [
        `${file}: --set apps.flod.rate=1/s: no such parameter: apps has no "flod" (did you mean "flood"?)`,
        `${file}: --set nonsense: expected path=value, like tcp.backlog=1024 or apps.flood.rate=500/s`,
        `${file}: --set tcp.backlogg=10: no such parameter: tcp has no parameter "backlogg" (did you mean "backlog"?)`,
        `${file}: apps.users.mode: expected one of http1.0, keepalive, pipelined, h2, got "http2"`,
      ].sort(),
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('option problems are reported with the file problems, and nothing is written', async () => {
    const cwd = emptyDir();
    const r = await tcplab(
      [
        'run',
        join(REPO, 'test/experiment/fixtures/bad-rate.yaml'),
        '--seeds',
        '0',
        '--jobs',
        '-1',
        '--shard',
        '3/3',
        '--out',
        join(cwd, 'out'),
      ],
      cwd,
    );
    expect(r.code).toBe(2);
    expect(r.errLines).toContain('tcplab: --seeds: expected a whole number ≥ 1, got 0');
    expect(r.errLines).toContain('tcplab: --jobs: expected a whole number ≥ 0, got -1');
    expect(r.errLines).toContain('tcplab: --shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got "3/3"');
    expect(r.errLines.some((l) => l.endsWith('apps.flood.rate: expected a rate like "1000/s", got "fast"'))).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('run refuses a topology file', async () => {
    const r = await tcplab(['run', 'topologies/star.yaml']);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      'topologies/star.yaml: this is a topology file; an experiment names it under topology:',
    ]);
  });

  it('run refuses two experiments that would write the same folder', async () => {
    const cwd = emptyDir();
    const f = join(REPO, 'experiments/handshake.yaml');
    const r = await tcplab(['run', f, f, '--out', join(cwd, 'out')], cwd);
    expect(r.code).toBe(2);
    expect(r.errLines[0]).toMatch(/name: experiment "handshake" would write to .*handshake, like another file given/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('run refuses an --out that is a file or a folder of other files, and touches nothing', async () => {
    const cwd = emptyDir();
    const file = join(REPO, 'test/experiment/fixtures/good-inline.yaml');
    writeFileSync(join(cwd, 'notes.txt'), 'mine');
    const r0 = await tcplab(['run', file, '--out', 'notes.txt'], cwd);
    expect(r0.code).toBe(2);
    expect(r0.errLines).toEqual(['tcplab: notes.txt: a file, not a folder (--out)']);
    mkdirSync(join(cwd, 'paper'));
    writeFileSync(join(cwd, 'paper', 'capture.pcap'), 'mine');
    const r1 = await tcplab(['run', file, '--out', 'paper'], cwd);
    expect(r1.code).toBe(2);
    expect(r1.errLines).toEqual([
      'tcplab: paper: holds other files and no tcplab results; give a new or empty folder (--out)',
    ]);
    expect(readdirSync(join(cwd, 'paper'))).toEqual(['capture.pcap']);
    const r2 = await tcplab(['run', file, '--seed', 'abc'], cwd);
    expect(r2.errLines).toEqual(['tcplab: --seed: expected a whole number ≥ 0, got something that is not a number']);
    expect(readdirSync(cwd).sort()).toEqual(['notes.txt', 'paper']);
  });

  it('report refuses a folder without a readable summary.json, or a file, and writes nothing', async () => {
    const dir = emptyDir();
    const r0 = await tcplab(['report', dir]);
    expect(r0.code).toBe(2);
    expect(r0.errLines).toEqual([`tcplab: ${dir}: not a results folder: summary.json not found`]);
    writeFileSync(join(dir, 'summary.json'), '{');
    const r1 = await tcplab(['report', dir]);
    expect(r1.code).toBe(2);
    expect(r1.errLines[0]).toMatch(new RegExp(`^tcplab: ${dir}: not a results folder: summary.json is not valid JSON`));
    writeFileSync(join(dir, 'summary.json'), '[]');
    const r2 = await tcplab(['report', dir]);
    expect(r2.code).toBe(2);
    expect(r2.errLines).toEqual([`tcplab: ${dir}: not a results folder: summary.json: expected an object`]);
    expect(readdirSync(dir)).toEqual(['summary.json']);
    const r3 = await tcplab(['report', 'package.json']);
    expect(r3.code).toBe(2);
    expect(r3.errLines).toEqual([
      'tcplab: package.json: a file, not a folder (expected a results folder written by tcplab run)',
    ]);
  });

  it('report, merge and drill name a missing path as bad input', async () => {
    const r0 = await tcplab(['drill', 'no-such-script.pkt']);
    expect(r0.code).toBe(2);
    expect(r0.errLines).toEqual(['tcplab: no-such-script.pkt: no such file or folder']);
    const r1 = await tcplab(['report', 'results/no-such-run']);
    expect(r1.code).toBe(2);
    expect(r1.errLines).toEqual([
      'tcplab: results/no-such-run: no such folder (expected a results folder written by tcplab run)',
    ]);
    const r2 = await tcplab(['merge', 'nowhere-a', '--out', 'nowhere-b']);
    expect(r2.code).toBe(2);
    expect(r2.errLines[0]).toBe(
      'tcplab: nowhere-a: no such folder (expected a shard folder written by tcplab run --shard)',
    );
  });
});
