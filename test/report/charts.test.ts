/**
 * The x/y figures on the syn-flood fixture (8 sweep points × 3 seeds): each is well-formed SVG
 * with a viewBox, axis ticks, one path per series, legend entries, error bars or bands as drawn,
 * colours from the Okabe–Ito palette and no text under 11 px.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { barChart } from '../../src/report/bar.ts';
import { cdfChart } from '../../src/report/cdf.ts';
import type { ChartResult, Figure } from '../../src/report/figure.ts';
import { listPoints } from '../../src/report/points.ts';
import { statesChart } from '../../src/report/states.ts';
import { sweepChart } from '../../src/report/sweep.ts';
import { SERIES_COLORS } from '../../src/report/theme.ts';
import { timeseriesChart } from '../../src/report/timeseries.ts';
import { loadFixture } from './fixture-data.ts';
import type { FixtureData } from './fixture-data.ts';
import { byClass, findAll, parseXml, texts } from './xml.ts';
import type { XmlElement } from './xml.ts';

let flood: FixtureData;
beforeAll(async () => {
  flood = await loadFixture('syn-flood');
});

function drawn(r: ChartResult): Figure {
  if (r.kind !== 'figure') throw new Error(`chart skipped: ${r.reason}`);
  return r;
}

/** Parses the SVG and checks what every figure must have. */
function checkFigure(r: ChartResult): XmlElement {
  const f = drawn(r);
  const svg = parseXml(f.svg);
  expect(svg.name).toBe('svg');
  expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(svg.attrs.viewBox).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
  expect(findAll(svg, (e) => e.name === 'title').length).toBeGreaterThan(0);
  for (const e of findAll(svg, (x) => x.attrs['font-size'] !== undefined)) {
    expect(Number(e.attrs['font-size'])).toBeGreaterThanOrEqual(11);
  }
  expect(f.caption.length).toBeGreaterThan(40);
  return svg;
}

/** Tick labels of an axis group. */
function axisTexts(svg: XmlElement, axis: 'x-axis' | 'y-axis'): string[] {
  return texts(byClass(svg, axis)[0]!);
}

