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
import {
  openAtomicStream,
  copyFileAtomic,
  removeStaleTemps,
  writeFileAtomic,
  type AtomicStream,
} from './atomic-write.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { stableJson } from './csv.ts';
import type { BatchPlan } from './plan.ts';
import { SAMPLES_HEADER, summaryFiles, TIMESERIES_HEADER, WALL_METRIC, type FinishedRun } from './results-files.ts';
import { nodeFileName, type RunStore } from './store.ts';

export async function writeResults(outDir: string, plan: BatchPlan, store: RunStore): Promise<void> {
  // A results file or figure torn by an earlier process killed while assembling (Ctrl-C after the
  // runs) left its temporary file here: this write replaces what it was writing.
  await removeStaleTemps(outDir);
  const runs: FinishedRun[] = [];
  const wall: Record<string, number> = {};

  const timeseries = await openAtomicStream(join(outDir, 'timeseries.csv'));
  const samples = await openAtomicStream(join(outDir, 'samples.csv'));
  const trace = plan.trace ? await openAtomicStream(join(outDir, 'trace.jsonl')) : null;
  const streams = [timeseries, samples, ...(trace ? [trace] : [])];
  try {
    await timeseries.write(TIMESERIES_HEADER);
    await samples.write(SAMPLES_HEADER);
    // One record in memory at a time: only metrics are kept for the summary.
    for (const planned of plan.runs) {
      const rec = await store.read(planned.id);
      if (!rec || rec.key !== planned.key) {
        throw new BatchError(
          BatchErrorCode.missingRun,
          `run ${planned.id} is not stored in ${store.dir} (or was stored for another spec)`,
          1,
        );
      }
      runs.push({
        id: planned.id,
        pointIndex: planned.pointIndex,
        point: planned.point,
        seed: planned.seed,
        metrics: rec.metrics,
      });
      wall[planned.id] = rec.wall_s;
      // Rows formatted by the worker that stored the run (store.ts): copied, not parsed.
      if (rec.timeseriesCsv) await timeseries.write(rec.timeseriesCsv);
      if (rec.samplesCsv) await samples.write(rec.samplesCsv);
      if (trace && rec.trace) await appendFile(trace, store.tracePath(rec.id));
    }
    for (const s of streams) await s.commit();
  } catch (e) {
    for (const s of streams) await s.abort();
    throw e;
  }
  if (!plan.trace) await rm(join(outDir, 'trace.jsonl'), { force: true });

  const { summaryJson, runsCsv } = summaryFiles(plan.experiment, plan.spec, runs);
  await writeFileAtomic(join(outDir, 'runs.csv'), runsCsv);
  await writeFileAtomic(join(outDir, 'summary.json'), summaryJson);
  await writeFileAtomic(join(outDir, 'timing.json'), stableJson({ experiment: plan.experiment, [WALL_METRIC]: wall }));

  await writePcaps(outDir, plan, store);
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
