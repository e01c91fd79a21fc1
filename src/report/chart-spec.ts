/**
 * The figures an experiment asks for (`charts:` in the experiment file, stored in summary.json's
 * spec), checked as the report reads them: summary.json is data from disk, so a malformed entry
 * becomes a note naming its field path (`charts.2.metric`), never an exception. The fields and
 * their rules are the loader's (src/experiment/chart-fields.ts), which refuses such entries before
 * a run; here they are checked again only because the file may have been edited since.
 */
import { BAND_KINDS, CHART_FLAG_KEYS, CHART_KINDS, CHART_REQUIRED, CHART_TEXT_KEYS } from '../schema/charts.ts';
import type { ChartFields, ChartKind } from '../schema/charts.ts';
import { isObject } from './plain-data.ts';
import { parseQuantity, quantityIn, valueLabel } from './sweep-values.ts';

export type ReportChart = ChartFields;
export type ReportChartKind = ChartKind;

export interface ChartProblem {
  index: number;
  /** A short description of the chart as written, for the page. */
  what: string;
  reason: string;
}

export type ChartEntry = { ok: true; chart: ReportChart } | ({ ok: false } & ChartProblem);

/** Checks one `charts:` entry. */
export function readChart(raw: unknown, index: number): ChartEntry {
  const path = `charts.${index}`;
  const bad = (what: string, reason: string): ChartEntry => ({ ok: false, index, what, reason });
  if (!isObject(raw))
    return bad(`chart ${index + 1}`, `${path}: expected a mapping like {kind: timeseries, metric: syn_queue}`);
  const kind = raw.kind;
  const what = `${typeof kind === 'string' ? kind : 'chart'}${typeof raw.metric === 'string' ? ` of ${raw.metric}` : typeof raw.y === 'string' ? ` of ${raw.y}` : ''}`;
  if (typeof kind !== 'string' || !(CHART_KINDS as readonly string[]).includes(kind)) {
    return bad(what, `${path}.kind: expected one of ${CHART_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const chart: ReportChart = { kind: kind as ChartKind };
  for (const f of CHART_TEXT_KEYS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && !(f === 'run' && typeof v === 'number'))
      return bad(what, `${path}.${f}: expected text, got ${JSON.stringify(v)}`);
    chart[f] = String(v);
  }
  for (const f of CHART_FLAG_KEYS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') return bad(what, `${path}.${f}: expected true or false, got ${JSON.stringify(v)}`);
    chart[f] = v;
  }
  if (raw.point !== undefined) {
    if (!isObject(raw.point)) return bad(what, `${path}.point: expected a mapping of sweep path to value`);
    chart.point = raw.point;
  }
  if (raw.until !== undefined) {
    if (untilSeconds(raw.until) === null)
      return bad(what, `${path}.until: expected a duration above 0 like "6s", got ${JSON.stringify(raw.until)}`);
    chart.until = String(raw.until);
  }
  if (raw.band !== undefined) {
    const band = BAND_KINDS.find((b) => b === raw.band);
    if (band === undefined)
      return bad(what, `${path}.band: expected ${BAND_KINDS.join(', ')}, got ${JSON.stringify(raw.band)}`);
    chart.band = band;
  }
  for (const need of CHART_REQUIRED[chart.kind] ?? []) {
    if (!chart[need.key]) return bad(what, `${path}.${need.key}: a ${kind} chart needs ${need.what}`);
  }
  return { ok: true, chart };
}

/**
 * A file-name-safe slug of a chart: "timeseries-syn_queue", "ladder-client1", and the values of
 * its point, so the nine ladders of one experiment are "ladder-lost-syn", not "ladder" nine times.
 */
export function chartSlug(c: ReportChart): string {
  const subject = c.metric ?? c.y ?? c.conn ?? c.node ?? c.run;
  const raw = [
    c.kind,
    ...(subject !== undefined ? [subject] : []),
    ...Object.values(c.point ?? {}).map(valueLabel),
  ].join('-');
  return raw
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 60);
}

/** One-line description of a chart for notes: "cdf of handshake_ms". */
export function describeChart(c: ReportChart): string {
  if (c.metric) return `${c.kind} of ${c.metric}`;
  if (c.y) return `${c.kind} of ${c.y} over ${c.x}`;
  if (c.kind === 'ladder') return `ladder${c.conn ? ` of ${c.conn}` : ''}${c.run ? ` in run ${c.run}` : ''}`;
  return `${c.kind}${c.run ? ` of run ${c.run}` : ''}`;
}

/** A chart's `until` ("6s", "500ms") in seconds, or null when it is not a positive duration. */
export function untilSeconds(v: unknown): number | null {
  const q = parseQuantity(v);
  const s = q === null ? null : quantityIn(q, 'time');
  return s !== null && s > 0 ? s : null;
}
