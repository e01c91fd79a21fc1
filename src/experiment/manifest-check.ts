/**
 * Shard manifests come from folders that may be shared with others (a documented workflow), so
 * `merge` trusts nothing in them: every field is checked for type and shape before use, run ids
 * must be the batch runner's own `p<point>-s<seed>` (they become file names), and the plan must
 * hash to the hash it carries. A manifest that fails is bad input: exit 2 naming the file and field.
 */
import { BatchError, BatchErrorCode } from './batch-errors.ts';
import type { BatchPlan } from './plan.ts';
import { makePlanHash } from './plan.ts';
import type { ShardManifest } from './shard.ts';
import { NAME_PATTERN } from './spec-readers.ts';
import { findReservedKeys } from './safe-keys.ts';

/** A run id as the batch runner makes it (sweep.ts runId); the only shape a file name may take. */
export const RUN_ID = /^p\d{1,9}-s\d{1,10}$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** Manifests larger than this are not ours (a 100 000-run plan is a few MB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks one manifest's text; throws BatchError (exit 2) naming `file` and the field. */
export function checkManifest(text: string, file: string): ShardManifest {
  const bad = (field: string, why: string): never => {
    throw new BatchError(BatchErrorCode.badManifest, `${file}: ${field === '' ? '' : `${field}: `}${why}`);
  };
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return bad('', `not valid JSON (${(err as Error).message.slice(0, 120)})`);
  }
  if (!isObj(m)) return bad('', 'not a tcplab shard manifest');
  const reserved = findReservedKeys(m);
  if (reserved.length > 0) bad(reserved[0]!.join('.'), 'reserved key');
  if (m['format'] !== 'tcplab-shard/1') bad('format', 'not a tcplab shard manifest');
  const shard = m['shard'];
  if (
    !isObj(shard) ||
    !isIndex(shard['index']) ||
    !isIndex(shard['count']) ||
    shard['count'] < 1 ||
    shard['index'] >= shard['count']
  ) {
    bad('shard', 'expected {index, count} with 0 <= index < count');
  }
  const plan = m['plan'];
  if (!isObj(plan)) return bad('plan', 'missing');
  if (typeof plan['experiment'] !== 'string' || !NAME_PATTERN.test(plan['experiment']))
    bad('plan.experiment', 'expected an experiment name');
  if (typeof plan['trace'] !== 'boolean') bad('plan.trace', 'expected true or false');
  if (typeof plan['pcap'] !== 'boolean') bad('plan.pcap', 'expected true or false');
  if (typeof plan['hash'] !== 'string' || !HEX64.test(plan['hash'])) bad('plan.hash', 'expected a SHA-256 hex digest');
  const runs = plan['runs'];
  if (!Array.isArray(runs)) return bad('plan.runs', 'expected a list');
  const ids = new Set<string>();
  runs.forEach((r: unknown, i) => {
    const at = `plan.runs[${i}]`;
    if (!isObj(r)) return bad(at, 'expected a map');
    if (typeof r['id'] !== 'string' || !RUN_ID.test(r['id']))
      bad(`${at}.id`, `expected a run id like p0-s1, got ${JSON.stringify(String(r['id']).slice(0, 60))}`);
    if (ids.has(r['id'] as string)) bad(`${at}.id`, 'appears twice');
    ids.add(r['id'] as string);
    if (!isIndex(r['pointIndex'])) bad(`${at}.pointIndex`, 'expected a whole number');
    if (!isIndex(r['seed'])) bad(`${at}.seed`, 'expected a whole number');
    if (typeof r['key'] !== 'string' || !HEX64.test(r['key'])) bad(`${at}.key`, 'expected a SHA-256 hex digest');
    const point = r['point'];
    if (!isObj(point) || Object.values(point).some((v) => !['string', 'number', 'boolean'].includes(typeof v)))
      bad(`${at}.point`, 'expected a map of values');
    return undefined;
  });
  const runIds = m['runIds'];
  if (!Array.isArray(runIds) || runIds.some((id) => typeof id !== 'string' || !ids.has(id)))
    bad('runIds', 'expected ids of runs in the plan');
  const typed = m as unknown as ShardManifest;
  if (makePlanHash(typed.plan as BatchPlan) !== typed.plan.hash)
    bad('plan.hash', 'does not match the plan (the manifest was changed after it was written)');
  return typed;
}
