/**
 * `buildReport(source)`: reads a results folder (on disk or in memory), draws every figure its spec
 * asks for (or a default set when it asks for none) and renders the page. No file system: the
 * output depends only on the input files, so a redraw of unchanged results is byte-identical, and
 * the browser playground draws exactly what `tcplab report` draws. A figure whose inputs are
 * missing is listed on the page with the reason; it never makes the report fail.
 */
import type { PointValues, RunResult, Summary } from '../schema/results.ts';
import { barChart } from './bar.ts';
import { cdfChart } from './cdf.ts';
import type { CdfMark } from './cdf.ts';
import { chartSlug, describeChart, readChart, untilSeconds } from './chart-spec.ts';
import type { ChartEntry, ReportChart } from './chart-spec.ts';
import type { ChartResult } from './figure.ts';
import { skipped } from './figure.ts';
import { ladderChart } from './ladder.ts';
import { inSentence, metricLabel } from './labels.ts';
import { renderPage } from './page.ts';
import { isAtPoint, noRunAt, readContext, resolveRun, type Context } from './report-context.ts';
import type { PageFigure } from './page.ts';
import { isObject } from './plain-data.ts';
import { listPoints, pointLabel } from './points.ts';
import { readSummary } from './read-results.ts';
import type { TraceRead } from './read-results.ts';
import type { ResultsSource } from './results-source.ts';
import { ExploreBuilder, SLOWEST, type ExploreSink, type SlowHandshake } from './explorer/explore-data.ts';
import { explorerSection } from './explorer/explorer-section.ts';
import { statesChart } from './states.ts';
import { sweepChart } from './sweep.ts';
import { timeseriesChart } from './timeseries.ts';

/** One drawn figure: its file name (`NN-<kind>-<subject>.svg`) and its SVG text. */
export interface FigureFile {
  file: string;
  svg: string;
}

export interface BuiltReport {
  /** index.html's text. */
  html: string;
  /** The figures drawn, in figure order. */
  figures: FigureFile[];
  /** The trace explorer's files (explore/…, beside index.html), by path; empty without a trace. */
  explore: Map<string, string>;
}

export interface BuildOptions {
  /**
   * The trace explorer's bundled browser script: with it, a folder holding trace.jsonl gets the
   * explorer section and its explore/ files. The CLI bundles it with esbuild (explorer-script.ts),
   * the playground ships it prebuilt.
   */
  explorerScript?: () => Promise<string> | string;
  /**
   * Where the explorer's files go as they are made: appended to in pieces (the CLI writes each
   * piece at once, so a large trace's records are never all in memory); without it they are
   * returned in `explore`.
   */
  writeExplore?: ExploreSink;
}

/**
 * What a timeseries, cdf, sweep or bar chart with `point:` draws from: only the runs and aggregate
 * rows at that point, one series per value of the axes the point leaves free. Null when no run is
 * there.
 */
function narrowToPoint(want: Record<string, unknown>, ctx: Context): Context | null {
  const runs = ctx.runs.filter((r) => isAtPoint(r.point, want));
  if (runs.length === 0) return null;
  const sweepPaths = ctx.sweepPaths.filter((p) => !(p in want));
  const summary = ctx.summary && {
    ...ctx.summary,
    runs: ctx.summary.runs.filter((r) => isAtPoint(r.point, want)),
    aggregate: ctx.summary.aggregate.filter((a) => isAtPoint(a.point, want)),
  };
  return { ...ctx, summary, runs, sweepPaths, points: listPoints(runs, sweepPaths, ctx.sweepValues) };
}

function traceRecords(
  ctx: Context,
  run: string | null,
): { records: ReturnType<TraceRead['byRun']['get']>; run: string | null } {
  const t = ctx.trace!;
  const id = run ?? t.firstRun;
  if (id !== null && t.byRun.has(id)) return { records: t.byRun.get(id), run: id || null };
  // A trace written without run fields belongs to whichever run was asked for.
  if (t.byRun.size === 1 && t.byRun.has('')) return { records: t.byRun.get(''), run };
  return { records: undefined, run: id };
}

