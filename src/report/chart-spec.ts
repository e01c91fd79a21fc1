/**
 * The figures an experiment asks for (`charts:` in the experiment file, stored in summary.json's
 * spec), checked as the report reads them: summary.json is data from disk, so a malformed entry
 * becomes a note naming its field path (`charts.2.metric`), never an exception. The fields match
 * ChartSpec in src/experiment/spec-types.ts, plus the report's own options.
 */

export const CHART_KINDS = ['timeseries', 'sweep', 'cdf', 'bar', 'ladder', 'states'] as const;
export type ReportChartKind = (typeof CHART_KINDS)[number];

export interface ReportChart {
  kind: ReportChartKind;
  title?: string;
  /** timeseries, cdf: the metric name. */
  metric?: string;
  /** sweep, bar: the sweep path on x and the metric on y. */
  x?: string;
  y?: string;
  series?: string;
  /** timeseries: one node instead of the sum; states: one node's sockets. */
  node?: string;
  /** ladder, states: the run id, or a sweep point (its lowest seed). */
  run?: string;
  point?: Record<string, unknown>;
  /** ladder: connection selector. */
  conn?: string;
  xlabel?: string;
  ylabel?: string;
  logx?: boolean;
  logy?: boolean;
  /** timeseries: the band across seeds. */
  band?: 'minmax' | 'ci95' | 'none';
  /** ladder: absolute sequence numbers. */
  absolute?: boolean;
}

export interface ChartProblem {
  index: number;
  /** A short description of the chart as written, for the page. */
  what: string;
  reason: string;
}

export type ChartEntry = { ok: true; chart: ReportChart } | ({ ok: false } & ChartProblem);

const STRING_FIELDS = ['title', 'metric', 'x', 'y', 'series', 'node', 'run', 'conn', 'xlabel', 'ylabel'] as const;
const BOOL_FIELDS = ['logx', 'logy', 'absolute'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one `charts:` entry. */
export function readChart(raw: unknown, index: number): ChartEntry {
  const path = `charts.${index}`;
  const bad = (what: string, reason: string): ChartEntry => ({ ok: false, index, what, reason });
  if (!isObject(raw)) return bad(`chart ${index + 1}`, `${path}: expected a mapping like {kind: timeseries, metric: syn_queue}`);
  const kind = raw.kind;
  const what = `${typeof kind === 'string' ? kind : 'chart'}${typeof raw.metric === 'string' ? ` of ${raw.metric}` : typeof raw.y === 'string' ? ` of ${raw.y}` : ''}`;
  if (typeof kind !== 'string' || !(CHART_KINDS as readonly string[]).includes(kind)) {
    return bad(what, `${path}.kind: expected one of ${CHART_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const chart: ReportChart = { kind: kind as ReportChartKind };
  for (const f of STRING_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && !(f === 'run' && typeof v === 'number')) return bad(what, `${path}.${f}: expected text, got ${JSON.stringify(v)}`);
    chart[f] = String(v);
  }
  for (const f of BOOL_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') return bad(what, `${path}.${f}: expected true or false, got ${JSON.stringify(v)}`);
    chart[f] = v;
  }
  if (raw.point !== undefined) {
    if (!isObject(raw.point)) return bad(what, `${path}.point: expected a mapping of sweep path to value`);
    chart.point = raw.point;
  }
  if (raw.band !== undefined) {
    if (raw.band !== 'minmax' && raw.band !== 'ci95' && raw.band !== 'none') return bad(what, `${path}.band: expected minmax, ci95 or none, got ${JSON.stringify(raw.band)}`);
    chart.band = raw.band;
  }
  if ((kind === 'timeseries' || kind === 'cdf') && !chart.metric) return bad(what, `${path}.metric: a ${kind} chart needs a metric`);
  if ((kind === 'sweep' || kind === 'bar') && !chart.x) return bad(what, `${path}.x: a ${kind} chart needs the sweep path on x`);
  if ((kind === 'sweep' || kind === 'bar') && !chart.y) return bad(what, `${path}.y: a ${kind} chart needs a metric on y`);
  return { ok: true, chart };
}

/** A file-name-safe slug of a chart: "timeseries-syn_queue", "ladder-client1". */
export function chartSlug(c: ReportChart): string {
  const subject = c.metric ?? c.y ?? c.conn ?? c.node ?? c.run ?? '';
  const raw = subject ? `${c.kind}-${subject}` : c.kind;
  return raw.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '').slice(0, 60);
}

/** One-line description of a chart for notes: "cdf of handshake_ms". */
export function describeChart(c: ReportChart): string {
  if (c.metric) return `${c.kind} of ${c.metric}`;
  if (c.y) return `${c.kind} of ${c.y} over ${c.x}`;
  if (c.kind === 'ladder') return `ladder${c.conn ? ` of ${c.conn}` : ''}${c.run ? ` in run ${c.run}` : ''}`;
  return `${c.kind}${c.run ? ` of run ${c.run}` : ''}`;
}
