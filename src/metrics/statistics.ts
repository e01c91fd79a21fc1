/**
 * Statistics over seeds and samples: mean, the half-width of the 95 % confidence interval of the
 * mean (Student t with n-1 degrees of freedom: the seeds are few, so the normal 1.96 would be too
 * narrow), min, max and n. Used for summary.json's `aggregate` (src/experiment/aggregate.ts), the
 * report's bands and sweep points, and `compare`'s Welch test.
 */
import type { MetricStats } from '../schema/results.ts';

/** Statistics of the finite values; null when there are none. Sums run in the order given. */
export function summarize(values: readonly number[]): MetricStats | null {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return null;
  const mean = sum / n;
  let ci95 = 0;
  if (n >= 2) {
    let ss = 0;
    for (const v of values) if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
    const sd = Math.sqrt(ss / (n - 1));
    ci95 = studentT975(n - 1) * (sd / Math.sqrt(n));
  }
  return { mean, ci95, min, max, n };
}

const t975Cache = new Map<number, number>();

/**
 * The 0.975 quantile of Student's t distribution with `df` degrees of freedom (two-sided 95 %),
 * found by bisection on the CDF. t(1) = 12.7062, t(4) = 2.7764, t(∞) → 1.95996.
 */
export function studentT975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be >= 1, got ${df}`);
  const cached = t975Cache.get(df);
  if (cached !== undefined) return cached;
  let lo = 0;
  let hi = 64;
  while (studentTCdf(hi, df) < 0.975) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < 0.975) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  t975Cache.set(df, t);
  return t;
}

/** P(T ≤ t) for t ≥ 0: 1 − ½ I_{df/(df+t²)}(df/2, ½). */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Regularized incomplete beta I_x(a, b), by its continued fraction (modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry relation otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, n = 9). */
function logGamma(z: number): number {
  const C = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const zz = z - 1;
  let s = C[0]!;
  for (let i = 1; i < 9; i++) s += C[i]! / (zz + i);
  const t = zz + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(s);
}