function drawChart(c: ReportChart, ctx: Context, marks?: CdfMark[]): ChartResult {
  if (c.point && c.kind !== 'ladder' && c.kind !== 'states') {
    const narrowed = narrowToPoint(c.point, ctx);
    if (!narrowed) return skipped(noRunAt(c.point));
    const result = drawChartFrom(c, narrowed, marks);
    if (result.kind === 'skipped') return result;
    const where = inSentence(pointLabel(c.point as PointValues, Object.keys(c.point)));
    return { ...result, caption: `${result.caption} Runs at ${where} only.` };
  }
  return drawChartFrom(c, ctx, marks);
}

function drawChartFrom(c: ReportChart, ctx: Context, marks?: CdfMark[]): ChartResult {
  switch (c.kind) {
    case 'timeseries':
      if (!ctx.timeseries) return skipped('timeseries.csv not found');
      return timeseriesChart({
        metric: c.metric!,
        rows: c.node !== undefined ? ctx.timeseries.byNode : ctx.timeseries.summed,
        reference: capacityLine(c.metric!, ctx.summary),
        points: ctx.points,
        node: c.node,
        band: c.band,
        title: c.title,
        xlabel: c.xlabel,
        ylabel: c.ylabel,
        logy: c.logy,
        until: c.until === undefined ? undefined : (untilSeconds(c.until) ?? undefined),
      });
    case 'cdf':
      if (!ctx.samples) return skipped('samples.csv not found');
      return cdfChart({
        metric: c.metric!,
        samples: ctx.samples,
        points: ctx.points,
        title: c.title,
        xlabel: c.xlabel,
        ylabel: c.ylabel,
        logx: c.logx,
        ...(marks ? { marks } : {}),
      });
    case 'sweep':
    case 'bar': {
      if (!ctx.summary) return skipped('summary.json not available');
      const input = {
        x: c.x!,
        y: c.y!,
        series: c.series,
        aggregate: ctx.summary.aggregate,
        runs: ctx.summary.runs as RunResult[],
        sweepPaths: ctx.sweepPaths,
        sweepValues: ctx.sweepValues,
        title: c.title,
        xlabel: c.xlabel,
        ylabel: c.ylabel,
        logy: c.logy,
      };
      return c.kind === 'sweep' ? sweepChart({ ...input, logx: c.logx }) : barChart(input);
    }
    case 'ladder':
    case 'states': {
      if (!ctx.trace) return skipped('trace.jsonl not found (run with --trace)');
      const want = resolveRun(c, ctx);
      if (want.problem) return skipped(want.problem);
      const { records, run } = traceRecords(ctx, want.run);
      if (!records || records.length === 0)
        return skipped(`no trace records for run ${run ?? '(first)'} in trace.jsonl`);
      return c.kind === 'ladder'
        ? ladderChart({ records, run: run ?? undefined, conn: c.conn, title: c.title, absolute: c.absolute })
        : statesChart({ records, run: run ?? undefined, node: c.node, title: c.title, xlabel: c.xlabel });
    }
  }
}

/** A queue's capacity (`<metric>.capacity`), when every run reports the same one. */
function capacityLine(metric: string, summary: Summary | null): { value: number; label: string } | undefined {
  const values = new Set((summary?.runs ?? []).map((r) => r.metrics[`${metric}.capacity`]));
  if (values.size !== 1) return undefined;
  const v = [...values][0];
  return typeof v === 'number' && v > 0 ? { value: v, label: `capacity ${v} per listener` } : undefined;
}

