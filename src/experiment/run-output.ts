/**
 * What one run hands back to the batch runner (src/experiment/batch.ts), whoever implements
 * `executeRun` (src/experiment/run.ts). Plain data only: it crosses a worker-thread boundary and
 * is stored as JSON under `<out>/.runs/`.
 */
import type { MetricValues } from '../schema/results.ts';
import type { RunSpec } from './spec-types.ts';
import type { StreamedCapture } from './pcap-file.ts';
import type { StreamedTrace } from './trace-file.ts';

/**
 * timeseries.csv rows of one run (`t_s,node,metric,value`; the batch adds the `run` column), kept
 * as parallel columns: one array per field, same length, row i = (t_s[i], node[i], metric[i],
 * value[i]). Columns keep a long series compact in memory and in the stored JSON.
 */
export interface TimeseriesColumns {
  t_s: number[];
  node: string[];
  metric: string[];
  value: number[];
}

/** One per-connection (or per-request) observation, e.g. {metric: "handshake_ms", value: 20.4}. */
export interface Sample {
  metric: string;
  value: number;
}

/** One node's capture: a complete pcap file (global header included). */
export interface PcapCapture {
  node: string;
  bytes: Uint8Array;
}

export interface RunOutput {
  /**
   * Flattened metrics ("ping.sent", "sim.events"…). Must be deterministic: no wall-clock values
   * here (the batch measures and stores wall time itself as `sim.wall_s`).
   */
  metrics: MetricValues;
  timeseries: TimeseriesColumns;
  /** Per-connection samples, written to samples.csv as `run,metric,value`. */
  samples: Sample[];
  /** With `trace`: JSON Lines, one record per line, each with a "run" field (the run id). */
  trace?: string;
  /** With `trace` and a `traceFile` to stream to: the trace as written to a temporary file. */
  streamedTrace?: StreamedTrace;
  /** With `pcap`: one capture per node. */
  pcaps?: PcapCapture[];
  /** With `pcap` and a `captureFile` to stream to: one capture per node, as written to temporary files. */
  streamedPcaps?: StreamedCapture[];
  /** The output budget (--trace-limit) stopped the streamed trace and captures at this simulated time. */
  outputsLimited?: { limit: number; t_s: number };
}

export interface ExecuteRunOptions {
  trace: boolean;
  pcap: boolean;
  /**
   * Stream the trace to a temporary file beside this path (the store's trace file) instead of
   * returning it as a string; the batch always does, so no trace is held whole in memory.
   */
  traceFile?: string;
  /**
   * Stream each node's capture to a temporary file beside the path this gives for the node (the
   * store's capture file) instead of returning it in memory; the batch always does.
   */
  captureFile?: (node: string) => string;
  /** The size budget in bytes of the streamed trace and captures together (0 or absent = none): --trace-limit. */
  traceLimit?: number;
  /** Wall milliseconds per phase of the run (build, simulate, collect) are added here: --profile. */
  phases?: Record<string, number>;
  /**
   * Set when the run executes on the command's own thread: every few tens of milliseconds of simulation
   * the run awaits this, so the thread's event loop hears Ctrl-C and SIGTERM and redraws progress
   * meanwhile; it rejects to end the run (an abandon). executeRun then returns a promise.
   */
  handBack?: () => Promise<void>;
}

/**
 * The function a run module exports as `executeRun`. The batch loads it by module URL (so a
 * worker thread can load it too); tests inject a fake module instead of the model. A module that
 * honours `handBack` says so by exporting `handsBack = true`: only such a run may execute on the
 * command's thread (src/experiment/pool.ts).
 */
export type ExecuteRun = (
  run: RunSpec,
  opts: ExecuteRunOptions,
  onProgress?: (sim_s: number) => void,
) => RunOutput | Promise<RunOutput>;

export function emptyTimeseries(): TimeseriesColumns {
  return { t_s: [], node: [], metric: [], value: [] };
}

/** Appends one row to a timeseries. */
export function pushTimeseries(ts: TimeseriesColumns, t_s: number, node: string, metric: string, value: number): void {
  ts.t_s.push(t_s);
  ts.node.push(node);
  ts.metric.push(metric);
  ts.value.push(value);
}
