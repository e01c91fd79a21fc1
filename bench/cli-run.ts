/**
 * What users run: `tcplab run` as a whole process on an experiment file (issue 14).
 *
 * `cli`: the star scenario of the ns-3 comparison (N clients on 100 Mbps / 5 ms links to a router,
 * router to server 1 Gbps / 1 ms, each client connects once within the first second, sends 1000 B,
 * reads 1000 B and closes, run to the end of TIME-WAIT), written as an experiment file the way a
 * user would (one `client` app over the client group), generated for each N into a scratch folder
 * and run with `node bin/tcplab.js run <file> --jobs 1 --profile`. Per N: wall time of the whole
 * process, its peak RSS (every thread), and the --profile phase breakdown. N defaults to 1k and
 * 10k; `TCPLAB_BENCH_CLI_N=1000,10000,100000` picks others. bin/tcplab.js runs the compiled build
 * when it is current (`npm run build`), so the section builds first and says which ran.
 *
 * `cli-parallel`: `--jobs 2` against the machine's own two-process capacity on the handshake and
 * syn-flood flagships. Capacity: the batch split in two shards (`--shard 0/2`, `1/2`) run as two
 * independent processes side by side, against the whole batch in one process with `--jobs 1`;
 * capacity = T(jobs 1) / T(two shard processes). `--jobs 2` gives T(jobs 1) / T(jobs 2); the
 * section reports both and their ratio, each from the better of two rounds taken in turns (jobs 1,
 * shards, jobs 2, then again), with the load average before each.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport, BenchSection } from './registry.ts';
import { PHASES } from '../src/experiment/profile.ts';
import { starScenario } from './star.ts';

const ROOT = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = nodePath.join(ROOT, 'bin', 'tcplab.js');

interface Timed {
  wall_s: number;
  code: number | null;
  stderr: string;
}

function timedRun(args: string[], cwd: string): Promise<Timed> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ wall_s: (performance.now() - t0) / 1000, code, stderr }));
  });
}

function load(): string {
  return loadavg()[0]!.toFixed(1);
}

/** Phase seconds and peak RSS from the --profile table on stderr. */
function parseProfile(stderr: string): { phases: Record<string, number>; rss_mb: number } {
  const phases: Record<string, number> = {};
  let rss_mb = NaN;
  for (const line of stderr.split('\n')) {
    const m = /^ {2}(\w+) +(\d+\.\d+) s/.exec(line);
    if (m) phases[m[1]!] = Number(m[2]);
    const r = /peak RSS (\d+) MB/.exec(line);
    if (r) rss_mb = Number(r[1]);
  }
  return { phases, rss_mb };
}

function buildOrSay(report: BenchReport): void {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  report.note(
    r.status === 0
      ? 'compiled build current (npm run build): bin/tcplab.js runs dist/'
      : `build failed, bin/tcplab.js runs the sources through tsx: ${r.stdout}${r.stderr}`,
  );
}

async function cliSuite(report: BenchReport): Promise<void> {
  buildOrSay(report);
  const sizes = (process.env['TCPLAB_BENCH_CLI_N'] ?? '1000,10000').split(',').map(Number);
  const dir = mkdtempSync(nodePath.join(tmpdir(), 'tcplab-bench-cli-'));
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const n of sizes) {
      const file = nodePath.join(dir, `star-${n}.yaml`);
      writeFileSync(file, starScenario(n));
      const loadBefore = load();
      const r = await timedRun(
        ['run', file, '--jobs', '1', '--profile', '--yes', '--out', nodePath.join(dir, `out-${n}`)],
        dir,
      );
      if (r.code !== 0) throw new Error(`tcplab run exited ${r.code}: ${r.stderr.slice(-800)}`);
      const { phases, rss_mb } = parseProfile(r.stderr);
      const row: Record<string, string | number> = { N: n, wall_s: r.wall_s.toFixed(2), rss_mb, load: loadBefore };
      for (const p of PHASES) row[p] = (phases[p] ?? 0).toFixed(2);
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.table(rows);
  report.note(
    'wall_s = whole process (spawn to exit); phases from --profile, seconds (run phases where the run executed: the command thread with --jobs 1); rss_mb = peak RSS of the process, every thread.',
  );
}

async function parallelSuite(report: BenchReport): Promise<void> {
  buildOrSay(report);
  const rows: Array<Record<string, string | number>> = [];
  for (const name of ['handshake', 'syn-flood']) {
    const file = nodePath.join(ROOT, 'experiments', `${name}.yaml`);
    if (!existsSync(file)) continue;
    const dir = mkdtempSync(nodePath.join(tmpdir(), `tcplab-bench-par-${name}-`));
    try {
      const t = { jobs1: [] as number[], shards: [] as number[], jobs2: [] as number[], loads: [] as string[] };
      for (let round = 0; round < 2; round++) {
        const out = (what: string): string => nodePath.join(dir, `${what}-${round}`);
        t.loads.push(load());
        t.jobs1.push((await timedRun(['run', file, '--jobs', '1', '--out', out('j1')], dir)).wall_s);
        t.loads.push(load());
        const t0 = performance.now();
        await Promise.all(
          [0, 1].map((i) => timedRun(['run', file, '--jobs', '1', '--shard', `${i}/2`, '--out', out(`s${i}`)], dir)),
        );
        t.shards.push((performance.now() - t0) / 1000);
        t.loads.push(load());
        t.jobs2.push((await timedRun(['run', file, '--jobs', '2', '--out', out('j2')], dir)).wall_s);
      }
      const best = (xs: number[]): number => Math.min(...xs);
      const capacity = best(t.jobs1) / best(t.shards);
      const speedup = best(t.jobs1) / best(t.jobs2);
      rows.push({
        flagship: name,
        'jobs 1 s': t.jobs1.map((x) => x.toFixed(1)).join(' / '),
        'two shard processes s': t.shards.map((x) => x.toFixed(1)).join(' / '),
        'jobs 2 s': t.jobs2.map((x) => x.toFixed(1)).join(' / '),
        capacity: `${capacity.toFixed(2)}x`,
        'jobs 2 speedup': `${speedup.toFixed(2)}x`,
        'of capacity': `${Math.round((100 * speedup) / capacity)} %`,
        load: t.loads.join(' '),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  report.table(rows);
  report.note(
    'capacity = T(jobs 1) / T(the two shards as two processes side by side); speedup = T(jobs 1) / T(jobs 2); each from the better of two rounds taken in turns; every time is a whole process.',
  );
}

export const cliSections: BenchSection[] = [
  {
    name: 'cli',
    description: 'tcplab run as a whole process on generated star experiments, with the --profile breakdown',
    run: cliSuite,
  },
  {
    name: 'cli-parallel',
    description: "--jobs 2 against the machine's two-process capacity on the handshake and syn-flood flagships",
    run: parallelSuite,
  },
];
