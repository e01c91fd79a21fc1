/**
 * Reads what a results folder holds (docs/design.md part 2). Every reader returns null when its file
 * is absent, so a figure that needs it can be skipped with a note. CSV and JSONL files are
 * streamed line by line and filtered while reading (a traced flood run is large): only the
 * metrics and runs the figures need are kept.
 */
import type { AggregateRow, RunResult, SampleRow, Summary, TimeseriesRow } from '../schema/results.ts';
import { isObject } from './plain-data.ts';
import type { ResultsSource } from './results-source.ts';
import { isTraceEvent } from './trace-records.ts';
import type { TraceEvent } from './trace-records.ts';
import type { TraceEventName } from '../schema/trace.ts';

/** Splits one CSV line (RFC 4180 quoting; fields never span lines in tcplab's files). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      if (line[i] === ',') i++;
      else break;
    } else {
      const j = line.indexOf(',', i);
      if (j < 0) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, j));
      i = j + 1;
      if (i === line.length) {
        out.push('');
        break;
      }
    }
  }
  return out;
}

/** Which rows of a CSV file to hand on: those whose cell in `column` passes `keep`. */
interface RowFilter {
  column: string;
  keep: (cell: string) => boolean;
}

/**
 * Streams a CSV file: `onRow` gets each row's cells and the column index of a header name (-1 if
 * absent). With `filter`, a row whose cell in that column is not kept is skipped before it is split
 * (the figures keep a few metrics of a file of many).
 */
async function streamCsv(
  src: ResultsSource,
  file: string,
  onRow: (cells: string[], col: (name: string) => number) => void,
  filter?: RowFilter,
): Promise<boolean> {
  const blocks = await lineBlocks(src, file);
  if (blocks === null) return false;
  let index: Map<string, number> | null = null;
  const col = (name: string): number => index!.get(name) ?? -1;
  let filterCol = -1;
  for await (const block of blocks) {
    for (const raw of block) {
      const line = raw.trimEnd();
      if (line === '') continue;
      // Most lines hold no quoted cell: a plain split (or a look at one cell) gives the same cells, faster.
      const quoted = line.includes('"');
      const cells = quoted ? splitCsvLine(line) : null;
      if (!index) {
        const header = cells ?? line.split(',');
        index = new Map(header.map((c, i) => [c, i]));
        if (filter) filterCol = col(filter.column);
        continue;
      }
      if (filter && !filter.keep(cells ? (cells[filterCol] ?? '') : plainCell(line, filterCol))) continue;
      onRow(cells ?? line.split(','), col);
    }
  }
  return true;
}

/** Cell `k` of a line without quotes ('' when the line has fewer cells or k < 0), without splitting it. */
function plainCell(line: string, k: number): string {
  if (k < 0) return '';
  let start = 0;
  for (let j = 0; j < k; j++) {
    const comma = line.indexOf(',', start);
    if (comma < 0) return '';
    start = comma + 1;
  }
  const end = line.indexOf(',', start);
  return line.slice(start, end < 0 ? line.length : end);
}

/** A file's lines in blocks: the source's own blocks when it has them, else one line per block. */
async function lineBlocks(src: ResultsSource, file: string): Promise<AsyncIterable<readonly string[]> | null> {
  if (src.lineBlocks) return src.lineBlocks(file);
  const lines = await src.lines(file);
  return lines === null ? null : oneLinePerBlock(lines);
}

async function* oneLinePerBlock(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<readonly string[]> {
  for await (const line of lines) yield [line];
}

/** Shares one string per distinct value (run ids, node and metric names repeat millions of times). */
function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    const got = seen.get(s);
    if (got !== undefined) return got;
    seen.set(s, s);
    return s;
  };
}

/** The node name of rows that hold a metric summed over all nodes. */
export const ALL_NODES = '*';

/**
 * What to keep of timeseries.csv: per metric, ALL_NODES for its sum over nodes and/or node names
 * for one node's own values. null keeps every metric's sum.
 */
export type TimeseriesWants = ReadonlyMap<string, ReadonlySet<string>> | null;

