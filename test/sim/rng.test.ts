/** Seeded named streams: determinism, independence between names and seeds, uniformity. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/rng.ts';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextU32());
}

describe('Rng', () => {
  it('same seed and name give the same numbers', () => {
    expect(draws(new Rng(42, 'link:a-b:loss'), 100)).toEqual(draws(new Rng(42, 'link:a-b:loss'), 100));
  });

  it('a different seed or a different name gives different numbers', () => {
    const base = draws(new Rng(42, 'link:a-b:loss'), 20);
    expect(draws(new Rng(43, 'link:a-b:loss'), 20)).not.toEqual(base);
    expect(draws(new Rng(42, 'link:b-a:loss'), 20)).not.toEqual(base);
    expect(draws(new Rng(42, 'link:a-b:lost'), 20)).not.toEqual(base);
  });

  it("adding another named stream does not change a stream's numbers", () => {
    const alone = new Rng(7, 'host:server:isn');
    const expected = draws(alone, 50);
    const a = new Rng(7, 'host:server:isn');
    const b = new Rng(7, 'host:client9:isn');
    const got: number[] = [];
    for (let i = 0; i < 50; i++) {
      b.float();
      got.push(a.nextU32());
      b.nextU32();
    }
    expect(got).toEqual(expected);
  });

  it('related names and seeds are uncorrelated (first draws differ in about half their bits)', () => {
    let bitsDiffer = 0;
    let pairs = 0;
    for (let i = 0; i < 200; i++) {
      const x = new Rng(1, `link:client${i}-r1:loss`).nextU32();
      const y = new Rng(1, `link:client${i + 1}-r1:loss`).nextU32();
      const z = new Rng(i, 'x').nextU32() ^ new Rng(i + 1, 'x').nextU32();
      bitsDiffer += popcount(x ^ y) + popcount(z);
      pairs += 2;
    }
    expect(bitsDiffer / pairs).toBeGreaterThan(14);
    expect(bitsDiffer / pairs).toBeLessThan(18);
  });

  it('float() is uniform on [0, 1): chi-square over 20 bins within the 99.9 % bound', () => {
    const rng = new Rng(2024, 'uniformity');
    const bins = new Array<number>(20).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 20)]!++;
    }
    const expected = n / 20;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.82); // chi-square, 19 degrees of freedom, p = 0.001
  });

  it('int, range and chance stay in bounds and reach both ends', () => {
    const rng = new Rng(5, 'bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = rng.range(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      expect(Number.isInteger(v)).toBe(true);
      seen.add(v);
      const k = rng.int(10);
      expect(k >= 0 && k < 10 && Number.isInteger(k)).toBe(true);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    for (let i = 0; i < 1000; i++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
  });

  it('exponential has the requested mean (within 2 %, 10^5 draws)', () => {
    const rng = new Rng(9, 'poisson');
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = rng.exponential(250);
      expect(x).toBeGreaterThanOrEqual(0);
      sum += x;
    }
    expect(Math.abs(sum / n - 250) / 250).toBeLessThan(0.02); // standard error is 0.32 %
  });
});

function popcount(v: number): number {
  let c = 0;
  for (let x = v >>> 0; x !== 0; x >>>= 1) c += x & 1;
  return c;
}
