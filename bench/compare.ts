/**
 * `npm run bench:compare -- --base <checkout> [--rounds N] [section …]`: is this checkout slower
 * than another one? For a change that should not alter speed (a refactor), run both trees' own
 * benchmark sections in turns (base, this, this, base, …, so drift in the machine's load falls on
 * both alike) and report, per section, each side's CPU time (user + sys of the whole process, from
 * /usr/bin/time) and the ratio of medians. The base checkout needs its own node_modules
 * (e.g. `git worktree add /tmp/base main && (cd /tmp/base && npm ci)`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SECTIONS = ['scheduler', 'network', 'tcp-handshakes', 'tcp-synflood', 'experiment-handshakes'];

interface Sample {
  cpu_s: number;
  wall_s: number;
  rss_mb: number;
}

function parseArgs(argv: string[]): { base: string; rounds: number; sections: string[] } {
  let base = '';
  let rounds = 3;
  const sections: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--base') base = argv[++i] ?? '';
    else if (a === '--rounds') rounds = Number(argv[++i]);
    else sections.push(a);
  }
  if (base === '' || !existsSync(nodePath.join(base, 'bench', 'run.ts'))) {
    process.stderr.write('bench:compare: --base <checkout> must name a tcplab checkout with bench/run.ts\n');
    process.exit(2);
  }
  if (!Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write('bench:compare: --rounds must be a positive integer\n');
    process.exit(2);
  }
  return { base: nodePath.resolve(base), rounds, sections: sections.length > 0 ? sections : DEFAULT_SECTIONS };
}

/** One whole benchmark process for `section` in `tree`, timed by /usr/bin/time. */
function runOnce(tree: string, section: string, scratch: string): Sample {
  const out = nodePath.join(scratch, 'time.txt');
  const tsx = nodePath.join(tree, 'node_modules', '.bin', 'tsx');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, tsx, 'bench/run.ts', section], {
    cwd: tree,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${tree}: bench section ${section} failed: ${r.stderr.toString().slice(-500)}`);
  const [wall, user, sys, rssKb] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { cpu_s: user + sys, wall_s: wall, rss_mb: rssKb / 1024 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[], digits: number): string =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

const { base, rounds, sections } = parseArgs(process.argv.slice(2));
const scratch = mkdtempSync(nodePath.join(tmpdir(), 'tcplab-compare-'));
process.stdout.write(
  `base ${base}\nthis ${HERE}\n${rounds} rounds per section, in turns; load average at start ${loadavg()[0]!.toFixed(2)}\n\n`,
);
process.stdout.write(
  '| section | base cpu (median, min–max) | this cpu (median, min–max) | this / base | base RSS | this RSS |\n|---|--:|--:|--:|--:|--:|\n',
);
try {
  for (const section of sections) {
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < rounds; i++) {
      // ABBA order: a slow stretch of the machine lands on both sides.
      if (i % 2 === 0) {
        a.push(runOnce(base, section, scratch));
        b.push(runOnce(HERE, section, scratch));
      } else {
        b.push(runOnce(HERE, section, scratch));
        a.push(runOnce(base, section, scratch));
      }
    }
    const ca = a.map((s) => s.cpu_s);
    const cb = b.map((s) => s.cpu_s);
    const ratio = median(cb) / median(ca);
    process.stdout.write(
      `| ${section} | ${median(ca).toFixed(2)} s (${range(ca, 2)}) | ${median(cb).toFixed(2)} s (${range(cb, 2)}) | ${ratio.toFixed(3)}× | ${median(a.map((s) => s.rss_mb)).toFixed(0)} MB | ${median(b.map((s) => s.rss_mb)).toFixed(0)} MB |\n`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`\nload average at end ${loadavg()[0]!.toFixed(2)}\n`);