export interface TimeseriesRead {
  /** One row per (metric, run, time) with the value summed over nodes; node is ALL_NODES. */
  summed: TimeseriesRow[];
  /** Rows of the nodes asked for by name. */
  byNode: TimeseriesRow[];
  /** Every metric in the file, in order of first appearance. */
  metrics: string[];
}

/**
 * timeseries.csv, summed over nodes while reading where a figure wants the sum: a run with 50
 * clients writes 50 rows per sample, and only their total is drawn.
 */
export async function readTimeseries(src: ResultsSource, wants: TimeseriesWants): Promise<TimeseriesRead | null> {
  const intern = interner();
  // Sums in order of first appearance, found by metric, run and time (µs): nested maps, so no key
  // string is built per row.
  const summed: TimeseriesRow[] = [];
  const sumIndex = new Map<string, Map<string, Map<number, TimeseriesRow>>>();
  const byNode: TimeseriesRow[] = [];
  const metrics: string[] = [];
  const seenMetric = new Set<string>();
  // Every metric is listed; only the rows of wanted ones are split.
  const keepMetric = (metric: string): boolean => {
    if (!seenMetric.has(metric)) {
      seenMetric.add(metric);
      metrics.push(metric);
    }
    return wants === null || wants.has(metric);
  };
  const found = await streamCsv(
    src,
    'timeseries.csv',
    (cells, col) => {
      // Only rows of wanted metrics get here (keepMetric): `want` is their set of node names, or null for all.
      const metric = cells[col('metric')] ?? '';
      const want = wants === null ? null : wants.get(metric)!;
      const t = Number(cells[col('t_s')]);
      const value = Number(cells[col('value')]);
      if (!Number.isFinite(t) || !Number.isFinite(value)) return;
      const run = intern(cells[col('run')] ?? '');
      const node = cells[col('node')] ?? '';
      if (want === null || want.has(ALL_NODES)) {
        let byRun = sumIndex.get(metric);
        if (!byRun) sumIndex.set(metric, (byRun = new Map()));
        let byTime = byRun.get(run);
        if (!byTime) byRun.set(run, (byTime = new Map()));
        const at = Math.round(t * 1e6);
        const row = byTime.get(at);
        if (row) row.value += value;
        else {
          const added = { run, t_s: t, node: ALL_NODES, metric: intern(metric), value };
          byTime.set(at, added);
          summed.push(added);
        }
      }
      if (want !== null && want.has(node))
        byNode.push({ run, t_s: t, node: intern(node), metric: intern(metric), value });
    },
    { column: 'metric', keep: keepMetric },
  );
  if (!found) return null;
  return { summed, byNode, metrics };
}

/** samples.csv rows of the given metrics (all when null). */
export async function readSamples(
  src: ResultsSource,
  metrics: ReadonlySet<string> | null,
): Promise<SampleRow[] | null> {
  const intern = interner();
  const rows: SampleRow[] = [];
  const found = await streamCsv(
    src,
    'samples.csv',
    (cells, col) => {
      const metric = cells[col('metric')] ?? ''; // one of `metrics`: the filter below kept only those
      rows.push({ run: intern(cells[col('run')] ?? ''), metric: intern(metric), value: Number(cells[col('value')]) });
    },
    metrics === null ? undefined : { column: 'metric', keep: (metric) => metrics.has(metric) },
  );
  return found ? rows : null;
}

export interface SummaryRead {
  summary: Summary | null;
  /** Why summary.json could not be used, when it could not. */
  problem?: string;
}

