/**
 * formatNumber and stableNumber skip toPrecision(15) when a number's shortest text already has 15
 * significant digits or fewer: they must print exactly what the plain rule printed, on every value.
 */
import { describe, expect, it } from 'vitest';
import { formatNumber, stableJson, stableNumber } from '../../src/experiment/csv.ts';

/** The rule as first written (csv.ts before the fast path): the reference. */
function referenceStable(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  const r = Number(x.toPrecision(15));
  return r === 0 ? 0 : r;
}
function referenceFormat(x: number): string {
  const v = referenceStable(x);
  return v === null ? '' : String(v);
}

/** A deterministic stream of doubles (xorshift): every bit pattern is possible, NaNs included. */
function* randomDoubles(n: number, seed: number): Generator<number> {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < n; i++) {
    view.setUint32(0, next());
    view.setUint32(4, next());
    yield view.getFloat64(0);
  }
}

const EDGES = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  1e21,
  -1e21,
  1e-7,
  -1e-7,
  1e-6,
  1.5e-7,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 60,
  -(2 ** 64),
  Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.EPSILON,
  0.1 + 0.2,
  1 / 3,
  2 / 3,
  -2 / 3,
  0.1,
  123456789012345.6,
  12345678901234.56,
  1234567890123.456,
  0.999999999999999,
  0.9999999999999999,
  9.999999999999999e-7,
  999999.9999999999,
  5e-324,
  1.7976931348623157e308,
  4.35,
  1.005,
  100.5,
  1e15 + 0.5,
  4503599627370495.5,
];

describe('formatNumber and stableNumber', () => {
  it('equal the plain rule on edge cases', () => {
    for (const x of EDGES) {
      expect(formatNumber(x), String(x)).toBe(referenceFormat(x));
      expect(Object.is(stableNumber(x), referenceStable(x)), String(x)).toBe(true);
    }
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1e21)).toBe('1e+21');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(NaN)).toBe('');
    expect(stableNumber(NaN)).toBe(null);
    expect(formatNumber(2 ** 53 + 2)).toBe('9007199254740994');
  });

  it('equal the plain rule on random bit patterns, decimals and sums', () => {
    let checked = 0;
    const check = (x: number): void => {
      const want = referenceFormat(x);
      if (formatNumber(x) !== want) expect(formatNumber(x), `${x}`).toBe(want);
      if (!Object.is(stableNumber(x), referenceStable(x))) expect(stableNumber(x), `${x}`).toBe(referenceStable(x));
      checked++;
    };
    for (const x of randomDoubles(100_000, 1)) check(x);
    let i = 0;
    for (const bits of randomDoubles(100_000, 7)) {
      // Values like a simulation prints: ms, rates, ratios, at every magnitude, with 1 to 17 digits.
      const digits = 1 + (i % 17);
      const scale = 10 ** ((i % 30) - 15);
      const v = Number((Math.abs(bits % 1) || 0.5).toFixed(Math.min(digits, 20))) * scale;
      check(v);
      check(-v);
      check(v + 0.1);
      check(v / 3);
      check(v * 1e-3);
      i++;
    }
    for (let k = 0; k < 20_000; k++) check(k * 0.1), check(k / 7), check(k * 1e-6), check(2 ** 53 + k * 2);
    expect(checked).toBeGreaterThan(600_000);
  });

  it('stableJson prints the same numbers', () => {
    expect(stableJson({ a: 0.1 + 0.2, b: -0, c: NaN, d: 1e21 })).toBe(
      '{\n  "a": 0.3,\n  "b": 0,\n  "c": null,\n  "d": 1e+21\n}\n',
    );
  });
});
