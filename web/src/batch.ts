/**
 * A batch in the browser: every run of a loaded experiment on a pool of Web Workers, then the
 * results files in memory, assembled by the same functions the CLI's results writer uses
 * (src/experiment/results-files.ts), so summary.json and the CSVs are byte-identical to
 * `tcplab run`'s for the same spec and seed. Stop terminates the workers at once. Workers outlive
 * a batch that ends: the next one finds them loaded and their code already compiled and optimized
 * (a fresh worker spends its first runs warming up), and `warm` starts them before the first.
 */
import { stableJson } from '../../src/experiment/csv.ts';
import type { LoadedExperiment } from '../../src/experiment/load.ts';
import {
  SAMPLES_HEADER,
  samplesRows,
  summaryFiles,
  TIMESERIES_HEADER,
  timeseriesRows,
  WALL_METRIC,
  type FinishedRun,
} from '../../src/experiment/results-files.ts';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';

export interface BrowserBatchOptions {
  /** Keep the trace (and pcap) of every run: the spec says `trace: true` / `pcap: true`. */
  traceAll: boolean;
  pcapAll: boolean;
  /** Keep the first run's trace / captures when the spec does not ask for all. */
  traceFirst: boolean;
  pcapFirst: boolean;
}

export interface BrowserBatchProgress {
  done: number;
  total: number;
  /** Simulated seconds reached by runs in flight, summed with finished runs' durations. */
  fraction: number;
  threads: number;
}

export interface Capture {
  /** Where the CLI would write it: `<node>.pcap`, or `pcap/<run>/<node>.pcap` with several runs. */
  path: string;
  bytes: Uint8Array;
}

export interface BatchResult {
  /** Results files by name: summary.json, runs.csv, timeseries.csv, samples.csv, timing.json, trace.jsonl. */
  files: Map<string, string>;
  captures: Capture[];
  runs: number;
  threads: number;
  wall_s: number;
}

export class BatchStopped extends Error {}

export class BrowserBatch {
  private workers: Worker[] = [];
  /** Started workers with nothing to do. */
  private idle: Worker[] = [];
  private reject: ((e: Error) => void) | undefined;

  constructor(
    private readonly workerUrl: string,
    private readonly maxThreads: number,
  ) {}

  /** Starts the workers a batch will use, so that they load while the page gets ready. */
  warm(): void {
    while (this.idle.length < this.maxThreads) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    return new Worker(this.workerUrl, { type: 'module', name: `tcplab-sim-${this.idle.length + this.workers.length}` });
  }

  /** Runs every run of `loaded` (loaded from `text` as `file`); resolves with the results files. */
  run(
    text: string,
    file: string,
    loaded: LoadedExperiment,
    opts: BrowserBatchOptions,
    onProgress: (p: BrowserBatchProgress) => void,
  ): Promise<BatchResult> {
    const total = loaded.runs.length;
    const threads = Math.max(1, Math.min(this.maxThreads, total));
    const duration = loaded.spec.duration / 1e9;
    const outputs: (RunOutput | undefined)[] = new Array(total);
    const wall: number[] = new Array(total).fill(0);
    const inFlight = new Map<number, number>();
    const started = performance.now();
    let next = 0;
    let done = 0;
    const report = (): void => {
      let sim = done * duration;
      for (const s of inFlight.values()) sim += s;
      onProgress({
        done,
        total,
        fraction: total === 0 ? 1 : Math.min(1, sim / (total * Math.max(duration, 1e-9))),
        threads,
      });
    };
    return new Promise<BatchResult>((resolve, reject) => {
      this.reject = reject;
      const give = (w: Worker): void => {
        if (next >= total) return;
        const index = next++;
        inFlight.set(index, 0);
        const trace = opts.traceAll || (opts.traceFirst && index === 0);
        const pcap = opts.pcapAll || (opts.pcapFirst && index === 0);
        const req: RunRequest = { type: 'run', text, file, index, trace, pcap };
        w.postMessage(req);
      };
      for (let i = 0; i < threads; i++) {
        const w = this.idle.shift() ?? this.spawn();
        w.onmessage = (e: MessageEvent<WorkerReply>) => {
          const m = e.data;
          if (m.type === 'progress') {
            inFlight.set(m.index, m.sim_s);
            report();
          } else if (m.type === 'error') {
            this.terminate();
            reject(new Error(`run ${loaded.runs[m.index]?.id ?? m.index}: ${m.message}`));
          } else {
            inFlight.delete(m.index);
            outputs[m.index] = m.output;
            wall[m.index] = m.wall_s;
            done++;
            report();
            if (done === total) {
              this.release();
              resolve(assemble(loaded, outputs as RunOutput[], wall, threads, (performance.now() - started) / 1000));
            } else give(w);
          }
        };
        w.onerror = (e) => {
          this.terminate();
          reject(new Error(`simulation worker failed: ${e.message}`));
        };
        this.workers.push(w);
      }
      report();
      for (const w of this.workers) give(w);
      if (total === 0) resolve(assemble(loaded, [], [], threads, 0));
    });
  }

  /** Stops a batch in flight: its workers are terminated and its promise rejects with BatchStopped. */
  stop(): void {
    const reject = this.reject;
    this.terminate();
    reject?.(new BatchStopped('stopped'));
  }

  /** A finished batch's workers wait for the next. */
  private release(): void {
    for (const w of this.workers) w.onmessage = w.onerror = null;
    this.idle.push(...this.workers);
    this.workers = [];
    this.reject = undefined;
  }

  private terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.reject = undefined;
  }
}

/** The results files of finished runs, in run order, as the CLI's results writer makes them. */
export function assemble(
  loaded: LoadedExperiment,
  outputs: readonly RunOutput[],
  wall: readonly number[],
  threads: number,
  wall_s: number,
): BatchResult {
  const finished: FinishedRun[] = [];
  let timeseries = TIMESERIES_HEADER;
  let samples = SAMPLES_HEADER;
  const trace: string[] = [];
  let traced = false;
  const captures: Capture[] = [];
  const timing: Record<string, number> = {};
  loaded.runs.forEach((run, i) => {
    const out = outputs[i]!;
    finished.push({ id: run.id, pointIndex: run.pointIndex, point: run.point, seed: run.seed, metrics: out.metrics });
    for (const chunk of timeseriesRows(run.id, out.timeseries)) timeseries += chunk;
    samples += samplesRows(run.id, out.samples);
    if (out.trace !== undefined) {
      traced = true;
      trace.push(out.trace === '' || out.trace.endsWith('\n') ? out.trace : out.trace + '\n');
    }
    for (const p of out.pcaps ?? []) {
      const enc = encodeURIComponent(p.node);
      const name = `${enc.startsWith('.') ? `%2E${enc.slice(1)}` : enc}.pcap`; // as store.ts nodeFileName
      captures.push({ path: loaded.runs.length === 1 ? name : `pcap/${run.id}/${name}`, bytes: p.bytes });
    }
    timing[run.id] = Math.round(wall[i]! * 1e6) / 1e6;
  });
  const { summaryJson, runsCsv } = summaryFiles(loaded.spec.name, loaded.raw, finished);
  const files = new Map<string, string>([
    ['summary.json', summaryJson],
    ['runs.csv', runsCsv],
    ['timeseries.csv', timeseries],
    ['samples.csv', samples],
    ['timing.json', stableJson({ experiment: loaded.spec.name, [WALL_METRIC]: timing })],
  ]);
  if (traced) files.set('trace.jsonl', trace.join(''));
  return { files, captures, runs: loaded.runs.length, threads, wall_s };
}