/** summary.json, checked just enough that the figures can trust its shape. */
export async function readSummary(src: ResultsSource): Promise<SummaryRead> {
  const text = await src.text('summary.json');
  if (text === null) return { summary: null, problem: 'summary.json not found' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { summary: null, problem: `summary.json is not valid JSON (${(e as Error).message})` };
  }
  if (!isObject(data)) return { summary: null, problem: 'summary.json: expected an object' };
  const runs: RunResult[] = [];
  if (Array.isArray(data.runs)) {
    data.runs.forEach((r, i) => {
      if (!isObject(r)) return;
      const seed = typeof r.seed === 'number' ? r.seed : 0;
      const id = typeof r.id === 'string' ? r.id : `p${i}-s${seed}`;
      runs.push({
        id,
        point: isObject(r.point) ? (r.point as RunResult['point']) : {},
        seed,
        metrics: isObject(r.metrics) ? (r.metrics as RunResult['metrics']) : {},
      });
    });
  }
  const aggregate: AggregateRow[] = [];
  if (Array.isArray(data.aggregate)) {
    for (const a of data.aggregate) {
      if (!isObject(a) || !isObject(a.metrics)) continue;
      const metrics: AggregateRow['metrics'] = {};
      for (const [k, v] of Object.entries(a.metrics)) {
        if (isObject(v) && typeof v.mean === 'number') {
          metrics[k] = {
            mean: v.mean,
            ci95: typeof v.ci95 === 'number' ? v.ci95 : 0,
            min: typeof v.min === 'number' ? v.min : v.mean,
            max: typeof v.max === 'number' ? v.max : v.mean,
            n: typeof v.n === 'number' ? v.n : 1,
          };
        }
      }
      aggregate.push({ point: isObject(a.point) ? (a.point as AggregateRow['point']) : {}, metrics });
    }
  }
  const experiment =
    typeof data.experiment === 'string'
      ? data.experiment
      : isObject(data.spec) && typeof data.spec.name === 'string'
        ? data.spec.name
        : 'experiment';
  return { summary: { experiment, spec: data.spec ?? {}, runs, aggregate } };
}

export interface TraceRead {
  /** Records per run id ('' for records without a run field), in file order. */
  byRun: Map<string, TraceEvent[]>;
  /** The first run id in the file. */
  firstRun: string | null;
  /** Lines that were not JSON trace records. */
  badLines: number;
}

/** Each trace record and its line as written, for a reader that needs every record (the explorer). */
export type TraceTap = (rec: TraceEvent, line: string) => void | Promise<void>;

/**
 * trace.jsonl records of the wanted runs (and of the first run in the file when `first`), read in
 * one pass that also hands every record to `tap` when given, so that the figures and the trace
 * explorer (explorer/explore-data.ts) share one read of a large trace.
 */
export async function readTrace(
  src: ResultsSource,
  runs: ReadonlySet<string>,
  first: boolean,
  tap?: TraceTap,
): Promise<TraceRead | null> {
  const rl = await src.lines('trace.jsonl');
  if (rl === null) return null;
  const byRun = new Map<string, TraceEvent[]>();
  let firstRun: string | null = null;
  let badLines = 0;
  // Most lines of a big trace belong to runs no figure draws: without a tap, skip them before JSON.parse.
  const markers = [...runs].map((r) => `"run":${JSON.stringify(r)}`);
  let firstMarker: string | null = null;
  for await (const line of rl) {
    if (line.trim() === '') continue;
    if (
      tap === undefined &&
      firstRun !== null &&
      line.includes('"run":') &&
      !markers.some((m) => line.includes(m)) &&
      !(firstMarker && line.includes(firstMarker))
    )
      continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (!isTraceEvent(rec)) {
      // A run's last record when --trace-limit stopped its trace: known, not a bad line.
      if ((rec as { ev?: unknown } | null)?.ev !== ('trace-limit' satisfies TraceEventName)) badLines++;
      continue;
    }
    if (tap !== undefined) {
      const wrote = tap(rec, line);
      if (wrote !== undefined) await wrote;
    }
    const run = typeof rec.run === 'string' ? rec.run : '';
    if (firstRun === null) {
      firstRun = run;
      if (first && run !== '') firstMarker = `"run":${JSON.stringify(run)}`;
    }
    if (!(runs.has(run) || (run === '' && (first || runs.size > 0)) || (first && run === firstRun))) continue;
    let list = byRun.get(run);
    if (!list) byRun.set(run, (list = []));
    list.push(rec);
  }
  return { byRun, firstRun, badLines };
}
