/**
 * Human labels and units derived from metric names and sweep paths (docs/design.md part 2 metric
 * names): `handshake_ms.p50` → "Handshake time, median (ms)", `connections.success_ratio` →
 * "Connection success ratio", `apps.flood.rate` → "Flood rate".
 */

import { format } from 'd3';
import { PARAM_LABELS, PERCENT_PARAMS, VALUE_LABELS } from './label-table.ts';
import { parseQuantity, valueLabel } from './sweep-values.ts';

export interface MetricLabel {
  /** Label without unit, e.g. "Handshake time, p90". */
  name: string;
  /** Unit text, e.g. "ms"; '' when none. */
  unit: string;
  /** A 0–1 ratio: axes run from 0 to 1. */
  ratio: boolean;
}

/** Base names (the first path segment) that read better spelled out. */
const BASE_NAMES: Record<string, string> = {
  syn_queue: 'SYN queue',
  accept_queue: 'Accept queue',
  established: 'Established connections',
  time_wait: 'TIME-WAIT sockets',
  cwnd: 'Congestion window',
  handshake_ms: 'Handshake time',
  request_ms: 'Request time',
  page_ms: 'Page load time',
  hol_ms: 'Head-of-line delay',
  bulk_ms: 'Transfer time',
  bulk_goodput_mbps: 'Goodput',
  connections: 'Connections',
  connect_errors: 'connect() errors',
  syn_cookies: 'SYN cookies',
  tfo: 'Fast Open',
  tfo_queue: 'Fast Open queue',
  segments: 'Segments',
  sim: 'Simulation',
};

/** The tfo.* counters in words. */
const TFO_NAMES: Record<string, string> = {
  requested: 'Fast Open cookie requests',
  accepted: 'Fast Open SYNs whose data was accepted',
  fallback: 'Fast Open fallbacks (SYN data sent again)',
};

/** Sub-names (after the first dot). */
const PART_NAMES: Record<string, string> = {
  success_ratio: 'success ratio',
  p50: 'median',
  p90: '90th percentile',
  p99: '99th percentile',
  mean: 'mean',
  max: 'max',
  count: 'count',
  peak: 'peak',
  drops: 'drops',
  capacity: 'capacity',
  retransmitted: 'retransmitted',
  dropped_loss: 'lost',
  dropped_queue: 'dropped (queue full)',
  sim_s: 'simulated time',
  wall_s: 'wall-clock time',
};

/** Time series metrics: what one sample counts. */
const SERIES_UNITS: Record<string, string> = {
  syn_queue: 'entries',
  accept_queue: 'entries',
  tfo_queue: 'connections',
  established: 'connections',
  time_wait: 'sockets',
  cwnd: 'bytes',
};

