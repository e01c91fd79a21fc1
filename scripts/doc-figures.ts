/**
 * The README's figures are copies of flagship figures: this keeps them current. After `npm start`
 * has written results/, `npm run docs:figures` copies each figure below from its experiment's
 * folder (found by the figure's <title>, so renumbered charts still match) and
 * `npm run docs:figures -- --check` only reports which copies differ (exit 1), for a reviewer or a
 * release script. The figures are deterministic, so a difference means the copy is stale.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** docs/figures file → the experiment's results folder and the figure's <title>. */
const FIGURES: Record<string, { experiment: string; title: string }> = {
  'handshake-cdf.svg': { experiment: 'handshake', title: 'Handshake time: distribution (RTT 52 ms)' },
  'handshake-fastopen.svg': {
    experiment: 'handshake',
    title: 'Request time against latency: Fast Open saves one RTT on a repeat visit',
  },
  'http-versions.svg': { experiment: 'http-versions', title: 'Page load time against link latency (no loss)' },
  'http-versions-loss.svg': {
    experiment: 'http-versions',
    title: 'Page load time against packet loss (latency 25 ms)',
  },
  'http2-loss.svg': { experiment: 'http2-loss', title: 'Page load time against packet loss (50 objects of 8 KB)' },
  'http2-stall-ladder.svg': {
    experiment: 'http2-stall',
    title: 'One HTTP/2 page: six streams interleaved, one lost segment',
  },
  'lifecycle-lost-syn.svg': { experiment: 'lifecycle', title: 'Lost SYN: retransmitted after the 1 s initial RTO' },
  'syn-flood-queue.svg': { experiment: 'syn-flood', title: 'SYN queue occupancy, no defence' },
  'syn-flood-success.svg': { experiment: 'syn-flood', title: 'Client success ratio against attack rate' },
  'time-wait.svg': { experiment: 'time-wait', title: 'TIME-WAIT sockets on the client (300 requests/s)' },
};

function titleOf(svg: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(svg)?.[1];
}

function source(experiment: string, title: string): string | undefined {
  const dir = path.join(root, 'results', experiment);
  if (!existsSync(dir)) return undefined;
  const hits = readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .filter((svg) => titleOf(svg) === title);
  return hits.length === 1 ? hits[0] : undefined;
}

const check = process.argv.includes('--check');
const problems: string[] = [];
for (const [file, { experiment, title }] of Object.entries(FIGURES)) {
  const svg = source(experiment, title);
  const target = path.join(root, 'docs/figures', file);
  if (svg === undefined) {
    problems.push(`${file}: no single figure titled "${title}" in results/${experiment}/ (run \`npm start\` first)`);
    continue;
  }
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current === svg) continue;
  if (check) {
    problems.push(`${file}: differs from results/${experiment}/ ("${title}")`);
  } else {
    writeFileSync(`${target}.tmp`, svg);
    renameSync(`${target}.tmp`, target);
    console.log(`docs/figures/${file}: updated from results/${experiment}/`);
  }
}
for (const p of problems) console.error(p);
process.exit(problems.length > 0 ? 1 : 0);
