/**
 * The resumable result store: `<out>/.runs/`, one record per finished run, written the moment the
 * run ends. A rerun of an interrupted batch (Ctrl-C, `kill -9`, a preempted node) skips every run
 * whose record is present with the same key, so no finished run is redone.
 *
 * Layout, per run id:
 *   <id>.json               the record (metrics, wall time, key, and the run's rows of timeseries.csv
 *                           and samples.csv as text, formatted here on the worker thread so the
 *                           serial assembly only copies them)
 *   <id>.trace.jsonl        its trace, with --trace
 *   <id>/<node>.pcap        its captures, with --pcap
 * Extras are written before the record and every file atomically, so a record on disk means the
 * whole run is on disk: the record is the commit marker.
 */
import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricValues, PointValues } from '../schema/results.ts';
import { copyFileAtomic, makeDirs, removeStaleTemps, writeFileAtomic } from './atomic-write.ts';
import { samplesRows, timeseriesRows } from './results-files.ts';
import type { RunOutput } from './run-output.ts';
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
  /**
   * The run's rows of timeseries.csv and samples.csv, `run` column included, as the results
   * writer copies them (results-files.ts formats them): text formatted by the worker that ran the
   * run, in parallel with the other runs, rather than columns the single assembling thread parses
   * and formats (STORE_FORMAT 2; format-1 records held columns and are not read).
   */
  timeseriesCsv: string;
  samplesCsv: string;
  /** A trace file was stored. */
  trace: boolean;
  /** Captures were stored (with --pcap). */
  pcap: boolean;
  /** Nodes with a stored capture, in the order the run gave them. */
  pcaps: string[];
  /** Bytes of the stored trace, when it was streamed (absent in records of older batches). */
  traceBytes?: number;
  /** Written by older batches: the --trace-limit that cut the stored trace, and where (s). */
  traceLimited?: { limit: number; t_s: number };
  /**
   * The --trace-limit that cut the run's streamed outputs, the simulated time (s) where they
   * stopped, and which outputs shared that budget (the cut depends on all of them).
   */
  outputsLimited?: { limit: number; t_s: number; trace: boolean; pcap: boolean };
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
  if (!/^p\d+-s\d+$/.test(id))
    throw new Error(`refusing run id ${JSON.stringify(id.slice(0, 60))}: not of the form p<point>-s<seed>`);
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
    // The needed files must be there; their sizes decide whether they fit the budget.
    let bytes = 0;
    for (const path of [
      ...(needs.trace ? [this.tracePath(id)] : []),
      ...(needs.pcap ? rec.pcaps.map((n) => this.pcapPath(id, n)) : []),
    ]) {
      const size = await sizeIfAny(path);
      if (size === undefined) return null;
      bytes += size;
    }
    if ((needs.trace || needs.pcap) && !outputsFit(rec, needs, bytes)) return null;
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
    // Streamed captures too are on disk, synced, under temporary names beside their places.
    for (const c of output.streamedPcaps ?? []) {
      await rename(c.tempPath, this.pcapPath(run.id, c.node));
      pcaps.push(c.node);
    }
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
      timeseriesCsv: [...timeseriesRows(run.id, output.timeseries)].join(''),
      samplesCsv: samplesRows(run.id, output.samples),
      trace,
      pcap: output.pcaps !== undefined || output.streamedPcaps !== undefined,
      pcaps,
    };
    if (streamed !== undefined) rec.traceBytes = streamed.bytes;
    const limited = output.outputsLimited;
    if (limited !== undefined)
      rec.outputsLimited = { ...limited, trace: streamed !== undefined, pcap: output.streamedPcaps !== undefined };
    await writeFileAtomic(this.recordPath(run.id), JSON.stringify(rec));
  }

  /** Copies one run (record and extras) from another store, the record last. */
  async importFrom(other: RunStore, rec: StoredRun): Promise<void> {
    if (rec.trace) await copyFileAtomic(other.tracePath(rec.id), this.tracePath(rec.id));
    for (const node of rec.pcaps) await copyFileAtomic(other.pcapPath(rec.id, node), this.pcapPath(rec.id, node));
    await copyFileAtomic(other.recordPath(rec.id), this.recordPath(rec.id));
  }
}

/**
 * Whether the stored trace and captures are those this budget would give now (the trace and the
 * captures share it, output-budget.ts): outputs the budget did not cut whose needed files (of
 * `bytes` together) fit in it, or outputs cut by the same budget with the same outputs kept. Any
 * other run is rerun, so the same command gives the same bytes.
 */
function outputsFit(rec: StoredRun, needs: Needs, bytes: number): boolean {
  const limit = needs.traceLimit ?? 0;
  const cut =
    rec.outputsLimited ??
    (rec.traceLimited !== undefined ? { ...rec.traceLimited, trace: true, pcap: false } : undefined);
  if (cut !== undefined) return cut.limit === limit && cut.trace === needs.trace && cut.pcap === needs.pcap;
  return limit === 0 || bytes <= limit;
}

/** The file's size, or undefined when it is not there. */
async function sizeIfAny(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}
