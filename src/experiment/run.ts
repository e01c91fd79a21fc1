/**
 * One run: build the world for a sweep point and seed (world.ts), run it to the experiment's
 * duration, and read out metrics, the time series, per-connection samples and, on request, the
 * trace and pcap captures. Deterministic: wall-clock time is measured by the batch, not here.
 */
import type { PacketTap } from '../net/host.ts';
import type { Sim } from '../sim/simulator.ts';
import { toSeconds, type Nanos } from '../sim/time.ts';
import type { TraceLimitRecord, TraceLine, TraceRecord } from '../schema/trace.ts';
import { PcapWriter } from '../wire/pcap.ts';
import type { Packet } from '../wire/segment.ts';
import type { ExecuteRunOptions, RunOutput, Sample } from './run-output.ts';
import type { RunSpec } from './spec-types.ts';
import { OutputBudget } from './output-budget.ts';
import { PcapFileWriter } from './pcap-file.ts';
import { TraceFileWriter } from './trace-file.ts';
import { buildWorld } from './world.ts';

/**
 * Events per slice when progress is asked for: the run pauses between slices only to report its
 * simulated time (the events and their order are those of one uninterrupted run).
 */
const PROGRESS_SLICE = 200_000;

/**
 * Events per slice on the command's thread (ExecuteRunOptions.handBack): 10–40 ms of simulation on the
 * star scenarios (1–4 µs an event), after which the run hands back to the event loop if
 * HAND_BACK_MS have passed, so Ctrl-C and SIGTERM are heard well within a second.
 */
const HAND_BACK_SLICE = 10_000;
const HAND_BACK_MS = 50;

/** This module honours ExecuteRunOptions.handBack, so its runs may execute on the command's thread. */
export const handsBack = true;

/** Per-connection samples kept per metric for samples.csv (CDFs); statistics use every value. */
const SAMPLE_LIMIT = 5000;

/** A run between building its world and collecting its outputs. */
interface OpenRun {
  world: ReturnType<typeof buildWorld>;
  clock: (phase: string) => void;
  tracing: boolean;
  traceLines: string[];
  traceFile: TraceFileWriter | undefined;
  budget: OutputBudget;
  captures: { node: string; writer: PcapWriter }[];
  captureFiles: PcapFileWriter[];
}

/**
 * Executes a run: synchronously, or with `opts.handBack` (on the command's thread) as a promise that
 * hands back to the event loop between slices. Both run the same events in the same order.
 */
export function executeRun(
  run: RunSpec,
  opts: ExecuteRunOptions & { handBack?: undefined },
  onProgress?: (sim_s: number) => void,
): RunOutput;
export function executeRun(
  run: RunSpec,
  opts: ExecuteRunOptions,
  onProgress?: (sim_s: number) => void,
): RunOutput | Promise<RunOutput>;
export function executeRun(
  run: RunSpec,
  opts: ExecuteRunOptions,
  onProgress?: (sim_s: number) => void,
): RunOutput | Promise<RunOutput> {
  const open = openRun(run, opts);
  const failed = (e: unknown): never => {
    discardOutputs(open);
    throw e;
  };
  const { sim } = open.world;
  const until = run.spec.duration;
  const handBack = opts.handBack;
  if (handBack === undefined) {
    try {
      if (onProgress === undefined) sim.run({ until });
      else while (runSlice(sim, until, PROGRESS_SLICE)) onProgress(toSeconds(sim.now));
      return collect(open);
    } catch (e) {
      return failed(e);
    }
  }
  return (async (): Promise<RunOutput> => {
    let handedBackAt = performance.now();
    while (runSlice(sim, until, HAND_BACK_SLICE)) {
      if (performance.now() - handedBackAt < HAND_BACK_MS) continue;
      onProgress?.(toSeconds(sim.now));
      await handBack();
      handedBackAt = performance.now();
    }
    return collect(open);
  })().catch(failed);
}

/** Runs up to `slice` events before `until`; false once no event is left before it. */
function runSlice(sim: Sim, until: Nanos, slice: number): boolean {
  const before = sim.events;
  sim.run({ until, maxEvents: slice });
  return sim.events - before === slice;
}

