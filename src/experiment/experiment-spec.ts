/**
 * Experiment validation: one plain document (YAML already parsed, topology already inlined,
 * overrides already applied) → ExperimentSpec, recording every problem on the way.
 *
 * The file format is docs/design.md part 2's, plus: `description:` (free text) at the top, in the
 * topology and in each app; `sampleInterval:` (timeseries sampling, default 100ms); `trace:` and
 * `pcap:` (as the CLI flags); top-level `x-…` keys, ignored, as a home for YAML anchors.
 */
import { formatDuration, type Nanos } from '../sim/time.ts';
import { MAX_DURATION, MIN_SAMPLE_INTERVAL, SAMPLE_INTERVAL_DEFAULT } from './experiment-limits.ts';
import { describeValue, didYouMean, SpecErrorCode, type PathSegments, Problems } from './errors.ts';
import { isMap, MapReader, readList, readMap, readName, readString } from './spec-readers.ts';
import { resolveNodeRef, readTopologySpec, type ValidatedTopology } from './topology-spec.ts';
import { checkTcpConsistency, readTcpOverrides, readTcpSettings, tcpParamsFor } from './tcp-spec.ts';
import { readApps } from './app-spec.ts';
import { EXPERIMENT_KEYS } from './param-paths.ts';
import { axisValues, isNamedAxis, readSweep } from './sweep-spec.ts';
import { readFaults } from './fault-spec.ts';
import {
  BAND_KINDS,
  CHART_FLAG_KEYS,
  CHART_KINDS,
  CHART_REQUIRED,
  CHART_TEXT_KEYS,
  SWEEP_AXIS_KINDS,
  UNTIL_KINDS,
} from '../schema/charts.ts';
import type { ChartSpec, ExperimentSpec, NodeSettings, TcpSettings } from './spec-types.ts';

export const MAX_SEEDS = 10_000;

export interface ValidateOptions {
  /** Used when the file has no `name:` (the file's base name). */
  defaultName: string;
  file: string;
}

export function validateExperiment(p: Problems, doc: unknown, opts: ValidateOptions): ExperimentSpec | undefined {
  const obj = readMap(p, [], doc);
  if (obj === undefined) return undefined;
  const before = p.count;
  const r = new MapReader(p, [], obj, EXPERIMENT_KEYS);
  const name = r.has('name') ? readName(p, ['name'], obj['name'], 'experiment') : opts.defaultName;
  if (r.has('description')) r.string('description');
  r.require('duration', 'how long to simulate, e.g. 120s');
  const duration = r.duration('duration');
  if (duration === 0) p.add(SpecErrorCode.range, ['duration'], 'the experiment must last longer than 0s');
  else if (duration !== undefined && duration > MAX_DURATION)
    p.add(
      SpecErrorCode.range,
      ['duration'],
      `expected at most ${formatDuration(MAX_DURATION)} (30 days), got ${formatDuration(duration)}`,
    );
  const seed = r.int('seed', 1, 0, 0xffffffff);
  const seeds = r.int('seeds', 1, 1, MAX_SEEDS);
  const sampleInterval = r.duration('sampleInterval', SAMPLE_INTERVAL_DEFAULT);
  if (sampleInterval !== undefined && sampleInterval < MIN_SAMPLE_INTERVAL)
    p.add(
      SpecErrorCode.range,
      ['sampleInterval'],
      `expected ${formatDuration(MIN_SAMPLE_INTERVAL)} or longer, got ${formatDuration(sampleInterval)}`,
    );
  const trace = r.bool('trace', false);
  const pcap = r.bool('pcap', false);

  r.require('topology', 'a topology file path or an inline topology');
  let topology: ValidatedTopology | undefined;
  if (typeof obj['topology'] === 'string') {
    p.add(SpecErrorCode.file, ['topology'], `topology file ${describeValue(obj['topology'])} was not loaded`);
  } else if (obj['topology'] !== undefined) {
    topology = readTopologySpec(p, ['topology'], obj['topology'], 'topology');
  }

  const tcp = readTcpSettings(p, ['tcp'], obj['tcp']);
  const nodes = topology === undefined ? undefined : readNodeSettings(p, ['nodes'], obj['nodes'], topology);
  const apps =
    topology === undefined
      ? appsWithoutTopology(p, obj['apps'], duration)
      : readApps(p, ['apps'], obj['apps'], { topology, duration });
  const faults = topology === undefined ? undefined : readFaults(p, ['faults'], obj['faults'], topology, duration);
  const sweep = readSweep(p, ['sweep'], obj['sweep'], doc);
  // Charts are checked against the axes as written even when some axis had a problem.
  const axes = sweep ?? (isMap(obj['sweep']) ? obj['sweep'] : {});
  const charts = readCharts(p, ['charts'], obj['charts'], axes, topology);
  if (tcp !== undefined && nodes !== undefined) checkTcp(p, tcp, nodes);

  if (p.count !== before) return undefined;
  return {
    name: name!,
    file: opts.file,
    topology: topology!.def,
    duration: duration!,
    seed: seed!,
    seeds: seeds!,
    tcp: tcp!,
    nodes: nodes!,
    apps: apps!,
    sweep: sweep!,
    faults: faults!,
    charts: charts!,
    sampleInterval: sampleInterval as Nanos,
    trace: trace!,
    pcap: pcap!,
  };
}

