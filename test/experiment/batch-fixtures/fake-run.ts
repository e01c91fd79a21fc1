/**
 * A fake `executeRun` for batch tests: deterministic outputs derived from the run's point and
 * seed, no model involved. Environment knobs (worker threads inherit the environment):
 *   FAKE_RUN_DELAY_MS  sleep this long per run (to interrupt a batch midway)
 *   FAKE_RUN_BUSY_MS   compute this long per run without yielding, as a simulation does
 *   FAKE_RUN_LOG       append "<id>\n" to this file for every run executed
 *   FAKE_RUN_START_LOG append "<id>\n" to this file when a run starts
 *   FAKE_RUN_FAIL      the id of a run that throws
 */
import { appendFileSync } from 'node:fs';
import {
  emptyTimeseries,
  pushTimeseries,
  type ExecuteRunOptions,
  type RunOutput,
} from '../../../src/experiment/run-output.ts';
import type { RunSpec } from '../../../src/experiment/spec-types.ts';
import { Rng } from '../../../src/sim/rng.ts';

export async function executeRun(run: RunSpec, opts: ExecuteRunOptions): Promise<RunOutput> {
  if (process.env.FAKE_RUN_START_LOG) appendFileSync(process.env.FAKE_RUN_START_LOG, run.id + '\n');
  const delay = Number(process.env.FAKE_RUN_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const busyUntil = Date.now() + Number(process.env.FAKE_RUN_BUSY_MS ?? 0);
  while (Date.now() < busyUntil) {
    // Blocks this thread's event loop, as a long simulation does.
  }
  if (process.env.FAKE_RUN_FAIL === run.id) throw new Error('fake failure');
  if (process.env.FAKE_RUN_LOG) appendFileSync(process.env.FAKE_RUN_LOG, run.id + '\n');

  const rng = new Rng(run.seed, `fake:${run.pointIndex}`);
  const rate = typeof run.point.rate === 'number' ? run.point.rate : 1;
  const ts = emptyTimeseries();
  for (let i = 0; i <= 10; i++) {
    pushTimeseries(ts, i * 0.1, 'server', 'syn_queue', Math.floor(rng.float() * rate));
    pushTimeseries(ts, i * 0.1, 'client1', 'established', i);
  }
  const output: RunOutput = {
    metrics: {
      'ping.sent': 10 * rate,
      'ping.rtt_ms.mean': 20 + rng.float() / 3,
      'ping.lost': run.seed % 3,
      'time_wait.peak_node': 'server',
      'handshake_ms.p99': null,
    },
    timeseries: ts,
    samples: [
      { metric: 'handshake_ms', value: 20.1 + rng.float() },
      { metric: 'request_ms', value: 40 + rate / 7 },
    ],
  };
  if (opts.trace) {
    output.trace = `{"run":"${run.id}","t":0,"node":"client1","ev":"app","what":"start"}\n{"run":"${run.id}","t":0.1,"node":"server","ev":"app","what":"stop"}`;
  }
  if (opts.pcap) {
    output.pcaps = [
      { node: 'client1', bytes: new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, run.seed & 0xff, run.pointIndex]) },
      { node: 'server', bytes: new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 9]) },
    ];
  }
  return output;
}
