import { describe, expect, it } from 'vitest';
import { aggregateRuns } from '../../src/experiment/aggregate.ts';
import { studentT975, summarize } from '../../src/metrics/statistics.ts';
import { canonicalJson, csvCell, csvLine, formatNumber, stableJson } from '../../src/experiment/csv.ts';

describe('Student t quantiles (two-sided 95 %)', () => {
  it('match the published table', () => {
    // t(0.975, df) from any statistics table (e.g. NIST/SEMATECH e-Handbook, 1.3.6.7.2).
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [9, 2.262],
      [10, 2.228],
      [29, 2.045],
      [100, 1.984],
    ];
    for (const [df, t] of table) expect(studentT975(df)).toBeCloseTo(t, 3);
    expect(studentT975(1)).toBeCloseTo(12.7062047361747, 9);
    expect(studentT975(1e7)).toBeCloseTo(1.959964, 5);
  });
});

describe('summarize', () => {
  it('mean, ci95 = t(n-1)·s/√n, min, max, n, computed by hand', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7, t(0.975, 7) = 2.364624.
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9])!;
    expect(s.mean).toBe(5);
    expect(s.ci95).toBeCloseTo((2.364624252 * Math.sqrt(32 / 7)) / Math.sqrt(8), 6);
    expect(s.ci95).toBeCloseTo(1.787488, 5);
    expect(s).toMatchObject({ min: 2, max: 9, n: 8 });
    // 1, 2, 3, 4: s = √(5/3), t(3) = 3.182446 → 2.054260.
    expect(summarize([1, 2, 3, 4])!.ci95).toBeCloseTo(2.05426, 5);
  });

  it('one value has no spread (ci95 0); no finite value gives null', () => {
    expect(summarize([3.5])).toEqual({ mean: 3.5, ci95: 0, min: 3.5, max: 3.5, n: 1 });
    expect(summarize([NaN, Infinity])).toBeNull();
    expect(summarize([1, NaN, 3])).toMatchObject({ mean: 2, n: 2 });
  });
});

describe('aggregateRuns', () => {
  it('groups by point in order of appearance, skips text and null values, sorts metric names', () => {
    const rows = aggregateRuns([
      { pointIndex: 1, point: { rate: 20 }, metrics: { z: 1, a: 10, peak: 'server' } },
      { pointIndex: 0, point: { rate: 10 }, metrics: { z: 2, a: null } },
      { pointIndex: 1, point: { rate: 20 }, metrics: { z: 3, a: 20, peak: 'client1' } },
    ]);
    expect(rows.map((r) => r.point)).toEqual([{ rate: 20 }, { rate: 10 }]);
    expect(Object.keys(rows[0]!.metrics)).toEqual(['a', 'z']);
    expect(rows[0]!.metrics.a).toMatchObject({ mean: 15, min: 10, max: 20, n: 2 });
    expect(rows[0]!.metrics.a!.ci95).toBeCloseTo(12.7062047 * (Math.sqrt(50) / Math.sqrt(2)), 5);
    expect(Object.keys(rows[1]!.metrics)).toEqual(['z']);
  });
});

describe('stable number and CSV text', () => {
  it('prints numbers without locale or float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1234567)).toBe('1234567');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(2 / 3)).toBe('0.666666666666667');
    expect(formatNumber(NaN)).toBe('');
    expect(formatNumber(Infinity)).toBe('');
  });

  it('quotes CSV cells only when needed (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvLine(['p0-s1', 0.1 * 3, null, 'x'])).toBe('p0-s1,0.3,,x\n');
  });

  it('JSON: stable numbers, non-finite as null; canonical form sorts keys', () => {
    expect(stableJson({ b: 0.1 + 0.2, a: NaN })).toBe('{\n  "b": 0.3,\n  "a": null\n}\n');
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});
