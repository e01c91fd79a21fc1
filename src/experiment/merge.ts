/**
 * `tcplab merge`: joins shard folders (written with --shard i/n, on one machine or many) into one
 * results folder, byte-identical to what the unsharded batch would have written. It checks that
 * the folders are shards of one batch (same plan hash: experiment, spec, runs, trace/pcap), that
 * every shard is present and complete, and that every run is stored with its expected key.
 */
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import { planDifference } from './plan.ts';
import type { ProgressStream } from './progress.ts';
import { writeResults } from './results-writer.ts';
import { readManifests, type ShardManifest } from './shard.ts';
import { RunStore } from './store.ts';

export interface MergeOptions {
  /**
   * Called with the results folder once it is assembled (not for a shard): the CLI passes the
   * report's figure drawing here, since the report sits above this layer.
   */
  onAssembled?: (dir: string) => Promise<unknown>;
  stderr?: ProgressStream;
}

export async function mergeShards(dirs: string[], outDir: string, options: MergeOptions = {}): Promise<void> {
  const stderr = options.stderr ?? process.stderr;
  if (dirs.length === 0) throw new BatchError(BatchErrorCode.notAShard, 'merge: no shard folders given');

  // Shard index → the folder holding it (the first one given, if a shard appears twice).
  const found: { dir: string; manifest: ShardManifest }[] = [];
  for (const dir of dirs) {
    const manifests = await readManifests(dir);
    if (manifests.length === 0) {
      throw new BatchError(
        BatchErrorCode.notAShard,
        `${dir}: not a shard folder (no shard-<i>-of-<n>.json; was it run with --shard and did it finish?)`,
      );
    }
    for (const manifest of manifests) found.push({ dir, manifest });
  }

  const first = found[0]!;
  const plan = first.manifest.plan;
  const count = first.manifest.shard.count;
  for (const f of found) {
    const what = `${f.dir} (shard ${f.manifest.shard.index}/${f.manifest.shard.count})`;
    const from = `${first.dir} (shard ${first.manifest.shard.index}/${count})`;
    if (f.manifest.plan.experiment !== plan.experiment) {
      throw new BatchError(
        BatchErrorCode.mismatch,
        `${what} is from experiment "${f.manifest.plan.experiment}", ${from} from "${plan.experiment}"`,
      );
    }
    if (f.manifest.shard.count !== count) {
      throw new BatchError(
        BatchErrorCode.mismatch,
        `${what} splits the batch in ${f.manifest.shard.count} shards, ${from} in ${count}`,
      );
    }
    if (f.manifest.plan.hash !== plan.hash) {
      throw new BatchError(
        BatchErrorCode.mismatch,
        `${what} and ${from} ran different batches of "${plan.experiment}": ${planDifference(f.manifest.plan, plan)}`,
      );
    }
  }
  const byIndex = new Map<number, string>();
  for (const f of found) if (!byIndex.has(f.manifest.shard.index)) byIndex.set(f.manifest.shard.index, f.dir);
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw new BatchError(
      BatchErrorCode.missingShard,
      `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
    );
  }

  const out = new RunStore(join(outDir, '.runs'));
  await out.open();
  const outReal = await realpath(out.dir);
  const stores = new Map<string, RunStore>();
  for (let i = 0; i < plan.runs.length; i++) {
    const planned = plan.runs[i]!;
    const dir = byIndex.get(i % count)!;
    let store = stores.get(dir);
    if (!store) stores.set(dir, (store = new RunStore(join(dir, '.runs'))));
    const rec = await store.finished(planned.id, planned.key, { trace: plan.trace, pcap: plan.pcap });
    if (!rec)
      throw new BatchError(
        BatchErrorCode.missingRun,
        `${dir}: run ${planned.id} is missing or incomplete in ${store.dir}`,
      );
    if ((await realpath(store.dir)) !== outReal) await out.importFrom(store, rec);
  }

  await writeResults(outDir, plan, out);
  stderr.write(`merged ${count} shards (${plan.runs.length} runs) into ${resolve(outDir)}\n`);
  if (options.onAssembled) await options.onAssembled(outDir);
}
