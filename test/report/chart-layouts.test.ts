/**
 * The CDF and bar layouts (cdf-layout.ts, bar-layout.ts) checked as geometry against hand-made
 * data: a CDF climbs to 1 at its largest sample and its heights are the empirical fractions, the
 * x ticks cover the data, an outlier mark sits on its curve; bars run from the baseline to their
 * mean, grouped by x in sweep order, error bars span mean ± CI on the same axis.
 */
import { describe, expect, it } from 'vitest';
import { layoutBars } from '../../src/report/bar-layout.ts';
import { cdfSteps, layoutCdf } from '../../src/report/cdf-layout.ts';
import type { CdfLayout } from '../../src/report/cdf-layout.ts';
import type { SampleRow } from '../../src/report/cdf.ts';
import type { PointInfo } from '../../src/report/points.ts';

const points: PointInfo[] = [
  { key: 'p0', label: 'loss 0', point: { 'topology.loss': 0 }, runIds: ['p0-s1', 'p0-s2'], seeds: [1, 2] },
  { key: 'p1', label: 'loss 0.1', point: { 'topology.loss': 0.1 }, runIds: ['p1-s1'], seeds: [1] },
];

/** 20–53 ms handshakes, and with loss some a retransmission later (1 s, 3 s): over two decades. */
const samples: SampleRow[] = [
  ...[52, 20, 53, 52.5].map((value, i) => ({ run: i % 2 ? 'p0-s2' : 'p0-s1', metric: 'handshake_ms', value })),
  ...[52, 1052, 52, 3052, 53].map((value) => ({ run: 'p1-s1', metric: 'handshake_ms', value })),
  { run: 'p1-s1', metric: 'request_ms', value: 9999 },
];

function laid(logx?: boolean): CdfLayout {
  const l = layoutCdf({ metric: 'handshake_ms', samples, points, logx, marks: [{ run: 'p1-s1', value: 3052, href: '#x', label: 'slowest' }] });
  if ('skip' in l) throw new Error(l.skip);
  return l;
}

describe('CDF layout', () => {
  it('steps to i/n at each sample, equal samples in one step, and ends at F = 1 at the largest sample', () => {
    expect(cdfSteps([52, 52, 53, 1052])).toEqual([[52, 0], [52, 0.5], [53, 0.75], [1052, 1]]);
    for (const logx of [true, false]) {
      const l = laid(logx);
      expect(l.curves.map((c) => c.sorted.length)).toEqual([4, 5]);
      for (const c of l.curves) {
        expect(c.steps.at(-1)).toEqual([c.sorted.at(-1), 1]);
        // Every corner's height is its fraction on the one y scale: 0 at the bottom, 1 at the top.
        c.steps.forEach(([, f], i) => expect(c.path[i]![1]).toBeCloseTo(l.plot.bottom - f * (l.plot.bottom - l.plot.top), 9));
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
    for (const decade of [10, 100, 1000]) expect(major.some((v) => v >= decade && v < decade * 10), String(decade)).toBe(true);
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
    { point: { 'apps.rate': 10, 'tcp.synCookies': 'off' }, metrics: { 'syn_queue.drops': { mean: 4, ci95: 1, min: 3, max: 5, n: 3 } } },
    { point: { 'apps.rate': 10, 'tcp.synCookies': 'on' }, metrics: { 'syn_queue.drops': { mean: 0, ci95: 0, min: 0, max: 0, n: 3 } } },
    { point: { 'apps.rate': 100, 'tcp.synCookies': 'off' }, metrics: { 'syn_queue.drops': { mean: 40, ci95: 6, min: 30, max: 50, n: 3 } } },
    { point: { 'apps.rate': 100, 'tcp.synCookies': 'on' }, metrics: { 'syn_queue.drops': { mean: 2, ci95: 0, min: 2, max: 2, n: 3 } } },
  ];
  const input = { x: 'apps.rate', y: 'syn_queue.drops', series: 'tcp.synCookies', aggregate: agg, sweepPaths: ['apps.rate', 'tcp.synCookies'], sweepValues: {} };

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
      const a = off!.bars[k]!, b = on!.bars[k]!;
      expect(a.x + a.width).toBeLessThanOrEqual(b.x);
      expect((a.x + b.x + b.width) / 2).toBeCloseTo(l.xTicks[k]!.pos, 6);
    }
    for (const b of l.series.flatMap((s) => s.bars)) {
      expect(b.x).toBeGreaterThanOrEqual(l.plot.left);
      expect(b.x + b.width).toBeLessThanOrEqual(l.plot.right);
      expect(b.y).toBeGreaterThanOrEqual(l.plot.top);
    }
  });

  it('spans mean ± CI with the error bar, on the bars\' axis, and only where the CI is not zero', () => {
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
