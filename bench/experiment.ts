/**
 * Whole experiment runs through `executeRun` (src/experiment/run.ts): spec loading, the world
 * builder, apps, the metrics collector and the gauge sampler on top of the network and stacks,
 * so the cost of those layers shows next to the bare model of bench/tcp.ts.
 *
 * `experiment-handshakes`: a spec like the flagship experiments/handshake.yaml (star generator,
 * clients on 100 Mbps / 5 ms, the server on 1 Gbps / 1 ms), N clients each loading one page over
 * HTTP/1.0 (Poisson arrivals at 1/s per client, 1000 B request, 1000 B response, the client
 * closes), 70 s so every TIME-WAIT has expired. Per N: load, build and run time, events, and the
 * share of CPU samples per layer (an in-process sampling profile of a second run).
 *
 * `experiment-synflood`: one point of the flagship experiments/syn-flood.yaml (10 clients, an
 * attacker at 10k SYN/s for 30 s, SYN cookies on, 60 s), loaded from the file with --set style
 * overrides; skipped if the file is not there.
 *
 * Each measurement runs in its own node process. Run: `npx tsx bench/experiment.ts [N...]`.
 */
import { existsSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment, loadExperimentText, type LoadedExperiment } from '../src/experiment/load.ts';
import { executeRun } from '../src/experiment/run.ts';
import type { Result } from '../src/experiment/errors.ts';
import { MB, cpuSeconds, starScenario } from './star.ts';
import { childJson, type BenchReport } from './registry.ts';

const ROOT = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..');

function firstRun(r: Result<LoadedExperiment>) {
  if (!r.ok) throw new Error(`spec did not load: ${JSON.stringify(r.errors).slice(0, 500)}`);
  return r.value.runs[0]!;
}

/** Layers by source folder, in the order they stack up. */
const LAYERS = ['sim', 'wire', 'net', 'tcp', 'stack', 'apps', 'metrics', 'experiment'] as const;

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
}

/** Runs `body` under the in-process sampling profiler; returns the share of samples per layer (%). */
function layerShares(body: () => void): Record<string, number> {
  const session = new Session();
  session.connect();
  let profile: CpuProfile | null = null;
  // The in-process session answers synchronously, so the callbacks have run when post returns.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  body();
  session.post('Profiler.stop', (err, res) => {
    if (err === null) profile = (res as { profile: CpuProfile }).profile;
  });
  session.disconnect();
  const counts: Record<string, number> = {};
  if (profile === null) return counts;
  const p = profile as CpuProfile;
  const layerOf = new Map<number, string>();
  for (const node of p.nodes) {
    const { url, functionName } = node.callFrame;
    const m = /\/src\/([a-z]+)\//.exec(url);
    const layer =
      m !== null && (LAYERS as readonly string[]).includes(m[1]!)
        ? m[1]!
        : functionName === '(garbage collector)'
          ? 'gc'
          : 'other';
    layerOf.set(node.id, layer);
  }
  let total = 0;
  for (const id of p.samples) {
    const layer = layerOf.get(id)!;
    if (layer === 'other' && p.nodes.find((n) => n.id === id)?.callFrame.functionName === '(idle)') continue;
    counts[layer] = (counts[layer] ?? 0) + 1;
    total++;
  }
  const shares: Record<string, number> = {};
  for (const layer of [...LAYERS, 'gc', 'other'])
    shares[`${layer}_%`] = +((100 * (counts[layer] ?? 0)) / total).toFixed(1);
  return shares;
}

export function runExperimentHandshakes(n: number): Record<string, string | number> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const run = firstRun(loadExperimentText(starScenario(n), 'bench-experiment-handshakes.yaml'));
  const t1 = process.hrtime.bigint();
  const out = executeRun(run, { trace: false, pcap: false });
  const t2 = process.hrtime.bigint();
  const cpu = cpuSeconds(cpu0);
  const rss = process.resourceUsage().maxRSS * 1024;
  const events = out.metrics['sim.events'] ?? 0;
  const wallRun = Number(t2 - t1) / 1e9;
  const row: Record<string, string | number> = {
    clients: n,
    load_s: +(Number(t1 - t0) / 1e9).toFixed(2),
    run_s: +wallRun.toFixed(2),
    cpu_s: +cpu.toFixed(2),
    events,
    us_per_event: +((1e6 * wallRun) / Number(events)).toFixed(2),
    connections: out.metrics['connections.established'] ?? out.metrics['connections.attempted'] ?? '',
    rss_mb: Math.round(rss / MB),
  };
  // A second run under the sampling profiler: where the time goes, by layer.
  Object.assign(
    row,
    layerShares(() =>
      executeRun(firstRun(loadExperimentText(starScenario(n), 'bench.yaml')), { trace: false, pcap: false }),
    ),
  );
  return row;
}

const SYN_FLOOD_FILE = nodePath.join(ROOT, 'experiments/syn-flood.yaml');
const SYN_FLOOD_SET = ['sweep={}', 'charts=[]', 'seeds=1', 'apps.flood.rate=10000/s', 'tcp.synCookies=true'];

export function runExperimentSynFlood(): Record<string, string | number> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const run = firstRun(loadExperiment(SYN_FLOOD_FILE, { set: SYN_FLOOD_SET }));
  const t1 = process.hrtime.bigint();
  const out = executeRun(run, { trace: false, pcap: false });
  const t2 = process.hrtime.bigint();
  const wallRun = Number(t2 - t1) / 1e9;
  const events = out.metrics['sim.events'] ?? 0;
  return {
    spec: `syn-flood.yaml --set ${SYN_FLOOD_SET.slice(3).join(' ')}`,
    load_s: +(Number(t1 - t0) / 1e9).toFixed(2),
    run_s: +wallRun.toFixed(2),
    cpu_s: +cpuSeconds(cpu0).toFixed(2),
    events,
    us_per_event: +((1e6 * wallRun) / Number(events)).toFixed(2),
    syn_queue_peak: out.metrics['syn_queue.peak'] ?? '',
    success_ratio: out.metrics['connections.success_ratio'] ?? '',
    rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
  };
}

function inChild(kind: 'handshakes' | 'synflood', arg: number): Record<string, string | number> {
  return childJson(fileURLToPath(import.meta.url), ['--child', kind, String(arg)], false);
}

export const experimentSections = [
  {
    name: 'experiment-handshakes',
    description:
      'executeRun of a handshake.yaml-like spec: N clients load one page each (HTTP/1.0), 70 s; time by layer',
    run(report: BenchReport) {
      report.table([1_000, 10_000].map((n) => inChild('handshakes', n)));
      report.note(
        'layer shares: CPU samples of a second run whose self time is in src/<layer> (gc: the collector; other: node and tsx)',
      );
    },
  },
  {
    name: 'experiment-synflood',
    description: 'executeRun of one syn-flood.yaml point (10k SYN/s for 30 s, cookies on), loaded from the file',
    run(report: BenchReport) {
      if (!existsSync(SYN_FLOOD_FILE)) {
        report.note(`skipped: ${SYN_FLOOD_FILE} not found`);
        return;
      }
      report.table([inChild('synflood', 0)]);
    },
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = args[1] === 'synflood' ? runExperimentSynFlood() : runExperimentHandshakes(Number(args[2]));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const ns = args.map(Number);
    for (const n of ns.length > 0 ? ns : [1_000, 10_000])
      process.stdout.write(`${JSON.stringify(inChild('handshakes', n))}\n`);
    if (existsSync(SYN_FLOOD_FILE)) process.stdout.write(`${JSON.stringify(inChild('synflood', 0))}\n`);
  }
}