describe('time series', () => {
  it('draws one mean line and one min–max band per sweep point, with legend and ticks', () => {
    const svg = checkFigure(
      timeseriesChart({
        metric: 'syn_queue',
        rows: flood.timeseries,
        points: flood.points,
        title: 'SYN queue occupancy',
      }),
    );
    expect(byClass(svg, 'series')).toHaveLength(8);
    expect(byClass(svg, 'band')).toHaveLength(8);
    expect(byClass(svg, 'legend-item')).toHaveLength(8);
    expect(texts(byClass(svg, 'legend')[0]!)).toContain('SYN flood rate 1,000/s, SYN cookies on');
    expect(axisTexts(svg, 'y-axis')).toEqual(['0', '20', '40', '60', '80', '100', '120', '140']);
    expect(axisTexts(svg, 'x-axis')).toContain('10');
    expect(texts(svg)).toContain('SYN queue (entries)');
    expect(texts(svg)).toContain('Simulated time (s)');
    expect(texts(svg)).toContain('mean of 3 seeds · band: min–max · summed over nodes');
    for (const p of byClass(svg, 'series')) expect(SERIES_COLORS as readonly string[]).toContain(p.attrs.stroke);
  });

  it('sums over nodes unless one node is asked for', () => {
    const runs = [
      { id: 'p0-s1', point: {}, seed: 1 },
      { id: 'p0-s2', point: {}, seed: 2 },
    ];
    const rows = runs.flatMap((r) =>
      [0, 1, 2].flatMap((t) => [
        { run: r.id, t_s: t, node: 'client1', metric: 'time_wait', value: 10 },
        { run: r.id, t_s: t, node: 'client2', metric: 'time_wait', value: 20 },
      ]),
    );
    const points = listPoints(runs, []);
    const sum = checkFigure(timeseriesChart({ metric: 'time_wait', rows, points }));
    expect(axisTexts(sum, 'y-axis').at(-1)).toBe('30');
    const one = checkFigure(timeseriesChart({ metric: 'time_wait', rows, points, node: 'client1' }));
    expect(axisTexts(one, 'y-axis').at(-1)).toBe('10');
    expect(texts(one).join(' ')).toContain('node client1');
    // One series without a sweep: no legend needed.
    expect(byClass(one, 'legend-item')).toHaveLength(0);
  });

  it('can draw the band as a 95 % confidence interval', () => {
    const svg = checkFigure(
      timeseriesChart({ metric: 'time_wait', rows: flood.timeseries, points: flood.points, band: 'ci95' }),
    );
    expect(texts(svg).join(' ')).toContain('band: 95 % CI');
    expect(byClass(svg, 'band')).toHaveLength(8);
  });

  it('on a log axis draws zeros at a 0 tick under a break, not at the smallest positive value', () => {
    const runs = [{ id: 'p0-s1', point: {}, seed: 1 }];
    const rows = [0, 10, 100, 1000].map((value, t) => ({
      run: 'p0-s1',
      t_s: t,
      node: 'server',
      metric: 'syn_queue',
      value,
    }));
    const f = drawn(timeseriesChart({ metric: 'syn_queue', rows, points: listPoints(runs, []), logy: true }));
    const svg = checkFigure(f);
    const yAxis = byClass(svg, 'y-axis')[0]!;
    expect(texts(yAxis)).toEqual(['10', '20', '50', '100', '200', '500', '1,000', '0']);
    expect(findAll(yAxis, (e) => e.attrs.class === 'axis-break')).toHaveLength(1);
    const tickY = (label: string): number =>
      Number(findAll(yAxis, (e) => e.name === 'text' && e.children.join('') === label)[0]!.attrs.y) - 4;
    const first = byClass(svg, 'series')[0]!
      .attrs.d!.slice(1)
      .split('L')
      .map((p) => Number(p.split(',')[1]));
    expect(first[0]).toBeCloseTo(tickY('0'), 1);
    expect(first[1]).toBeCloseTo(tickY('10'), 1);
    expect(first[0]! - first[1]!).toBeGreaterThan(15);
    expect(f.caption).toContain('zero sits below its break');
  });

  it('with until draws the first stretch only, its axis ending there, and says how much of the run it shows', () => {
    const runs = [{ id: 'p0-s1', point: {}, seed: 1 }];
    const rows = Array.from({ length: 31 }, (_, t) => ({
      run: 'p0-s1',
      t_s: t,
      node: 'client',
      metric: 'cwnd',
      value: t < 4 ? 14480 * (t + 1) : 0,
    }));
    const f = drawn(timeseriesChart({ metric: 'cwnd', rows, points: listPoints(runs, []), until: 5 }));
    const svg = checkFigure(f);
    expect(Number(axisTexts(svg, 'x-axis').at(-1))).toBe(5);
    expect(axisTexts(svg, 'x-axis')).not.toContain('10');
    // 0 … 5 s: six points on the line.
    expect(byClass(svg, 'series')[0]!.attrs.d!.split('L')).toHaveLength(6);
    expect(f.caption).toContain('Shown for the first 5 s of 30 s.');
    expect(texts(svg)).toContain('Congestion window (bytes)');
    const whole = drawn(timeseriesChart({ metric: 'cwnd', rows, points: listPoints(runs, []) }));
    expect(whole.caption).not.toContain('Shown for the first');
  });

  it('is skipped, not drawn empty, when the metric has no samples', () => {
    const r = timeseriesChart({ metric: 'cwnd', rows: flood.timeseries, points: flood.points });
    expect(r.kind).toBe('skipped');
    expect(r.kind === 'skipped' && r.reason).toContain('cwnd');
  });
});

