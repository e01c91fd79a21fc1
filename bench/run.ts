/**
 * Runs the benchmarks: `npm run bench` runs every section, `npm run bench -- scheduler net` the
 * named ones. To add a section, write bench/<topic>.ts that calls registerSection and import it
 * below. Numbers are wall-clock rates of this process; see bench/README.md for recorded results.
 */
import os from 'node:os';
import { registerSection, registeredSections, type BenchReport } from './registry.ts';
import './scheduler.ts';
import './network.ts';
import { tcpSections } from './tcp.ts';
import { experimentSections } from './experiment.ts';
import { cliSections } from './cli-run.ts';
import { connMemorySection } from './conn-memory.ts';

tcpSections.forEach(registerSection);
experimentSections.forEach(registerSection);
cliSections.forEach(registerSection);
registerSection(connMemorySection);

const report: BenchReport = {
  table(rows) {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0]!);
    const cells = rows.map((r) => cols.map((c) => String(r[c] ?? '')));
    const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
    const line = (vals: string[]): string => `| ${vals.map((v, i) => v.padStart(widths[i]!)).join(' | ')} |`;
    process.stdout.write(`${line(cols)}\n|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|\n`);
    for (const r of cells) process.stdout.write(`${line(r)}\n`);
  },
  note(text) {
    process.stdout.write(`${text}\n`);
  },
};

const wanted = process.argv.slice(2);
const all = registeredSections();
const unknown = wanted.filter((w) => !all.some((s) => s.name === w));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown bench section(s): ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const cpus = os.cpus();
process.stdout.write(
  `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'unknown cpu'}, ${new Date().toISOString().slice(0, 10)}\n\n`,
);
for (const section of all) {
  if (wanted.length > 0 && !wanted.includes(section.name)) continue;
  process.stdout.write(`## ${section.name}: ${section.description}\n`);
  await section.run(report);
  process.stdout.write('\n');
}
