/** tcplab compare: Welch's test against scipy's numbers, matching of points, text and page. */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/schema/results.ts';
import { compareSummaries, comparisonHtml, comparisonText, welchTest } from '../../src/report/compare.ts';

function summary(
  spec: unknown,
  runs: Array<[Record<string, string>, number, Record<string, number | string>]>,
): Summary {
  return {
    experiment: 'e',
    spec,
    aggregate: [],
    runs: runs.map(([point, seed, metrics], i) => ({ id: `p${i}-s${seed}`, point, seed, metrics })),
  };
}

describe("Welch's t-test", () => {
  it('gives scipy.stats.ttest_ind(equal_var=False) p-values', () => {
    // scipy 1.x: ttest_ind([1,2,3,4],[3,4,5,6,7], equal_var=False) -> t=-2.61116, df=6.98077, p=0.0349388
    const r = welchTest([1, 2, 3, 4], [3, 4, 5, 6, 7])!;
    expect(r.p).toBeCloseTo(0.0349388, 5);
    expect(r.beyond).toBe(true);
    // ttest_ind([10,11,12],[10.5,11.5,12.5], equal_var=False) -> p=0.573392
    const s = welchTest([10, 11, 12], [10.5, 11.5, 12.5])!;
    expect(s.p).toBeCloseTo(0.573392, 5);
    expect(s.beyond).toBe(false);
  });

  it('has no verdict with one seed, and calls any change beyond a spread of zero', () => {
    expect(welchTest([1], [2, 3])).toBeNull();
    expect(welchTest([5, 5, 5], [6, 6])).toEqual({ p: 0, beyond: true });
    expect(welchTest([5, 5], [5, 5])).toEqual({ p: 1, beyond: false });
  });
});

describe('compareSummaries', () => {
  const a = summary({ name: 'e', tcp: { backlog: 128 } }, [
    [{ rate: '10/s' }, 1, { 'x.ok': 1, 'x.n': 10, peak_node: 'server' }],
    [{ rate: '10/s' }, 2, { 'x.ok': 1, 'x.n': 12 }],
    [{ rate: '99/s' }, 1, { 'x.ok': 0 }],
  ]);
  const b = summary({ name: 'e', tcp: { backlog: 1024, synCookies: true } }, [
    [{ rate: '10/s' }, 1, { 'x.ok': 0.5, 'x.n': 10 }],
    [{ rate: '10/s' }, 2, { 'x.ok': 0.5, 'x.n': 12 }],
    [{ rate: '50/s' }, 1, { 'x.ok': 0 }],
  ]);
  const c = compareSummaries({ dir: 'A', summary: a }, { dir: 'B', summary: b });

  it('matches points by their sweep values and lists the ones on one side only', () => {
    expect(c.points.map((p) => p.point)).toEqual([{ rate: '10/s' }]);
    expect(c.onlyA).toEqual([{ rate: '99/s' }]);
    expect(c.onlyB).toEqual([{ rate: '50/s' }]);
  });

  it('compares numeric metrics (text values left out) with mean, difference and verdict', () => {
    const m = c.points[0]!.metrics;
    expect(m.map((x) => x.metric)).toEqual(['x.n', 'x.ok']);
    expect(m[1]).toMatchObject({ a: { mean: 1, n: 2 }, b: { mean: 0.5, n: 2 }, diff: -0.5, test: { beyond: true } });
    expect(m[0]).toMatchObject({ diff: 0, test: { beyond: false } });
  });

  it('names the spec paths that differ', () => {
    expect(c.specDiffs).toEqual(['tcp.backlog: 128 → 1024', 'tcp.synCookies: (unset) → true']);
  });

  it('prints the differing metrics as text, and every one with all', () => {
    const text = comparisonText(c);
    expect(text).toContain('rate=10/s: 1 of 2 metrics differ');
    expect(text).toMatch(/x\.ok\s+1 ± 0\s+0\.5 ± 0\s+-0\.5 \(-50 %\)\s+yes \(no spread\)/);
    expect(text).not.toMatch(/^\s+x\.n /m);
    expect(comparisonText(c, true)).toMatch(/^\s+x\.n\s+11 ± 12\.71\s+11 ± 12\.71\s+=$/m);
    expect(text).toContain('only in A: rate=99/s');
  });

  it('renders one self-contained page in the report style, differences beyond the spread highlighted', () => {
    const html = comparisonHtml(c);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<tr class="beyond"><th scope="row">x.ok</th>');
    expect(html).toContain('table.metrics');
    expect(html).not.toMatch(/<script|<link /);
  });
});