describe('CDF', () => {
  it('draws one step curve per sweep point on a log axis when samples span decades', () => {
    const svg = checkFigure(cdfChart({ metric: 'handshake_ms', samples: flood.samples, points: flood.points }));
    const curves = byClass(svg, 'series');
    expect(curves).toHaveLength(8);
    // A step curve: every move is horizontal or vertical, and it climbs from 0 to 1.
    for (const c of curves) {
      const pts = c.attrs
        .d!.slice(1)
        .split('L')
        .map((p) => p.split(',').map(Number) as [number, number]);
      for (let i = 1; i < pts.length; i++) {
        expect(pts[i]![0] === pts[i - 1]![0] || pts[i]![1] === pts[i - 1]![1]).toBe(true);
      }
      expect(pts[0]![1]).toBeGreaterThan(pts.at(-1)![1]);
    }
    expect(texts(svg)).toContain('Handshake time (ms)');
    expect(texts(svg).join(' ')).toContain('log scale');
    expect(axisTexts(svg, 'x-axis')).toEqual(expect.arrayContaining(['100', '1,000', '10,000']));
    expect(axisTexts(svg, 'y-axis')).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(byClass(svg, 'legend-item')).toHaveLength(8);
  });

  it('uses a linear axis when told to', () => {
    const svg = checkFigure(
      cdfChart({ metric: 'handshake_ms', samples: flood.samples, points: flood.points, logx: false }),
    );
    expect(texts(svg).join(' ')).not.toContain('log scale');
    expect(axisTexts(svg, 'x-axis')).toContain('0');
  });

  it('is skipped without samples of the metric', () => {
    expect(cdfChart({ metric: 'page_ms', samples: flood.samples, points: flood.points }).kind).toBe('skipped');
  });
});

describe('sweep plot', () => {
  const input = (): Parameters<typeof sweepChart>[0] => ({
    x: 'apps.flood.rate',
    y: 'connections.success_ratio',
    series: 'tcp.synCookies',
    aggregate: flood.summary.aggregate,
    runs: flood.summary.runs,
    sweepPaths: flood.sweepPaths,
    sweepValues: flood.sweepValues,
  });

  it('draws mean markers with 95 % CI error bars per series, on a log x with zero set apart', () => {
    const svg = checkFigure(sweepChart(input()));
    expect(byClass(svg, 'sweep-series')).toHaveLength(2);
    expect(byClass(svg, 'marker')).toHaveLength(8);
    // Cells with a non-zero CI get an error bar: seeds differ under flood without cookies.
    const withCi = flood.summary.aggregate.filter((a) => a.metrics['connections.success_ratio']!.ci95 > 0).length;
    expect(withCi).toBeGreaterThan(2);
    expect(byClass(svg, 'errorbar')).toHaveLength(withCi);
    expect(axisTexts(svg, 'x-axis')).toEqual(['0', '100', '1,000', '10,000']);
    expect(byClass(svg, 'axis-break')).toHaveLength(1);
    expect(axisTexts(svg, 'y-axis')).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['SYN cookies:', 'Off', 'On', 'SYN flood rate (per s)', 'Connection success ratio (0–1)']),
    );
    expect(texts(svg).join(' ')).toContain('mean ± 95 % CI over 3 seeds per point');
  });

  it('treats non-numeric x as categories in sweep order, without a log axis', () => {
    const svg = checkFigure(sweepChart({ ...input(), x: 'tcp.synCookies', series: 'apps.flood.rate' }));
    expect(axisTexts(svg, 'x-axis')).toEqual(['off', 'on']);
    expect(byClass(svg, 'axis-break')).toHaveLength(0);
    expect(byClass(svg, 'sweep-series')).toHaveLength(4);
  });

  it('uses a linear x when values do not span decades, and log y when asked', () => {
    const agg = [1, 2, 3].map((v) => ({
      point: { 'tcp.backlog': v },
      metrics: { 'handshake_ms.mean': { mean: 10 * v, ci95: v, min: 9 * v, max: 11 * v, n: 3 } },
    }));
    const svg = checkFigure(
      sweepChart({
        x: 'tcp.backlog',
        y: 'handshake_ms.mean',
        aggregate: agg,
        sweepPaths: ['tcp.backlog'],
        sweepValues: {},
        logy: true,
      }),
    );
    expect(byClass(svg, 'axis-break')).toHaveLength(0);
    expect(axisTexts(svg, 'x-axis')).toContain('2');
    expect(texts(svg).join(' ')).toContain('log y');
    expect(byClass(svg, 'errorbar')).toHaveLength(3);
    expect(byClass(svg, 'series')).toHaveLength(1);
  });

  it('cuts error bars of a quantity that cannot be negative at 0, and says so', () => {
    // HTTP/2 head-of-line delay over 8 seeds: a mean of 2 ms with a CI of ±5 ms.
    const agg = [0, 0.02, 0.05].map((v, i) => ({
      point: { 'topology.loss': v },
      metrics: { 'hol_ms.mean': { mean: 2 * i, ci95: 5 * i, min: 0, max: 20 * i, n: 8 } },
    }));
    const f = drawn(
      sweepChart({
        x: 'topology.loss',
        y: 'hol_ms.mean',
        aggregate: agg,
        sweepPaths: ['topology.loss'],
        sweepValues: {},
      }),
    );
    const svg = checkFigure(f);
    expect(axisTexts(svg, 'y-axis').every((t) => !t.startsWith('−') && !t.startsWith('-'))).toBe(true);
    expect(f.caption).toContain('cut at 0');
    // A metric with a negative mean keeps its full interval and no note.
    const signed = agg.map((a) => ({
      ...a,
      metrics: { 'hol_ms.mean': { ...a.metrics['hol_ms.mean'], mean: a.metrics['hol_ms.mean'].mean - 3 } },
    }));
    const g = drawn(
      sweepChart({
        x: 'topology.loss',
        y: 'hol_ms.mean',
        aggregate: signed,
        sweepPaths: ['topology.loss'],
        sweepValues: {},
      }),
    );
    expect(g.caption).not.toContain('cut at 0');
    expect(axisTexts(parseXml(g.svg), 'y-axis').some((t) => t.startsWith('−') || t.startsWith('-'))).toBe(true);
  });

  it('is skipped when the metric is not in the results', () => {
    expect(sweepChart({ ...input(), y: 'no.such_metric' }).kind).toBe('skipped');
  });
});

