/**
 * Sharding: `--shard i/n` runs the runs whose index in the batch satisfies index mod n == i
 * (round-robin, so every shard gets a similar mix of sweep points), stores them in its folder and
 * writes a manifest `shard-<i>-of-<n>.json` with the whole batch plan. Shards may write to
 * separate folders (one per machine) or to one shared folder; `mergeShards` joins them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import type { BatchPlan } from './plan.ts';
import { checkManifest, MAX_MANIFEST_BYTES } from './manifest-check.ts';

export interface ShardSpec {
  index: number;
  count: number;
}

export interface ShardManifest {
  format: 'tcplab-shard/1';
  shard: ShardSpec;
  /** Ids of the runs this shard ran and stored in its `.runs/`. */
  runIds: string[];
  plan: BatchPlan;
}

/** Parses `i/n` (0 ≤ i < n); null when malformed. */
export function parseShard(text: string): ShardSpec | null {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : null;
}

export function checkShard(shard: ShardSpec): void {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new BatchError(BatchErrorCode.shard, `--shard: expected i/n with 0 <= i < n, got ${index}/${count}`);
  }
}

/** The runs of one shard, in batch order. */
export function shardRuns<T>(runs: readonly T[], shard: ShardSpec): T[] {
  return runs.filter((_, i) => i % shard.count === shard.index);
}

export function manifestName(shard: ShardSpec): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

const MANIFEST = /^shard-(\d+)-of-(\d+)\.json$/;

export async function writeManifest(dir: string, manifest: ShardManifest): Promise<void> {
  // Plain JSON (not stableJson's rounding): the plan must read back exactly as hashed.
  await writeFileAtomic(join(dir, manifestName(manifest.shard)), JSON.stringify(manifest, null, 2) + '\n');
}

/** Every shard manifest in a folder, sorted by shard index. */
export async function readManifests(dir: string): Promise<ShardManifest[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BatchError(BatchErrorCode.notAShard, `${dir}: no such folder`);
    throw e;
  }
  const out: ShardManifest[] = [];
  for (const name of names.filter((n) => MANIFEST.test(n)).sort()) {
    const file = join(dir, name);
    const info = await stat(file);
    if (!info.isFile()) throw new BatchError(BatchErrorCode.badManifest, `${file}: not a regular file`);
    if (info.size > MAX_MANIFEST_BYTES)
      throw new BatchError(
        BatchErrorCode.badManifest,
        `${file}: larger than ${MAX_MANIFEST_BYTES} bytes, not a tcplab shard manifest`,
      );
    const m = checkManifest(await readFile(file, 'utf8'), file);
    const named = MANIFEST.exec(name)!;
    if (m.shard.index !== Number(named[1]) || m.shard.count !== Number(named[2])) {
      throw new BatchError(
        BatchErrorCode.badManifest,
        `${file}: shard: says ${m.shard.index}/${m.shard.count}, its name says ${named[1]}/${named[2]}`,
      );
    }
    out.push(m);
  }
  return out.sort((a, b) => a.shard.index - b.shard.index);
}
