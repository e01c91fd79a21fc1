/**
 * Assembles the results folder (docs/design.md part 2) from the plan and the stored runs. Every file is
 * written atomically and depends only on the stored runs and the plan, in plan order, so the same
 * runs give byte-identical files whatever --jobs or sharding produced them. Wall-clock time, the
 * one thing that differs between two executions of the same runs, goes to `timing.json` alone
 * (`sim.wall_s` per run), so summary.json and runs.csv stay byte-identical.
 */
import { readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { AggregateRow, RunResult, Summary } from '../metrics/results.ts';
import { aggregateRuns } from './aggregate.ts';
import { openAtomicStream, copyFileAtomic, removeStaleTemps, writeFileAtomic, type AtomicStream } from './atomic-write.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { csvLine, stableJson } from './csv.ts';
import type { BatchPlan } from './plan.ts';
import { nodeFileName, type RunStore, type StoredRun } from './store.ts';

/** The metric that holds wall-clock time: in timing.json only, never in summary.json or runs.csv. */
export const WALL_METRIC = 'sim.wall_s';

export async function writeResults(outDir: string, plan: BatchPlan, store: RunStore): Promise<void> {
  // A results file or figure torn by an earlier process killed while assembling (Ctrl-C after the
  // runs) left its temporary file here: this write replaces what it was writing.
  await removeStaleTemps(outDir);
  const runs: RunResult[] = [];
  const pointIndex: number[] = [];
  const metricNames = new Set<string>();
  const pointNames: string[] = [];
  const pointSeen = new Set<string>();
  const wall: Record<string, number> = {};

  const timeseries = await openAtomicStream(join(outDir, 'timeseries.csv'));
  const samples = await openAtomicStream(join(outDir, 'samples.csv'));
  const trace = plan.trace ? await openAtomicStream(join(outDir, 'trace.jsonl')) : null;
  const streams = [timeseries, samples, ...(trace ? [trace] : [])];
  try {
    await timeseries.write(csvLine(['run', 't_s', 'node', 'metric', 'value']));
    await samples.write(csvLine(['run', 'metric', 'value']));
    // One record in memory at a time: only metrics are kept for the summary.
    for (const planned of plan.runs) {
      const rec = await store.read(planned.id);
      if (!rec || rec.key !== planned.key) {
        throw new BatchError(BatchErrorCode.missingRun, `run ${planned.id} is not stored in ${store.dir} (or was stored for another spec)`, 1);
      }
      for (const k of Object.keys(planned.point)) if (!pointSeen.has(k)) pointSeen.add(k), pointNames.push(k);
      for (const k of Object.keys(rec.metrics)) metricNames.add(k);
      runs.push({ id: planned.id, point: planned.point, seed: planned.seed, metrics: sortedMetrics(rec) });
      wall[planned.id] = rec.wall_s;
      pointIndex.push(planned.pointIndex);
      await writeTimeseries(timeseries, rec);
      for (const s of rec.samples) await samples.write(csvLine([rec.id, s.metric, s.value]));
      if (trace && rec.trace) await appendFile(trace, store.tracePath(rec.id));
    }
    for (const s of streams) await s.commit();
  } catch (e) {
    for (const s of streams) await s.abort();
    throw e;
  }
  if (!plan.trace) await rm(join(outDir, 'trace.jsonl'), { force: true });

  const metricColumns = [...metricNames].filter((m) => m !== WALL_METRIC).sort();
  let csv = csvLine(['run', ...pointNames, 'seed', ...metricColumns]);
  for (const r of runs) csv += csvLine([r.id, ...pointNames.map((p) => r.point[p]), r.seed, ...metricColumns.map((m) => r.metrics[m])]);
  await writeFileAtomic(join(outDir, 'runs.csv'), csv);

  const aggregate: AggregateRow[] = aggregateRuns(runs.map((r, i) => ({ pointIndex: pointIndex[i]!, point: r.point, metrics: r.metrics })));
  const summary: Summary = { experiment: plan.experiment, spec: plan.spec, runs, aggregate };
  await writeFileAtomic(join(outDir, 'summary.json'), stableJson(summary));
  await writeFileAtomic(join(outDir, 'timing.json'), stableJson({ experiment: plan.experiment, [WALL_METRIC]: wall }));

  await writePcaps(outDir, plan, store);
}

/** The run's metrics in name order (never wall time: see timing.json). */
function sortedMetrics(rec: StoredRun): RunResult['metrics'] {
  const out: RunResult['metrics'] = {};
  for (const k of Object.keys(rec.metrics).sort()) if (k !== WALL_METRIC) out[k] = rec.metrics[k]!;
  return out;
}

async function writeTimeseries(out: AtomicStream, rec: StoredRun): Promise<void> {
  const ts = rec.timeseries;
  const n = ts.t_s.length;
  if (ts.node.length !== n || ts.metric.length !== n || ts.value.length !== n) {
    throw new Error(`run ${rec.id}: timeseries columns have different lengths`);
  }
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += csvLine([rec.id, ts.t_s[i], ts.node[i], ts.metric[i], ts.value[i]]);
    if (chunk.length > 1 << 16) {
      await out.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await out.write(chunk);
}

async function appendFile(out: AtomicStream, path: string): Promise<void> {
  for await (const piece of createReadStream(path)) await out.write(piece as Buffer);
}

/**
 * Captures: `<node>.pcap` in the folder itself for a single-run experiment, otherwise
 * `pcap/<run-id>/<node>.pcap`. Captures of an earlier batch in the same folder are removed first,
 * so no file describes runs that are not in this one.
 */
async function writePcaps(outDir: string, plan: BatchPlan, store: RunStore): Promise<void> {
  await rm(join(outDir, 'pcap'), { recursive: true, force: true });
  for (const name of await readdir(outDir)) if (name.endsWith('.pcap')) await rm(join(outDir, name), { force: true });
  if (!plan.pcap) return;
  const single = plan.runs.length === 1;
  for (const planned of plan.runs) {
    const rec = await store.read(planned.id);
    for (const node of rec?.pcaps ?? []) {
      const file = `${nodeFileName(node)}.pcap`;
      const to = single ? join(outDir, file) : join(outDir, 'pcap', planned.id, file);
      await copyFileAtomic(store.pcapPath(planned.id, node), to);
    }
  }
}
