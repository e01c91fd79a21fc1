import { describe, expect, it } from 'vitest';
import { Distribution, round } from '../../src/metrics/distribution.ts';

function summary(values: number[]): Record<string, number | null> {
  const d = new Distribution();
  for (const v of values) d.add(v);
  const out: Record<string, number | null> = {};
  d.summarize('x', out);
  return out;
}

describe('Distribution', () => {
  it('reports count, mean, nearest-rank percentiles and max', () => {
    // 1..100: nearest rank p50 = the 50th value, p90 the 90th, p99 the 99th.
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summary(values)).toEqual({
      'x.count': 100,
      'x.mean': 50.5,
      'x.p50': 50,
      'x.p90': 90,
      'x.p99': 99,
      'x.max': 100,
    });
  });

  it('only ever reports observed values as percentiles: a 1 s step is a step, not an interpolation', () => {
    // 95 handshakes of one RTT and 5 that waited for the 1 s initial RTO.
    const s = summary([...Array(95).fill(22.01), ...Array(5).fill(1022.01)]);
    expect(s['x.p50']).toBe(22.01);
    expect(s['x.p90']).toBe(22.01);
    expect(s['x.p99']).toBe(1022.01);
    expect(s['x.mean']).toBe(72.01);
  });

  it('a single value is every percentile; no values gives count 0 and nulls', () => {
    expect(summary([3])).toEqual({ 'x.count': 1, 'x.mean': 3, 'x.p50': 3, 'x.p90': 3, 'x.p99': 3, 'x.max': 3 });
    expect(summary([])).toEqual({
      'x.count': 0,
      'x.mean': null,
      'x.p50': null,
      'x.p90': null,
      'x.p99': null,
      'x.max': null,
    });
  });

  it('sorts numerically, not as text', () => {
    expect(summary([9, 10, 100, 2])['x.max']).toBe(100);
    expect(summary([9, 10, 100, 2])['x.p50']).toBe(9);
  });

  it('samples every value when few, an evenly strided subset in arrival order when many', () => {
    const d = new Distribution();
    for (let i = 0; i < 10; i++) d.add(i + 0.1234567);
    expect(d.sample(20)).toEqual([
      0.123457, 1.123457, 2.123457, 3.123457, 4.123457, 5.123457, 6.123457, 7.123457, 8.123457, 9.123457,
    ]);
    expect(d.sample(5)).toEqual([0.123457, 2.123457, 4.123457, 6.123457, 8.123457]);
  });

  it('rounds to 6 decimals', () => {
    expect(round(22.010560000000002)).toBe(22.01056);
    expect(round(1 / 3)).toBe(0.333333);
  });
});