/** Builds the world and attaches the trace and captures the options ask for. */
function openRun(run: RunSpec, opts: ExecuteRunOptions): OpenRun {
  const spec = run.spec;
  const clock = phaseClock(opts.phases);
  const world = buildWorld(spec, run.seed);
  const { tracer, network } = world;

  const traceLines: string[] = [];
  const tracing = opts.trace || spec.trace;
  // The streamed trace and captures share one size budget (--trace-limit).
  const budget = new OutputBudget(opts.traceLimit ?? 0);
  let traceFile: TraceFileWriter | undefined;
  if (tracing && opts.traceFile !== undefined) {
    const writer = new TraceFileWriter(opts.traceFile, budget);
    traceFile = writer;
    const listener = (rec: TraceRecord): void => {
      writer.line(traceLine(run.id, rec), rec.t);
    };
    // Over the budget (a trace line or a packet): say so in the trace itself, then stop building records for it.
    budget.whenStopped((t) => {
      const last: TraceLimitRecord = { run: run.id, t: toSeconds(t), ev: 'trace-limit', limit: opts.traceLimit };
      writer.stop(JSON.stringify(last));
      tracer.unsubscribe(listener);
    });
    tracer.subscribe(listener, { packets: true });
  } else if (tracing) tracer.subscribe((rec) => traceLines.push(traceLine(run.id, rec)), { packets: true });

  const open: OpenRun = {
    world,
    clock,
    tracing,
    traceLines,
    traceFile,
    budget,
    captures: [],
    captureFiles: [],
  };
  try {
    if ((opts.pcap || spec.pcap) && opts.captureFile !== undefined) {
      for (const host of network.hosts) {
        const writer = new PcapFileWriter(host.name, opts.captureFile(host.name), budget);
        open.captureFiles.push(writer);
        host.addTap(writer);
      }
    } else if (opts.pcap || spec.pcap) {
      for (const host of network.hosts) {
        const writer = new PcapWriter();
        host.addTap(new CaptureTap(writer));
        open.captures.push({ node: host.name, writer });
      }
    }
  } catch (e) {
    discardOutputs(open);
    throw e;
  }
  clock('build');
  return open;
}

/** Removes the temporary files of a run that failed or was abandoned. */
function discardOutputs(open: OpenRun): void {
  open.traceFile?.discard();
  for (const w of open.captureFiles) w.discard();
}

/** Reads out a simulated run: metrics, samples, the time series, the trace and captures. */
function collect(open: OpenRun): RunOutput {
  const { world, clock, tracing, traceLines, traceFile, budget, captures, captureFiles } = open;
  const { sim, network } = world;
  clock('simulate');
  const c = network.counters;
  const stacks = [...world.stacks].map(([node, s]) => ({ node, stats: s.stats() }));
  const metrics = world.collector.finish({
    stacks: stacks.map((s) => s.stats),
    timeWait: { byNode: new Map(stacks.map((s) => [s.node, s.stats.timeWaitPeak])), total: world.timeWaitTotal.peak },
    listeners: world.listeners.map((l) => l.socket.stats()),
    network: {
      sent: c.sent,
      droppedLoss: c.droppedLoss,
      droppedQueue: c.droppedQueue,
      droppedNoRoute: c.droppedNoRoute,
    },
    events: sim.events,
    simTime: sim.now,
  });

  const samples: Sample[] = [];
  const { collector } = world;
  for (const [metric, dist] of [
    ['handshake_ms', collector.handshake],
    ['request_ms', collector.request],
    ['page_ms', collector.page],
    ['hol_ms', collector.hol],
    ['bulk_ms', collector.bulk],
  ] as const) {
    for (const value of dist.sample(SAMPLE_LIMIT)) samples.push({ metric, value });
  }

  const output: RunOutput = { metrics, timeseries: world.sampler.columns, samples };
  if (traceFile !== undefined) output.streamedTrace = traceFile.close();
  else if (tracing) output.trace = traceLines.length > 0 ? traceLines.join('\n') + '\n' : '';
  if (captures.length > 0) output.pcaps = captures.map(({ node, writer }) => ({ node, bytes: writer.bytes() }));
  if (captureFiles.length > 0) output.streamedPcaps = captureFiles.map((w) => w.close());
  if (budget.limited !== undefined) output.outputsLimited = budget.limited;
  clock('collect');
  return output;
}

/** Adds the wall time since the last call to `phases[phase]`; a no-op without --profile. */
function phaseClock(phases: Record<string, number> | undefined): (phase: string) => void {
  if (phases === undefined) return () => {};
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    phases[phase] = (phases[phase] ?? 0) + (now - last);
    last = now;
  };
}

/** A trace record as a JSON line: `run` first, then `t` in seconds and the record's own fields. */
function traceLine(runId: string, rec: TraceRecord): string {
  const line: TraceLine = { run: runId, ...rec, t: toSeconds(rec.t) };
  return JSON.stringify(line);
}

class CaptureTap implements PacketTap {
  constructor(private readonly writer: PcapWriter) {}
  onPacket(timeNs: Nanos, packet: Packet): void {
    this.writer.add(timeNs, packet);
  }
}
