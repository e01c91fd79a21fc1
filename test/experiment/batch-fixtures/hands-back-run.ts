/**
 * A fake run module that hands back as the model does (ExecuteRunOptions.handBack), so a batch may
 * run it on the command's own thread: FAKE_HANDBACKS slices of FAKE_SLICE_MS of computing, each
 * followed by a hand-back, then FAKE_TAIL_MS of waiting (as a store does), then the outputs of
 * fake-run.ts. Every hand-back is appended as "<id>
 * hand-back" to FAKE_RUN_LOG, and "<id> thread <threadId>" once at the start.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { ExecuteRunOptions, RunOutput } from '../../../src/experiment/run-output.ts';
import type { RunSpec } from '../../../src/experiment/spec-types.ts';
import { executeRun as fakeOutputs } from './fake-run.ts';

export const handsBack = true;

export async function executeRun(run: RunSpec, opts: ExecuteRunOptions): Promise<RunOutput> {
  const log = process.env.FAKE_RUN_LOG;
  if (log) appendFileSync(log, `${run.id} thread ${threadId}\n`);
  const slices = Number(process.env.FAKE_HANDBACKS ?? 3);
  const sliceMs = Number(process.env.FAKE_SLICE_MS ?? 10);
  for (let i = 0; i < slices; i++) {
    const until = Date.now() + sliceMs;
    while (Date.now() < until) {
      // Computes without yielding, as a slice of simulation does.
    }
    await opts.handBack?.();
    if (log) appendFileSync(log, `${run.id} hand-back\n`);
  }
  // Then FAKE_TAIL_MS of waiting without a hand-back, as storing a run's outputs does.
  const tail = Number(process.env.FAKE_TAIL_MS ?? 0);
  if (tail > 0) {
    await new Promise((r) => setTimeout(r, tail));
    if (log) appendFileSync(log, `${run.id} tail done\n`);
  }
  return fakeOutputs(run, { trace: opts.trace, pcap: opts.pcap });
}