describe('bar chart', () => {
  it('groups bars by x with one bar per series and CI error bars', () => {
    const svg = checkFigure(
      barChart({
        x: 'apps.flood.rate',
        y: 'syn_queue.drops',
        series: 'tcp.synCookies',
        aggregate: flood.summary.aggregate,
        sweepPaths: flood.sweepPaths,
        sweepValues: flood.sweepValues,
      }),
    );
    expect(byClass(svg, 'bar')).toHaveLength(8);
    expect(byClass(svg, 'bar-series')).toHaveLength(2);
    expect(axisTexts(svg, 'x-axis')).toEqual(['0/s', '100/s', '1,000/s', '10,000/s']);
    expect(byClass(svg, 'legend-item')).toHaveLength(2);
    expect(byClass(svg, 'errorbar').length).toBeGreaterThan(0);
    const fills = new Set(byClass(svg, 'bar').map((b) => b.attrs.fill));
    expect([...fills]).toEqual([SERIES_COLORS[0], SERIES_COLORS[1]]);
  });
});

describe('state timeline', () => {
  it('draws one row per socket with a bar per state held', () => {
    const svg = checkFigure(statesChart({ records: flood.trace, run: 'p0-s1' }));
    expect(byClass(svg, 'state-row')).toHaveLength(8);
    const states = byClass(svg, 'state-bar').map(
      (b) => texts(b)[0] ?? findAll(b, (e) => e.name === 'title').map((t) => t.children.join(''))[0],
    );
    expect(states.some((s) => s?.startsWith('TIME_WAIT'))).toBe(true);
    const legend = texts(byClass(svg, 'legend')[0]!);
    expect(legend).toEqual([
      'SYN_SENT',
      'SYN_RCVD',
      'ESTABLISHED',
      'FIN_WAIT_1',
      'CLOSE_WAIT',
      'LAST_ACK',
      'TIME_WAIT',
    ]);
    // FIN_WAIT_2 is passed through in an instant (FIN+ACK acks the FIN): no bar, no legend entry.
    expect(legend).not.toContain('FIN_WAIT_2');
    expect(axisTexts(svg, 'y-axis')[0]).toBe('client1 10.0.0.1:40001 → 10.0.0.5:80');
    expect(axisTexts(svg, 'y-axis')[1]).toBe('server 10.0.0.5:80 → 10.0.0.1:40001');
  });

  it('keeps to one node when asked, and is skipped without state records', () => {
    const svg = checkFigure(statesChart({ records: flood.trace, node: 'server' }));
    expect(byClass(svg, 'state-row')).toHaveLength(4);
    expect(statesChart({ records: flood.trace.filter((r) => r.ev !== 'state') }).kind).toBe('skipped');
  });
});