/** Figures drawn when the spec lists none: whatever the folder has data for. */
function defaultCharts(ctx: Context): ReportChart[] {
  const out: ReportChart[] = [];
  const order = ['syn_queue', 'accept_queue', 'established', 'time_wait', 'cwnd'];
  const rank = (m: string): number => (order.includes(m) ? order.indexOf(m) : order.length);
  const tsMetrics = [...(ctx.timeseries?.metrics ?? [])].sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const m of tsMetrics) out.push({ kind: 'timeseries', metric: m });
  const sampleMetrics = [...new Set((ctx.samples ?? []).map((r) => r.metric))].sort();
  for (const m of sampleMetrics) out.push({ kind: 'cdf', metric: m });
  if (ctx.summary && ctx.sweepPaths.length > 0) {
    const x = ctx.sweepPaths[0]!;
    const series = ctx.sweepPaths[1];
    for (const y of ['connections.success_ratio', 'handshake_ms.mean', 'time_wait.peak']) {
      if (ctx.summary.aggregate.some((a) => y in a.metrics)) out.push({ kind: 'sweep', x, y, series });
    }
  }
  if (ctx.trace && ctx.trace.firstRun !== null) out.push({ kind: 'ladder' }, { kind: 'states' });
  return out;
}

export async function buildReport(src: ResultsSource, opts: BuildOptions = {}): Promise<BuiltReport> {
  const notes: string[] = [];
  const { summary, problem } = await readSummary(src);
  if (problem) notes.push(`${problem}: figures that need it are skipped.`);
  const spec = isObject(summary?.spec) ? summary.spec : {};
  // null: the spec asks for no figures, so draw whatever the folder has data for.
  const entries =
    Array.isArray(spec.charts) && spec.charts.length > 0 ? spec.charts.map((c, i) => readChart(c, i)) : null;
  const kept = new Map<string, string>();
  const sink: ExploreSink = opts.writeExplore ?? ((path, text) => void kept.set(path, (kept.get(path) ?? '') + text));
  // The explorer's files are made in the same read of trace.jsonl as the figures' records.
  const builder = opts.explorerScript ? new ExploreBuilder(sink) : undefined;
  const ctx = await readContext(src, summary, spec, entries, notes, builder);
  const list: ChartEntry[] = entries ?? defaultCharts(ctx).map((chart) => ({ ok: true as const, chart }));
  const explore = builder ? await finishExplore(builder, ctx) : null;
  const outliers = explore ? outlierLinks(list, explore.slowest, ctx) : new Map<number, SlowHandshake[]>();
  const { figures, files } = drawFigures(list, ctx, outliers);
  const explorer = explore ? explorerSection(explore.runs, await opts.explorerScript!(), explore.cut) : undefined;
  const html = renderPage({
    ...(explorer !== undefined ? { explorer } : {}),
    experiment: summary?.experiment ?? 'results',
    spec: summary?.spec ?? {},
    sweepPaths: ctx.sweepPaths,
    runCount: ctx.runs.length,
    seeds: ctx.runs.map((r) => r.seed),
    aggregate: summary?.aggregate ?? [],
    figures,
    notes,
  });
  return { html, figures: files, explore: kept };
}

/**
 * The slowest traced handshakes each handshake-time figure links to their ladders in the explorer,
 * by figure index: those of the traced runs the figure draws (its `point`), never another point's.
 */
function outlierLinks(
  list: readonly ChartEntry[],
  slowest: readonly SlowHandshake[],
  ctx: Context,
): Map<number, SlowHandshake[]> {
  const out = new Map<number, SlowHandshake[]>();
  list.forEach((e, i) => {
    if (!e.ok) return;
    const c = e.chart;
    if (
      !((c.kind === 'cdf' && c.metric === 'handshake_ms') || (c.kind === 'sweep' && c.y?.startsWith('handshake_ms.')))
    )
      return;
    const drawn = c.point ? new Set(ctx.runs.filter((r) => isAtPoint(r.point, c.point!)).map((r) => r.id)) : null;
    const mine = slowest
      .filter((s) => drawn === null || drawn.has(s.run))
      .sort((x, y) => y.handshakeMs - x.handshakeMs)
      .slice(0, SLOWEST);
    if (mine.length > 0) out.set(i, mine);
  });
  return out;
}

