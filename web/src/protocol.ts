/**
 * Messages between the page (app.ts) and a simulation worker (worker.ts). A worker loads the
 * experiment from its YAML text itself (the same loader as the CLI's), so only the text, the run's
 * index and what to keep cross the boundary; results come back as plain data.
 */
import type { RunOutput } from '../../src/experiment/run-output.ts';

export interface RunRequest {
  type: 'run';
  /** The experiment's YAML text and the path it is loaded as (relative paths resolve from it). */
  text: string;
  file: string;
  /** Index into the loaded experiment's runs. */
  index: number;
  trace: boolean;
  pcap: boolean;
}

export type WorkerReply =
  | { type: 'progress'; index: number; sim_s: number }
  | { type: 'done'; index: number; output: RunOutput; wall_s: number }
  | { type: 'error'; index: number; message: string };