function words(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

function capital(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

function unitOf(part: string): string {
  if (/_ms$/.test(part)) return 'ms';
  if (/_us$/.test(part)) return 'µs';
  if (/_s$/.test(part)) return 's';
  if (/_bytes$/.test(part)) return 'bytes';
  if (/_bps$/.test(part)) return 'bit/s';
  if (/_mbps$/.test(part)) return 'Mbit/s';
  return '';
}

function stripUnit(part: string): string {
  return part.replace(/_(ms|us|s|bytes|bps|mbps)$/, '');
}

/** The label of a metric name such as "handshake_ms.p50" or "syn_queue". */
export function metricLabel(metric: string): MetricLabel {
  const parts = metric.split('.');
  const base = parts[0]!;
  const rest = parts.slice(1);
  const last = parts[parts.length - 1]!;
  const ratio = /(_ratio|ratio|_fraction)$/.test(last);
  let unit = '';
  for (const p of parts) unit = unitOf(p) || unit;
  // handshake_ms.count counts connections: the base's unit does not apply.
  if (last === 'count') unit = '';
  if (!unit && rest.length === 0 && SERIES_UNITS[base]) unit = SERIES_UNITS[base]!;
  const baseName = BASE_NAMES[base] ?? capital(words(stripUnit(base)));
  const restNames = rest.map((p) => PART_NAMES[p] ?? words(stripUnit(p)));
  let name = restNames.length > 0 ? `${baseName}, ${restNames.join(', ')}` : baseName;
  if (metric === 'connections.success_ratio') name = 'Connection success ratio';
  else if (base === 'connections' && rest.length === 1) name = `Connections ${restNames[0]}`;
  else if (base === 'connect_errors' && rest.length > 0) name = `connect() errors: ${rest.join('.')}`;
  else if (base === 'tfo' && rest.length === 1) name = TFO_NAMES[rest[0]!] ?? name;
  return { name, unit, ratio };
}

/** "Name (unit)", or "Name" when unitless; ratios say "(0–1)". */
export function axisLabel(metric: string): string {
  const l = metricLabel(metric);
  if (l.ratio) return `${l.name} (0–1)`;
  return l.unit ? `${l.name} (${l.unit})` : l.name;
}

/** Parameter names under tcp:, apps.<id>. and the like that read better spelled out. */
const PARAM_NAMES: Record<string, string> = {
  synCookies: 'SYN cookies',
  backlog: 'backlog',
  synRetries: 'SYN retries',
  synAckRetries: 'SYN-ACK retries',
  rate: 'rate',
  profile: 'TCP profile',
  latency: 'latency',
  loss: 'loss',
  mode: 'mode',
};

/** A sweep path as a label: "apps.flood.rate" → "SYN flood rate", "http" → "HTTP version". */
export function paramLabel(path: string): string {
  const listed = PARAM_LABELS[path];
  if (listed !== undefined) return listed;
  const parts = path.split('.');
  const last = parts[parts.length - 1]!;
  const lastName = PARAM_NAMES[last] ?? words(last);
  if (parts[0] === 'apps' && parts.length >= 3) return capital(`${words(parts[1]!)} ${lastName}`);
  if (parts[0] === 'topology' && parts.length >= 2) return capital(`link ${lastName}`);
  return capital(lastName);
}

/** Short name of a sweep path for legends: its last segment, unless two paths share it. */
export function shortParamNames(paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const lastOf = (p: string): string => p.split('.').pop()!;
  for (const p of paths) {
    const clash = paths.some((q) => q !== p && lastOf(q) === lastOf(p));
    out.set(p, clash ? p : lastOf(p));
  }
  return out;
}

/** A label inside a sentence: "Flood rate" → "flood rate", but "SYN cookies" and "TIME-WAIT" keep their capitals. */
export function inSentence(label: string): string {
  const first = label.split(/[\s,]/)[0] ?? '';
  if (first.length > 1 && first === first.toUpperCase() && /[A-Z]/.test(first)) return label;
  return label.length === 0 ? label : label[0]!.toLowerCase() + label.slice(1);
}

/** A name as words, keeping capitals: "short-timer" → "short timer", "synCookies" → "syn Cookies". */
function spelled(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ');
}

const NUMBER = format(',~g');

/**
 * One value of a sweep axis in words: the label table's name for a named variant ("http1-0" →
 * "HTTP/1.0"), a quantity with a spaced unit ("5ms" → "5 ms", "1000/s" → "1,000/s"), a loss
 * fraction as a percentage (0.01 → "1 %"), true/false as on/off, other words spelled out.
 */
export function valueText(path: string, v: unknown): string {
  const raw = valueLabel(v);
  const named = VALUE_LABELS[path]?.[raw];
  if (named !== undefined) return named;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  const q = parseQuantity(v);
  if (q) {
    const last = path.split('.').pop()!;
    if (q.unit === '' && PERCENT_PARAMS.includes(last)) return `${format('.3~g')(q.value * 100)} %`;
    if (q.unit === '') return NUMBER(q.value);
    return q.unit === '/s' || q.unit === '%' ? `${NUMBER(q.value)}${q.unit}` : `${NUMBER(q.value)} ${q.unit}`;
  }
  return spelled(raw);
}

/** True when the axis's values are named variants that say what they are without the axis name. */
export function selfNamed(path: string): boolean {
  return VALUE_LABELS[path] !== undefined;
}

/** A point on some axes as words: "SYN cookies", "Link latency 25 ms, packet loss per link 1 %". */
export function pointText(point: Readonly<Record<string, unknown>>, paths: readonly string[]): string {
  const parts = paths.map((p) =>
    selfNamed(p) ? valueText(p, point[p]) : `${inSentence(paramLabel(p))} ${valueText(p, point[p])}`,
  );
  return capitalFirst(parts.join(', '));
}

/** "no defence" → "No defence" (a legend entry starts with a capital). */
export function capitalFirst(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}
