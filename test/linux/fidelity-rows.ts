/**
 * The measurements behind docs/linux-fidelity.md: each experiment under experiments/linux/ run as
 * the CLI runs it (loadExperiment + executeRun), with `tcp.timers` wheel or exact, and reduced to
 * the numbers the Linux measurement reported (SYN count and ETIMEDOUT time from the trace, the
 * last SYN-ACK and the request's end, clients connected and their connect times, the TIME-WAIT
 * count over time).
 */
import { readFileSync } from 'node:fs';
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { PointValues } from '../../src/schema/results.ts';
import { bucketExpiry } from '../../src/tcp/timer-wheel.ts';

export type TimerMode = 'wheel' | 'exact';

interface Run {
  point: PointValues;
  seed: number;
  out: RunOutput;
}

/** Every run of an experiment file, with `--set` overrides. */
export function runFile(file: string, set: readonly string[], trace = false): Run[] {
  const r = loadExperiment(file, { set });
  if (!r.ok) throw new Error(`${file}: ${r.errors.map(formatSpecError).join('\n')}`);
  return r.value.runs.map((run) => ({
    point: run.point,
    seed: run.seed,
    out: executeRun(run, { trace, pcap: false }),
  }));
}

type TraceRec = {
  t: number;
  node: string;
  ev: string;
  conn?: string;
  flags?: string;
  what?: string;
  from?: string;
  to?: string;
};

function traceOf(out: RunOutput): TraceRec[] {
  return (out.trace ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TraceRec);
}

/** connect() to a silent host: SYNs sent and when ETIMEDOUT came, per run. */
export interface SilentResult {
  syns: number;
  timeout: number;
}

export function silentHost(
  mode: TimerMode,
  linearTimeouts: number,
  seeds: number,
  set: readonly string[] = [],
): SilentResult[] {
  const runs = runFile(
    'experiments/linux/silent-host.yaml',
    [`tcp.timers=${mode}`, `seeds=${seeds}`, `sweep={tcp.synLinearTimeouts: [${linearTimeouts}]}`, ...set],
    true,
  );
  return runs.map(({ out }) => {
    const tr = traceOf(out);
    const syns = tr.filter((r) => r.node === 'client' && r.ev === 'tx' && r.flags === 'S').length;
    const err = tr.find((r) => r.ev === 'app' && r.what === 'error');
    return { syns, timeout: err?.t ?? NaN };
  });
}

/**
 * A measurement of the real kernel written by experiments/linux/measure/silent-connect.py and
 * kept under experiments/linux/measured/: per connect(), the SYN send times and when it failed.
 */
export interface KernelMeasurement {
  kernel: string;
  hz: number | null;
  sysctl: { tcp_syn_retries: string; tcp_syn_linear_timeouts: string };
  syncnt: number | null;
  userTimeoutMs: number | null;
  runs: { syns: number[]; failedAt: number; error: string }[];
}

export function measured(name: string): KernelMeasurement {
  return JSON.parse(
    readFileSync(new URL(`../../experiments/linux/measured/${name}.json`, import.meta.url), 'utf8'),
  ) as KernelMeasurement;
}

/** One SYN whose SYN-ACKs are lost: the last SYN-ACK and the request's end, from the SYN's arrival. */
export interface SynAckResult {
  lastSynAck: number;
  gone: number;
  synAcks: number;
}

export function synAckLost(mode: TimerMode, seeds: number): SynAckResult[] {
  const runs = runFile('experiments/linux/synack-lost.yaml', [`tcp.timers=${mode}`, `seeds=${seeds}`], true);
  return runs.map(({ out }) => {
    const tr = traceOf(out).filter((r) => r.node === 'server');
    const syn = tr.find((r) => r.ev === 'rx' && r.flags === 'S')!.t;
    const synAcks = tr.filter((r) => r.ev === 'tx' && r.flags === 'S.');
    const gone = tr.find((r) => r.ev === 'state' && r.from === 'SYN_RCVD' && r.to === 'CLOSED');
    return { lastSynAck: synAcks.at(-1)!.t - syn, gone: (gone?.t ?? NaN) - syn, synAcks: synAcks.length };
  });
}

/** The flood: clients connected (of 300), connect-time median and p90 in seconds, per run. */
export interface FloodResult {
  connected: number;
  attempted: number;
  p50: number;
  p90: number;
  synQueuePeak: number;
}

export function flood(mode: TimerMode, defence: 'none' | 'cookies', seeds: number): FloodResult[] {
  const runs = runFile('experiments/linux/syn-flood.yaml', [
    `tcp.timers=${mode}`,
    `seeds=${seeds}`,
    defence === 'none' ? 'sweep.defence={none: {}}' : 'sweep.defence={cookies: {tcp.synCookies: true}}',
  ]);
  return runs.map(({ out }) => {
    const m = out.metrics;
    const num = (k: string): number => (typeof m[k] === 'number' ? (m[k] as number) : NaN);
    return {
      connected: num('connections.established'),
      attempted: num('connections.attempted'),
      p50: num('handshake_ms.p50') / 1000,
      p90: num('handshake_ms.p90') / 1000,
      synQueuePeak: num('syn_queue.peak'),
    };
  });
}

