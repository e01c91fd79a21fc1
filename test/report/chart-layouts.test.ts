/**
 * The chart layouts (cdf-, bar-, sweep-, timeseries-layout.ts, layoutStates) checked as geometry
 * against hand-made data: a CDF climbs to 1 at its largest sample and its heights are the
 * empirical fractions, the x ticks cover the data, an outlier mark sits on its curve; bars run from
 * the baseline to their mean, grouped by x in sweep order, error bars span mean ± CI on the same
 * axis; sweep means sit at their values (log x keeps ratios, zero apart); a time series' line is
 * the mean of the per-run sums with its band across seeds; a state bar spans its state's time.
 */
import { describe, expect, it } from 'vitest';
import { layoutBars } from '../../src/report/bar-layout.ts';
import { cdfSteps, layoutCdf } from '../../src/report/cdf-layout.ts';
import type { CdfLayout } from '../../src/report/cdf-layout.ts';
import type { CdfChartInput } from '../../src/report/cdf.ts';
import { listPoints } from '../../src/report/points.ts';
import type { PointInfo } from '../../src/report/points.ts';
import { layoutStates } from '../../src/report/states.ts';
import { layoutSweep } from '../../src/report/sweep-layout.ts';
import { layoutTimeseries } from '../../src/report/timeseries-layout.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';

const points: PointInfo[] = [
  { key: 'p0', label: 'loss 0', point: { 'topology.loss': 0 }, runIds: ['p0-s1', 'p0-s2'], seeds: [1, 2] },
  { key: 'p1', label: 'loss 0.1', point: { 'topology.loss': 0.1 }, runIds: ['p1-s1'], seeds: [1] },
];

/** 20–53 ms handshakes, and with loss some a retransmission later (1 s, 3 s): over two decades. */
const samples: CdfChartInput['samples'] = [
  ...[52, 20, 53, 52.5].map((value, i) => ({ run: i % 2 ? 'p0-s2' : 'p0-s1', metric: 'handshake_ms', value })),
  ...[52, 1052, 52, 3052, 53].map((value) => ({ run: 'p1-s1', metric: 'handshake_ms', value })),
  { run: 'p1-s1', metric: 'request_ms', value: 9999 },
];

function laid(logx?: boolean): CdfLayout {
  const l = layoutCdf({
    metric: 'handshake_ms',
    samples,
    points,
    logx,
    marks: [{ run: 'p1-s1', value: 3052, href: '#x', label: 'slowest' }],
  });
  if ('skip' in l) throw new Error(l.skip);
  return l;
}

