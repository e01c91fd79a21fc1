/**
 * The identity of a run in the result store: a hash of everything that decides its outcome. A
 * stored run whose key differs (the spec was edited, a --set changed) is not reused.
 */
import { canonicalSha256 } from './canonical-hash.ts';
import type { RunSpec } from './spec-types.ts';

/**
 * Bump when the stored record or the meaning of a run changes incompatibly (2: CSV rows stored as
 * text, store.ts). It is part of every run key, so a store of another format is rerun, never read.
 */
export const STORE_FORMAT = 2;

/**
 * sha256 over the run's id, point, seed and spec, minus what does not change the simulation:
 * `file` (where the spec was read from), `charts` (figures are drawn afterwards from results) and
 * `trace`/`pcap` (whether extra outputs are kept; the store checks those separately, so a run
 * stored with a trace also serves a batch without one).
 */
export function runKey(run: RunSpec): string {
  const { file: _file, charts: _charts, trace: _trace, pcap: _pcap, ...simulated } = run.spec;
  return canonicalSha256({
    format: STORE_FORMAT,
    id: run.id,
    pointIndex: run.pointIndex,
    point: run.point,
    seed: run.seed,
    spec: simulated,
  });
}
