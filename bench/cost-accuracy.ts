/**
 * How close the cost estimate (src/experiment/cost.ts) comes to what runs really take: for each
 * flagship (experiments/*.yaml) whose results folder exists (run `npm start` first), each run's
 * `sim.events` from runs.csv over its estimate, as min, median and max. Usage:
 * `npx tsx bench/cost-accuracy.ts [results folder, default results/]`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEvents } from '../src/experiment/cost.ts';
import { loadExperiment } from '../src/experiment/load.ts';

const FLAGSHIPS = readdirSync('experiments')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();
const resultsDir = process.argv[2] ?? 'results';

for (const name of FLAGSHIPS) {
  const csvPath = join(resultsDir, name, 'runs.csv');
  if (!existsSync(csvPath)) {
    process.stdout.write(`${name}: no ${csvPath} (run npm start first)\n`);
    continue;
  }
  const loaded = loadExperiment(`experiments/${name}.yaml`, {});
  if (!loaded.ok) throw new Error(`experiments/${name}.yaml does not load`);
  const [header, ...rows] = readFileSync(csvPath, 'utf8').trim().split('\n');
  const column = header!.split(',').indexOf('sim.events');
  const events = new Map(rows.map((row) => [row.split(',')[0]!, Number(row.split(',')[column])]));
  const ratios = loaded.value.runs.map((run) => events.get(run.id)! / runEvents(run)).sort((a, b) => a - b);
  const at = (q: number): string => ratios[Math.floor(q * (ratios.length - 1))]!.toFixed(2);
  process.stdout.write(
    `${name.padEnd(14)} ${String(ratios.length).padStart(4)} runs  actual/estimate min ${at(0)}  median ${at(0.5)}  max ${at(1)}\n`,
  );
}