const exploreHref = (s: SlowHandshake): string => `#explore=${encodeURIComponent(s.run)}/${s.i}`;

/** The caption's links to the outliers' ladders. */
function outlierCaptionLinks(slow: readonly SlowHandshake[]): { href: string; text: string }[] {
  return slow.map((s, k) => ({
    href: exploreHref(s),
    text: `${k === 0 ? 'slowest traced handshakes: ' : ''}${Number(s.handshakeMs.toFixed(3))} ms (${s.label}, ${s.run})`,
  }));
}

/** The outliers marked on a CDF's curves in the page's copy of the figure. */
const cdfMarks = (slow: readonly SlowHandshake[]): CdfMark[] =>
  slow.map((s) => ({
    run: s.run,
    value: s.handshakeMs,
    href: exploreHref(s),
    label: `${Number(s.handshakeMs.toFixed(3))} ms, ${s.label} (${s.run}): open its ladder`,
  }));

/** The explorer's index written after the pass over the trace; null without traced connections. */
async function finishExplore(
  builder: ExploreBuilder,
  ctx: Context,
): Promise<{
  runs: { run: string; label: string; connections: number }[];
  slowest: SlowHandshake[];
  cut?: string;
} | null> {
  const index = await builder.finish();
  if (index.runs.length === 0) return null;
  const runs = index.runs.map((r) => {
    const info = ctx.runs.find((x) => x.id === r.run);
    const where =
      info && Object.keys(info.point).length > 0
        ? `${pointLabel(info.point, ctx.sweepPaths)}, seed ${info.seed}`
        : info
          ? `seed ${info.seed}`
          : '';
    return { run: r.run, label: where ? `${r.run}: ${where}` : r.run || 'trace', connections: r.connections };
  });
  const cut =
    index.cutAt === undefined
      ? undefined
      : `The trace holds more connections than the explorer indexes: it shows those seen until ${index.cutAt} s of simulated time.`;
  return { runs, slowest: index.slowest, ...(cut !== undefined ? { cut } : {}) };
}

/**
 * Draws each figure, named `NN-<kind>-<subject>.svg`; the page's entries and the figure files. A
 * figure with outliers traced links them under its caption, and a CDF marks them on its curves in
 * the page's copy (the file stays as it is, for papers).
 */
function drawFigures(
  list: readonly ChartEntry[],
  ctx: Context,
  outliers: ReadonlyMap<number, readonly SlowHandshake[]>,
): { figures: PageFigure[]; files: FigureFile[] } {
  const figures: PageFigure[] = [];
  const files: FigureFile[] = [];
  const names = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const number = i + 1;
    if (!e.ok) {
      figures.push({ number, title: e.what, skipped: e.reason });
      continue;
    }
    const c = e.chart;
    const title = c.title ?? (c.metric ? metricLabel(c.metric).name : describeChart(c));
    let result: ChartResult;
    try {
      result = drawChart(c, ctx);
    } catch (err) {
      // A figure must never take the report down: say what went wrong on the page instead.
      result = skipped(`internal error while drawing (${(err as Error).message})`);
    }
    if (result.kind === 'skipped') {
      figures.push({ number, title, skipped: result.reason });
      continue;
    }
    let file = `${String(number).padStart(2, '0')}-${chartSlug(c)}.svg`;
    if (names.has(file)) file = file.replace(/\.svg$/, `-${number}.svg`);
    names.add(file);
    files.push({ file, svg: result.svg });
    const slow = outliers.get(i);
    let pageSvg = result.svg;
    if (slow && c.kind === 'cdf') {
      const marked = drawChart(c, ctx, cdfMarks(slow));
      if (marked.kind !== 'skipped') pageSvg = marked.svg;
    }
    figures.push({
      number,
      title: result.title,
      file,
      svg: pageSvg,
      caption: result.caption,
      ...(slow ? { links: outlierCaptionLinks(slow) } : {}),
    });
  }
  return { figures, files };
}
