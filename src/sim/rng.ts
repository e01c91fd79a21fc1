/**
 * Seeded random streams. Each stream is derived from the run's seed and a stable name
 * ("link:client1-r1:loss", "host:server:isn"), so adding a host or a link does not shift the
 * numbers any other component draws: experiments stay comparable across topology edits.
 *
 * Generator: sfc32 (small, fast, passes PractRand to 2^40+), seeded by a 128-bit MurmurHash3-style
 * mix of (seed, name).
 */

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, name: string) {
    const [h1, h2, h3, h4] = hash128(`${seed}\u0000${name}`);
    this.a = h1;
    this.b = h2;
    this.c = h3;
    this.d = h4;
    for (let i = 0; i < 12; i++) this.nextU32(); // warm up so related names diverge fully
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  float(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** Exponentially distributed with the given mean (for Poisson arrivals). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }
}

/** A 128-bit hash of a string (MurmurHash3 x86_128 mixing on UTF-16 code units). */
function hash128(text: string): [number, number, number, number] {
  let h1 = 0x9e3779b9,
    h2 = 0x243f6a88,
    h3 = 0xb7e15162,
    h4 = 0xdeadbeef;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ k, 0x239b961b);
    h2 = Math.imul(h2 ^ k, 0xab0e9789);
    h3 = Math.imul(h3 ^ k, 0x38b34ae5);
    h4 = Math.imul(h4 ^ k, 0xa1e38b93);
    h1 = (h1 << 15) | (h1 >>> 17);
    h1 = (h1 + h2) | 0;
    h2 = (h2 << 16) | (h2 >>> 16);
    h2 = (h2 + h3) | 0;
    h3 = (h3 << 17) | (h3 >>> 15);
    h3 = (h3 + h4) | 0;
    h4 = (h4 << 18) | (h4 >>> 14);
    h4 = (h4 + h1) | 0;
  }
  h1 = fmix(h1 ^ text.length);
  h2 = fmix(h2 + h1);
  h3 = fmix(h3 + h2);
  h4 = fmix(h4 + h3);
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, (h4 | 1) >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
