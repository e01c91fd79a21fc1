/**
 * The resumable result store: `<out>/.runs/`, one record per finished run, written the moment the
 * run ends. A rerun of an interrupted batch (Ctrl-C, `kill -9`, a preempted node) skips every run
 * whose record is present with the same key, so no finished run is redone.
 *
 * Layout, per run id:
 *   <id>.json               the record (metrics, timeseries, samples, wall time, key)
 *   <id>.trace.jsonl        its trace, with --trace
 *   <id>/<node>.pcap        its captures, with --pcap
 * Extras are written before the record and every file atomically, so a record on disk means the
 * whole run is on disk: the record is the commit marker.
 */
import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricValues, PointValues } from '../metrics/results.ts';
import { copyFileAtomic, makeDirs, removeStaleTemps, writeFileAtomic } from './atomic-write.ts';
import type { RunOutput, Sample, TimeseriesColumns } from './run-output.ts';
import { STORE_FORMAT } from './run-key.ts';

export interface StoredRun {
  format: number;
  id: string;
  key: string;
  pointIndex: number;
  point: PointValues;
  seed: number;
  /** Wall-clock seconds the run took: not deterministic, kept apart from `metrics`. */
  wall_s: number;
  metrics: MetricValues;
  timeseries: TimeseriesColumns;
  samples: Sample[];
  /** A trace file was stored. */
  trace: boolean;
  /** Captures were stored (with --pcap). */
  pcap: boolean;
  /** Nodes with a stored capture, in the order the run gave them. */
  pcaps: string[];
  /** Bytes of the stored trace, when it was streamed (absent in records of older batches). */
  traceBytes?: number;
  /** The --trace-limit that cut the stored trace, and the simulated time (s) where it stopped. */
  traceLimited?: { limit: number; t_s: number };
}

export interface StoredRunIdentity {
  id: string;
  key: string;
  pointIndex: number;
  point: PointValues;
  seed: number;
}

/** Which extra outputs a batch needs from a stored run. */
export interface Needs {
  trace: boolean;
  pcap: boolean;
  /** The trace's size budget in bytes (0 or absent = none). */
  traceLimit?: number;
}

/**
 * Whether a stored trace is the one this budget would give: an uncut trace within the budget, or
 * a trace cut by the same budget. Any other is rerun, so the same command gives the same bytes.
 */
function traceFits(rec: StoredRun, limit: number): boolean {
  if (rec.traceLimited !== undefined) return rec.traceLimited.limit === limit;
  return limit === 0 || rec.traceBytes === undefined || rec.traceBytes <= limit;
}

/** A node name as a file name: kept when plain, otherwise percent-encoded (never a path). */
export function nodeFileName(node: string): string {
  const enc = encodeURIComponent(node);
  return enc.startsWith('.') ? `%2E${enc.slice(1)}` : enc;
}

/**
 * Run ids become file names: only the batch runner's `p<point>-s<seed>` is accepted, so an id
 * read from a shared folder can never name a path outside the store (merge checks manifests
 * first; this is the last line).
 */
function safeId(id: string): string {
  if (!/^p\d+-s\d+$/.test(id)) throw new Error(`refusing run id ${JSON.stringify(id.slice(0, 60))}: not of the form p<point>-s<seed>`);
  return id;
}

export class RunStore {
  constructor(readonly dir: string) {}

  /** Creates the folder and clears temporary files of processes that died while writing. */
  async open(): Promise<void> {
    await makeDirs(this.dir);
    await removeStaleTemps(this.dir);
  }

  recordPath(id: string): string {
    return join(this.dir, `${safeId(id)}.json`);
  }

  tracePath(id: string): string {
    return join(this.dir, `${safeId(id)}.trace.jsonl`);
  }

  pcapPath(id: string, node: string): string {
    return join(this.dir, safeId(id), `${nodeFileName(node)}.pcap`);
  }

  /** The stored record, or null when absent or unreadable. */
  async read(id: string): Promise<StoredRun | null> {
    let text: string;
    try {
      text = await readFile(this.recordPath(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      const rec = JSON.parse(text) as StoredRun;
      return rec.format === STORE_FORMAT && rec.id === id ? rec : null;
    } catch {
      return null; // not written by this store (atomic writes never leave a torn record)
    }
  }

  /** The record if it can stand for this run: same key, and it has the extras needed. */
  async finished(id: string, key: string, needs: Needs): Promise<StoredRun | null> {
    const rec = await this.read(id);
    if (!rec || rec.key !== key) return null;
    if (needs.trace && !rec.trace) return null;
    if (needs.pcap && !rec.pcap) return null;
    if (needs.trace && !traceFits(rec, needs.traceLimit ?? 0)) return null;
    if (needs.trace && !(await exists(this.tracePath(id)))) return null;
    for (const node of needs.pcap ? rec.pcaps : []) if (!(await exists(this.pcapPath(id, node)))) return null;
    return rec;
  }

  /** Stores a finished run: extras first, the record last. */
  async save(run: StoredRunIdentity, output: RunOutput, wall_s: number): Promise<void> {
    const streamed = output.streamedTrace;
    const trace = output.trace !== undefined || streamed !== undefined;
    // A streamed trace is already on disk, synced, under a temporary name: renaming it is the write.
    if (streamed !== undefined) await rename(streamed.tempPath, this.tracePath(run.id));
    else if (output.trace !== undefined) {
      const t = output.trace;
      await writeFileAtomic(this.tracePath(run.id), t === '' || t.endsWith('\n') ? t : t + '\n');
    }
    const pcaps: string[] = [];
    for (const p of output.pcaps ?? []) {
      await writeFileAtomic(this.pcapPath(run.id, p.node), p.bytes);
      pcaps.push(p.node);
    }
    const rec: StoredRun = {
      format: STORE_FORMAT,
      id: run.id,
      key: run.key,
      pointIndex: run.pointIndex,
      point: run.point,
      seed: run.seed,
      wall_s,
      metrics: output.metrics,
      timeseries: output.timeseries,
      samples: output.samples,
      trace,
      pcap: output.pcaps !== undefined,
      pcaps,
    };
    if (streamed !== undefined) rec.traceBytes = streamed.bytes;
    if (streamed?.limited !== undefined) rec.traceLimited = streamed.limited;
    await writeFileAtomic(this.recordPath(run.id), JSON.stringify(rec));
  }

  /** Copies one run (record and extras) from another store, the record last. */
  async importFrom(other: RunStore, rec: StoredRun): Promise<void> {
    if (rec.trace) await copyFileAtomic(other.tracePath(rec.id), this.tracePath(rec.id));
    for (const node of rec.pcaps) await copyFileAtomic(other.pcapPath(rec.id, node), this.pcapPath(rec.id, node));
    await copyFileAtomic(other.recordPath(rec.id), this.recordPath(rec.id));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