/**
 * Apps when the topology could not be read (a missing topology file): everything but node
 * references is still checked, so one run of `validate` reports the app problems too. Node
 * references are checked against a topology with no nodes and their complaints dropped.
 */
function appsWithoutTopology(p: Problems, v: unknown, duration: Nanos | undefined): undefined {
  const scratch = new Problems();
  const unknown: ValidatedTopology = {
    def: { name: '', nodes: [], links: [] },
    groups: new Map(),
    byName: new Map(),
    complete: false,
  };
  readApps(scratch, ['apps'], v, { topology: unknown, duration });
  for (const e of scratch.list)
    if (e.code !== SpecErrorCode.reference && e.code !== SpecErrorCode.unreachable) p.add(e.code, e.path, e.message);
  return undefined;
}

/** `nodes: { server: { tcp: {…} }, client: { tcp: {…} } }`, keyed by node or group name. */
function readNodeSettings(
  p: Problems,
  path: PathSegments,
  v: unknown,
  t: ValidatedTopology,
): Record<string, NodeSettings> | undefined {
  if (v === undefined) return {};
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  const out: Record<string, NodeSettings> = {};
  for (const [name, raw] of Object.entries(obj)) {
    const at = [...path, name];
    if (resolveNodeRef(p, at, name, t) === undefined) continue;
    const m = readMap(p, at, raw);
    if (m === undefined) continue;
    new MapReader(p, at, m, ['tcp']);
    const tcp = m['tcp'] === undefined ? undefined : readTcpOverrides(p, [...at, 'tcp'], m['tcp']);
    out[name] = tcp === undefined ? {} : { tcp };
  }
  return p.count === before ? out : undefined;
}

/** Cross-field rules on the merged parameters: once for `tcp:`, once per `nodes:` entry. */
function checkTcp(p: Problems, tcp: TcpSettings, nodes: Record<string, NodeSettings>): void {
  checkTcpConsistency(p, ['tcp'], tcpParamsFor({ tcp, nodes: {} }, { name: '', group: '' }));
  for (const [name, s] of Object.entries(nodes)) {
    if (s.tcp !== undefined)
      checkTcpConsistency(p, ['nodes', name, 'tcp'], tcpParamsFor({ tcp, nodes }, { name, group: name }));
  }
}

