/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4). Sequence numbers are unsigned 32-bit
 * values held in JS numbers; comparisons look at the signed 32-bit difference, so they stay
 * correct across the wrap as long as the two numbers are less than 2^31 apart.
 */

/** a < b in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a ≤ b in sequence space. */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a > b in sequence space. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a ≥ b in sequence space. */
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed distance a − b (how far a is ahead of b), in [−2^31, 2^31). */
export function seqSub(a: number, b: number): number {
  return (a - b) | 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}

/** lo ≤ x < hi in sequence space (an empty range when lo = hi). */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return (x - lo) >>> 0 < (hi - lo) >>> 0;
}

/** Where mergeSeqRange put the merged pair and how many bytes the set gained (reused, not allocated). */
export const merged = { index: 0, gained: 0 };

/**
 * Adds [start, end) to `r`, flat [start, end) pairs in sequence order that never touch, merging
 * every pair it overlaps or abuts: the receiver's out-of-order queue and the sender's SACK
 * scoreboard keep their ranges this way. Returns `merged`: the merged pair is r[index], r[index + 1].
 */
export function mergeSeqRange(r: number[], start: number, end: number): typeof merged {
  let i = 0;
  while (i < r.length && seqLt(r[i + 1]!, start)) i += 2;
  // r[i..] ends at or after start: merge every pair that touches [start, end).
  let s = start;
  let e = end;
  let removed = 0;
  let j = i;
  while (j < r.length && seqLe(r[j]!, e)) {
    if (seqLt(r[j]!, s)) s = r[j]!;
    if (seqGt(r[j + 1]!, e)) e = r[j + 1]!;
    removed += seqSub(r[j + 1]!, r[j]!);
    j += 2;
  }
  r.splice(i, j - i, s, e);
  merged.index = i;
  merged.gained = seqSub(e, s) - removed;
  return merged;
}
