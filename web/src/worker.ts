/**
 * One simulation worker: runs one run of an experiment at a time, exactly as a CLI worker thread
 * does (src/experiment/run.ts), and posts its output back. The experiment is loaded from its text
 * with the CLI's loader; a worker keeps the last one loaded, since the page sends it every run of
 * a batch. Stop is the page terminating the worker.
 */
import { loadExperimentText, type LoadedExperiment } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';
import { readBundled } from './spec-files.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<RunRequest>) => void) | null;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let cached: { text: string; file: string; loaded: LoadedExperiment } | undefined;

function load(text: string, file: string): LoadedExperiment {
  if (cached?.text === text && cached.file === file) return cached.loaded;
  const r = loadExperimentText(text, file, { readFile: readBundled });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  cached = { text, file, loaded: r.value };
  return r.value;
}

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type !== 'run') return;
  try {
    const run = load(req.text, req.file).runs[req.index];
    if (run === undefined) throw new Error(`no run ${req.index}`);
    const started = performance.now();
    const output = executeRun(run, { trace: req.trace, pcap: req.pcap }, (sim_s) =>
      scope.postMessage({ type: 'progress', index: req.index, sim_s }),
    );
    const wall_s = (performance.now() - started) / 1000;
    const transfer = (output.pcaps ?? []).map((p) => p.bytes.buffer as ArrayBuffer);
    scope.postMessage({ type: 'done', index: req.index, output, wall_s }, transfer);
  } catch (err) {
    scope.postMessage({ type: 'error', index: req.index, message: (err as Error).message });
  }
};