function readCharts(
  p: Problems,
  path: PathSegments,
  v: unknown,
  sweep: Record<string, unknown>,
  t: ValidatedTopology | undefined,
): ChartSpec[] | undefined {
  if (v === undefined) return [];
  const list = readList(p, path, v);
  if (list === undefined) return undefined;
  const before = p.count;
  const charts: ChartSpec[] = [];
  list.forEach((entry, i) => {
    const at = [...path, i];
    const obj = readMap(p, at, entry);
    if (obj === undefined) return;
    const r = new MapReader(p, at, obj, Object.keys(obj)); // charts are open: extra keys reach the report
    if (!r.require('kind', `one of ${CHART_KINDS.join(', ')}`)) return;
    const kind = r.oneOf('kind', CHART_KINDS);
    // The keys the report reads are checked here, so a bad one stops the run before it starts;
    // any other key is passed to the report as written.
    for (const key of CHART_TEXT_KEYS) if (r.has(key)) readString(p, r.at(key), obj[key]);
    for (const key of CHART_FLAG_KEYS) r.bool(key);
    r.oneOf('band', BAND_KINDS);
    if (kind === undefined) return;
    if (r.has('until')) {
      if (!UNTIL_KINDS.includes(kind))
        p.add(SpecErrorCode.unknownKey, r.at('until'), `only ${UNTIL_KINDS.join(', ')} charts take until`);
      else {
        const until = r.duration('until');
        if (until !== undefined && until <= 0)
          p.add(SpecErrorCode.range, r.at('until'), 'expected a duration above 0, like 6s');
      }
    }
    for (const { key } of CHART_REQUIRED[kind] ?? []) r.require(key);
    if (SWEEP_AXIS_KINDS.includes(kind)) {
      for (const key of ['x', 'series']) {
        const axis = obj[key];
        if (typeof axis === 'string' && !(axis in sweep)) {
          const axes = Object.keys(sweep);
          const known = axes.length === 0 ? 'the experiment has no sweep' : `axes: ${axes.join(', ')}`;
          p.add(
            SpecErrorCode.reference,
            r.at(key),
            `"${axis}" is not a sweep axis${didYouMean(axis, axes)} (${known})`,
          );
        }
      }
    }
    if (r.has('point')) readChartPoint(p, r.at('point'), obj['point'], sweep);
    if (
      t !== undefined &&
      typeof obj['node'] === 'string' &&
      !t.groups.has(obj['node']) &&
      !t.byName.has(obj['node'])
    ) {
      resolveNodeRef(p, r.at('node'), obj['node'], t);
    }
    charts.push({ ...obj, kind } as ChartSpec);
  });
  return p.count === before ? charts : undefined;
}

/**
 * `point: {scenario: lost-syn}` (ladder and states charts): the sweep point whose run to draw.
 * Every key is a sweep axis, every value one of its values or variant names.
 */
function readChartPoint(p: Problems, path: PathSegments, v: unknown, sweep: Record<string, unknown>): void {
  const point = readMap(p, path, v);
  if (point === undefined) return;
  const values = axisValues(sweep);
  const axes = Object.keys(values);
  for (const [axis, value] of Object.entries(point)) {
    const at = [...path, axis];
    const allowed = values[axis];
    if (allowed === undefined) {
      const known = axes.length === 0 ? 'the experiment has no sweep' : `axes: ${axes.join(', ')}`;
      p.add(SpecErrorCode.reference, at, `"${axis}" is not a sweep axis${didYouMean(axis, axes)} (${known})`);
    } else if (!allowed.includes(value)) {
      // variant names are words, where a typo is likely; path axis values are numbers and units
      const hint = typeof value === 'string' && isNamedAxis(sweep[axis]) ? didYouMean(value, allowed as string[]) : '';
      p.add(
        SpecErrorCode.reference,
        at,
        `${describeValue(value)} is not a value of sweep axis "${axis}"${hint} (values: ${allowed.map(String).join(', ')})`,
      );
    }
  }
}

/** True when the value looks like an experiment document rather than a topology. */
export function looksLikeExperiment(doc: unknown): boolean {
  return isMap(doc) && (doc['topology'] !== undefined || doc['apps'] !== undefined || doc['duration'] !== undefined);
}