describe('CDF layout', () => {
  it('steps to i/n at each sample, equal samples in one step, and ends at F = 1 at the largest sample', () => {
    expect(cdfSteps([52, 52, 53, 1052])).toEqual([
      [52, 0],
      [52, 0.5],
      [53, 0.75],
      [1052, 1],
    ]);
    for (const logx of [true, false]) {
      const l = laid(logx);
      expect(l.curves.map((c) => c.sorted.length)).toEqual([4, 5]);
      for (const c of l.curves) {
        expect(c.steps.at(-1)).toEqual([c.sorted.at(-1), 1]);
        // Every corner's height is its fraction on the one y scale: 0 at the bottom, 1 at the top.
        c.steps.forEach(([, f], i) =>
          expect(c.path[i]![1]).toBeCloseTo(l.plot.bottom - f * (l.plot.bottom - l.plot.top), 9),
        );
        // Then the curve runs on at 1 to the right edge.
        expect(c.path.at(-1)).toEqual([l.plot.right, l.plot.top]);
      }
    }
  });

  it('keeps x in data order and every corner inside the plot', () => {
    for (const logx of [true, false]) {
      const l = laid(logx);
      for (const c of l.curves) {
        for (let i = 1; i < c.steps.length; i++) expect(c.path[i]![0]).toBeGreaterThanOrEqual(c.path[i - 1]![0]);
        for (const [x, y] of c.path) {
          expect(x).toBeGreaterThanOrEqual(l.plot.left);
          expect(x).toBeLessThanOrEqual(l.plot.right);
          expect(y).toBeGreaterThanOrEqual(l.plot.top);
          expect(y).toBeLessThanOrEqual(l.plot.bottom);
        }
      }
    }
  });

  it('chooses a log x for samples spanning decades, with a labelled tick in every decade the data reaches', () => {
    const l = laid();
    expect(l.logx).toBe(true);
    const major = l.xTicks.filter((t) => !t.minor).map((t) => Number(t.label.replace(/,/g, '')));
    // 20 ms to 3052 ms: a labelled tick among the tens, the hundreds and the thousands.
    for (const decade of [10, 100, 1000])
      expect(
        major.some((v) => v >= decade && v < decade * 10),
        String(decade),
      ).toBe(true);
    for (const t of l.xTicks) {
      expect(t.pos).toBeGreaterThanOrEqual(l.plot.left - 1e-9);
      expect(t.pos).toBeLessThanOrEqual(l.plot.right + 1e-9);
    }
  });

  it('on a linear x ticks from 0 to at least the largest sample', () => {
    const l = laid(false);
    const values = l.xTicks.map((t) => Number(t.label.replace(/,/g, '')));
    expect(values[0]).toBe(0);
    expect(values.at(-1)).toBeGreaterThanOrEqual(3052);
    expect(l.xTicks[0]!.pos).toBe(l.plot.left);
    expect(l.yTicks.map((t) => t.label)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });

  it('puts an outlier mark on its curve: at its value, at the height F reaches there', () => {
    const l = laid(false);
    const [mark] = l.marks;
    const curve = l.curves[1]!;
    const corner = curve.path[curve.steps.findIndex(([v]) => v === 3052)]!;
    expect(mark).toMatchObject({ index: 1, href: '#x' });
    expect(mark!.cx).toBeCloseTo(corner[0], 9);
    expect(mark!.cy).toBeCloseTo(l.plot.top, 9);
  });

  it('says why when there is nothing to draw', () => {
    expect(layoutCdf({ metric: 'page_ms', samples, points })).toEqual({ skip: 'no "page_ms" samples in samples.csv' });
  });
});

describe('bar layout', () => {
  const agg = [
    {
      point: { 'apps.rate': 10, 'tcp.synCookies': 'off' },
      metrics: { 'syn_queue.drops': { mean: 4, ci95: 1, min: 3, max: 5, n: 3 } },
    },
    {
      point: { 'apps.rate': 10, 'tcp.synCookies': 'on' },
      metrics: { 'syn_queue.drops': { mean: 0, ci95: 0, min: 0, max: 0, n: 3 } },
    },
    {
      point: { 'apps.rate': 100, 'tcp.synCookies': 'off' },
      metrics: { 'syn_queue.drops': { mean: 40, ci95: 6, min: 30, max: 50, n: 3 } },
    },
    {
      point: { 'apps.rate': 100, 'tcp.synCookies': 'on' },
      metrics: { 'syn_queue.drops': { mean: 2, ci95: 0, min: 2, max: 2, n: 3 } },
    },
  ];
  const input = {
    x: 'apps.rate',
    y: 'syn_queue.drops',
    series: 'tcp.synCookies',
    aggregate: agg,
    sweepPaths: ['apps.rate', 'tcp.synCookies'],
    sweepValues: {},
  };

  it('draws each bar from the baseline to its mean, heights in proportion to the means', () => {
    const l = layoutBars(input)!;
    const bars = l.series.flatMap((s) => s.bars);
    expect(bars).toHaveLength(4);
    const base = l.yAxis.pos(0);
    expect(base).toBe(l.plot.bottom);
    const off = l.series[0]!.bars;
    for (const b of off) expect(b.y + b.height).toBeCloseTo(base, 9);
    expect(off[1]!.height / off[0]!.height).toBeCloseTo(10, 9);
    // A zero mean still shows as a hairline on the baseline.
    expect(l.series[1]!.bars[0]!.height).toBe(0.5);
  });

  it('groups by x in sweep order, the series side by side inside the group, within the plot', () => {
    const l = layoutBars(input)!;
    expect(l.xTicks.map((t) => t.label)).toEqual(['10', '100']);
    const [off, on] = l.series;
    for (const k of [0, 1]) {
      const a = off!.bars[k]!,
        b = on!.bars[k]!;
      expect(a.x + a.width).toBeLessThanOrEqual(b.x);
      expect((a.x + b.x + b.width) / 2).toBeCloseTo(l.xTicks[k]!.pos, 6);
    }
    for (const b of l.series.flatMap((s) => s.bars)) {
      expect(b.x).toBeGreaterThanOrEqual(l.plot.left);
      expect(b.x + b.width).toBeLessThanOrEqual(l.plot.right);
      expect(b.y).toBeGreaterThanOrEqual(l.plot.top);
    }
  });

  it("spans mean ± CI with the error bar, on the bars' axis, and only where the CI is not zero", () => {
    const l = layoutBars(input)!;
    const [b10, b100] = l.series[0]!.bars;
    expect(b10!.error).toMatchObject({ y0: l.yAxis.pos(3), y1: l.yAxis.pos(5), x: b10!.x + b10!.width / 2 });
    expect(b100!.error).toMatchObject({ y0: l.yAxis.pos(34), y1: l.yAxis.pos(46) });
    expect(l.series[1]!.bars.map((b) => b.error)).toEqual([null, null]);
    // The y ticks reach the top of the highest error bar.
    const top = Math.max(...l.yTicks.map((t) => Number(t.label.replace(/,/g, ''))));
    expect(top).toBeGreaterThanOrEqual(46);
  });

  it('lays nothing out when the metric is not in the results', () => {
    expect(layoutBars({ ...input, y: 'no.such_metric' })).toBeNull();
  });
});

describe('sweep layout', () => {
  // Handshake time against latency for two loss rates, with a zero latency on the log x.
  const agg = [0, 1, 10, 100].flatMap((lat) =>
    [0, 0.1].map((loss) => ({
      point: { 'topology.latency': lat, 'topology.loss': loss },
      metrics: { 'handshake_ms.mean': { mean: 2 * lat + 1 + loss * 1000, ci95: loss * 200, min: 0, max: 0, n: 3 } },
    })),
  );
  const input = {
    x: 'topology.latency',
    y: 'handshake_ms.mean',
    series: 'topology.loss',
    aggregate: agg,
    sweepPaths: ['topology.latency', 'topology.loss'],
    sweepValues: {},
  };

  it('places each mean at its value on the y axis and its x value on a log axis, zero set apart left of a break', () => {
    const l = layoutSweep(input)!;
    expect(l.x.log).toBe(true);
    expect(l.x.breaks).toHaveLength(1);
    const [lossless] = l.series;
    expect(lossless!.points.map((p) => p.y)).toEqual([1, 3, 21, 201].map((v) => l.yAxis.pos(v)));
    const xs = lossless!.points.map((p) => p.x);
    expect(xs[0]).toBeLessThan(l.x.breaks[0]!);
    expect(xs.slice(1).every((x) => x > l.x.breaks[0]!)).toBe(true);
    // Equal ratios, equal distances: 1 → 10 as long as 10 → 100.
    expect(xs[2]! - xs[1]!).toBeCloseTo(xs[3]! - xs[2]!, 9);
  });

  it('dodges series a few px apart, joins means of a mean metric, and spans mean ± CI with error bars', () => {
    const l = layoutSweep(input)!;
    const [a, b] = l.series;
    a!.points.forEach((p, i) => expect(b!.points[i]!.x - p.x).toBeCloseTo(5, 9));
    expect(a!.line).toEqual(a!.points.map((p) => [p.x, p.y]));
    expect(a!.points.every((p) => p.error === null)).toBe(true);
    expect(b!.points[1]!.error).toEqual({ y0: l.yAxis.pos(103 - 20), y1: l.yAxis.pos(103 + 20) });
    const ticks = l.yAxis
      .ticks()
      .filter((t) => !t.minor)
      .map((t) => Number(t.label.replace(/,/g, '')));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(301 + 20);
  });

  it('does not join percentiles: a line between two would show values no run had', () => {
    const p99 = agg.map((r) => ({ ...r, metrics: { 'handshake_ms.p99': r.metrics['handshake_ms.mean'] } }));
    const l = layoutSweep({ ...input, y: 'handshake_ms.p99', aggregate: p99 })!;
    expect(l.joined).toBe(false);
    expect(l.series.map((s) => s.line)).toEqual([null, null]);
  });
});

describe('time series layout', () => {
  const runs = [
    { id: 'p0-s1', point: {}, seed: 1 },
    { id: 'p0-s2', point: {}, seed: 2 },
  ];
  // Two seeds, two nodes each: the line is the mean of the per-run sums, the band their min–max.
  const rows = runs.flatMap((r, k) =>
    [0, 1, 2, 3].flatMap((t) => [
      { run: r.id, t_s: t, node: 'c1', metric: 'time_wait', value: 10 * t + k * 4 },
      { run: r.id, t_s: t, node: 'c2', metric: 'time_wait', value: 5 },
    ]),
  );

  it('draws the mean of the per-run sums at each sample time, the band across seeds around it', () => {
    const l = layoutTimeseries({ metric: 'time_wait', rows, points: listPoints(runs, []) })!;
    const [s] = l.drawn;
    expect(l.series[0]!.mean).toEqual([7, 17, 27, 37]);
    expect(s!.line.map(([, y]) => y)).toEqual([7, 17, 27, 37].map((v) => l.yAxis.pos(v)));
    expect(s!.band!.map(([, lo, hi]) => [lo, hi])).toEqual(
      [5, 15, 25, 35].map((v) => [l.yAxis.pos(v), l.yAxis.pos(v + 4)]),
    );
    // Time runs from the left edge to the right at one scale.
    const xs = s!.line.map(([x]) => x);
    expect(xs[0]).toBe(l.plot.left);
    expect(xs[3]).toBe(l.plot.right);
    expect(xs[2]! - xs[1]!).toBeCloseTo(xs[1]! - xs[0]!, 9);
    const top = Math.max(...l.yAxis.ticks().map((t) => Number(t.label)));
    expect(top).toBeGreaterThanOrEqual(39);
  });

  it('puts a reference line at its value on the same axis, and the axis reaches it', () => {
    const l = layoutTimeseries({
      metric: 'time_wait',
      rows,
      points: listPoints(runs, []),
      reference: { value: 128, label: 'capacity' },
    })!;
    expect(l.reference).toEqual({ y: l.yAxis.pos(128), label: 'capacity' });
    expect(l.reference!.y).toBeGreaterThanOrEqual(l.plot.top);
  });

  it('lays nothing out without samples of the metric', () => {
    expect(layoutTimeseries({ metric: 'cwnd', rows, points: listPoints(runs, []) })).toBeNull();
  });
});

describe('state timeline layout', () => {
  const conn = '10.0.0.1:40000>10.0.0.2:80';
  const records = [
    { t: 0, node: 'client', ev: 'state', conn, from: 'CLOSED', to: 'SYN_SENT' },
    { t: 0.05, node: 'client', ev: 'state', conn, from: 'SYN_SENT', to: 'ESTABLISHED' },
    { t: 0.1, node: 'client', ev: 'state', conn, from: 'ESTABLISHED', to: 'FIN_WAIT_1' },
    { t: 0.15, node: 'client', ev: 'state', conn, from: 'FIN_WAIT_1', to: 'TIME_WAIT' },
    { t: 60.15, node: 'client', ev: 'state', conn, from: 'TIME_WAIT', to: 'CLOSED' },
  ] satisfies TraceEvent[];

  it('gives each state a bar from its change to the next, in time order, and cuts the 60 s of TIME-WAIT', () => {
    const l = layoutStates({ records });
    if ('skip' in l) throw new Error(l.skip);
    expect(l.bars.map((b) => [b.state, b.t0, b.t1])).toEqual([
      ['SYN_SENT', 0, 0.05],
      ['ESTABLISHED', 0.05, 0.1],
      ['FIN_WAIT_1', 0.1, 0.15],
      ['TIME_WAIT', 0.15, 60.15],
    ]);
    for (const b of l.bars) {
      expect(b.x0).toBeCloseTo(l.xs.x(b.t0), 9);
      expect(b.x1).toBeCloseTo(l.xs.x(b.t1), 9);
    }
    // Equal durations, equal widths (no cut between them).
    expect(l.bars[1]!.x1 - l.bars[1]!.x0).toBeCloseTo(l.bars[0]!.x1 - l.bars[0]!.x0, 9);
    expect(l.xs.cuts).toHaveLength(1);
    expect(l.cutLabels[0]!.label).toMatch(/cut$/);
    expect(l.rows).toHaveLength(1);
    expect(l.yTicks[0]!.pos).toBeCloseTo(l.rows[0]!.y + l.rows[0]!.height / 2, 9);
  });

  it('says why when there are no state records', () => {
    expect(layoutStates({ records: [] })).toEqual({ skip: 'no state records in the trace' });
  });
});