/** TIME-WAIT on the client: the count from 65 s to 90 s (steady state) and when it is empty again. */
export interface TimeWaitResult {
  min: number;
  max: number;
  mean: number;
  drops: number;
  emptyAfterLast: number;
}

/** The last connection starts at 89.98 s (50/s from 0 s, stop 90 s). */
const LAST_START = 89.98;

export function timeWait(mode: TimerMode, seeds: number): TimeWaitResult[] {
  return runFile('experiments/linux/time-wait.yaml', [`tcp.timers=${mode}`, `seeds=${seeds}`]).map(({ out }) => {
    const ts = out.timeseries;
    const pts: [number, number][] = [];
    for (let i = 0; i < ts.t_s.length; i++)
      if (ts.node[i] === 'client' && ts.metric[i] === 'time_wait') pts.push([ts.t_s[i]!, ts.value[i]!]);
    const steady = pts.filter(([t]) => t >= 65 && t < 90).map(([, v]) => v);
    let drops = 0; // saw-tooth teeth: falls of more than 20 sockets between samples
    for (let i = 1; i < steady.length; i++) if (steady[i]! < steady[i - 1]! - 20) drops++;
    const firstEmpty = pts.find(([t, v]) => t > LAST_START && v === 0)![0];
    return {
      min: Math.min(...steady),
      max: Math.max(...steady),
      mean: steady.reduce((x, y) => x + y, 0) / steady.length,
      drops,
      emptyAfterLast: firstEmpty - LAST_START,
    };
  });
}

/** The last connection of the short run (`apps.users.stop=1s`) starts at 0.98 s. */
const SHORT_LAST_START = 0.98;

/**
 * When the client's TIME-WAIT count is empty again after the last connection, from the same file
 * run for 1 s of connections instead of 90 s: only the last socket decides it (every earlier one
 * expires in the same or an earlier slot), and the short run costs a fiftieth, so many seeds (many
 * jiffies phases) are affordable.
 */
/** How long each client socket stayed in TIME-WAIT (one connection per seed, each seed another phase). */
export function timeWaitLifetimes(mode: TimerMode, seeds: number): number[] {
  const runs = runFile(
    'experiments/linux/time-wait.yaml',
    [`tcp.timers=${mode}`, `seeds=${seeds}`, 'apps.users.stop=0.02s', 'duration=65s'],
    true,
  );
  return runs.flatMap(({ out }) => {
    const entered = new Map<string, number>();
    const lives: number[] = [];
    for (const r of traceOf(out)) {
      if (r.node !== 'client' || r.ev !== 'state') continue;
      if (r.to === 'TIME_WAIT') entered.set(r.conn!, r.t);
      else if (r.from === 'TIME_WAIT' && entered.has(r.conn!)) lives.push(r.t - entered.get(r.conn!)!);
    }
    return lives;
  });
}

export function timeWaitEmpty(mode: TimerMode, seeds: number): number[] {
  return runFile('experiments/linux/time-wait.yaml', [
    `tcp.timers=${mode}`,
    `seeds=${seeds}`,
    'apps.users.stop=1s',
    'duration=65s',
  ]).map(({ out }) => {
    const ts = out.timeseries;
    for (let i = 0; i < ts.t_s.length; i++) {
      if (ts.node[i] === 'client' && ts.metric[i] === 'time_wait' && ts.t_s[i]! > SHORT_LAST_START && ts.value[i] === 0)
        return ts.t_s[i]! - SHORT_LAST_START;
    }
    return NaN;
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * What the wheel predicts for one timer chain over a uniformly drawn jiffies phase (HZ 250), from
 * timer-wheel.ts's bucketExpiry alone: the first wait armed from packet processing or a system
 * call, the rest re-armed from the timer's own callback (clk = jiffies + 1). `waits` in jiffies;
 * returns the share of phases whose chain ends inside [lo, hi] seconds, and the median, earliest
 * and latest end.
 */
export function wheelPrediction(
  waits: readonly number[],
  lo: number,
  hi: number,
  phases = 4096,
): { share: number; median: number; min: number; max: number } {
  const tick = 0.004;
  const ends: number[] = [];
  for (let i = 0; i < phases; i++) {
    const p = 1_000_000 + ((i + 0.5) / phases) * 4096; // in ticks: every position within 4096 jiffies (eight 512-jiffy slots)
    const j = Math.floor(p);
    let b = bucketExpiry(j + waits[0]!, j, 250);
    for (let k = 1; k < waits.length; k++) b = bucketExpiry(b + waits[k]!, b + 1, 250);
    ends.push((b - p) * tick);
  }
  return {
    share: ends.filter((x) => x >= lo && x <= hi).length / phases,
    median: median(ends),
    min: Math.min(...ends),
    max: Math.max(...ends),
  };
}
