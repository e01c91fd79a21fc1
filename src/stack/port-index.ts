/**
 * Which local ports of the ephemeral range are free toward one destination (remote address and
 * port), as bitmaps, so that connect() finds the first free port of Linux's search order without
 * probing every held port (Linux __inet_hash_connect probes them one by one; at 28 000 ports in
 * TIME-WAIT that is 28 000 hash lookups per connect() and most of a port-exhaustion run's CPU).
 *
 * The range is split by parity, as the search is (RFC 6056 algorithm 4 as Linux runs it: steps of
 * 2 from an even offset, then the odd ports): position k of class c is port low + c + 2k. Per
 * class, `held` marks ports a connection to this destination occupies, `reuse` those held by a
 * TIME-WAIT connection that used timestamps (the only ones tcp_tw_reuse may take over), and
 * `cand` is what a search looks at: free ports, plus the `reuse` ones when tw_reuse is on. A
 * summary word per 32 words of `cand` says which words have a bit set, so the next candidate at
 * or after a position is found in at most 2 + range/1024 word reads (≤ 34 for any 16-bit range),
 * whatever the occupancy.
 */

const BITS = 32;

/** Cyclic "next set bit" search over n positions, with a one-level summary. */
class SummarizedBits {
  readonly words: Int32Array;
  readonly summary: Int32Array;

  constructor(readonly n: number) {
    this.words = new Int32Array(Math.ceil(n / BITS));
    this.summary = new Int32Array(Math.ceil(this.words.length / BITS));
  }

  /** Sets word w and keeps its summary bit. */
  setWord(w: number, value: number): void {
    this.words[w] = value;
    const s = w >>> 5,
      bit = 1 << (w & 31);
    if (value !== 0) this.summary[s]! |= bit;
    else this.summary[s]! &= ~bit;
  }

  /** The first set position in [from, to), or -1. */
  next(from: number, to: number): number {
    if (from >= to) return -1;
    const words = this.words;
    let w = from >>> 5;
    let bits = words[w]! & (-1 << (from & 31));
    if (bits === 0) {
      // find the next non-empty word through the summary
      w = this.nextWord(w + 1);
      if (w < 0) return -1;
      bits = words[w]!;
    }
    const pos = (w << 5) + (31 - Math.clz32(bits & -bits));
    return pos < to ? pos : -1;
  }

  private nextWord(from: number): number {
    const summary = this.summary;
    let s = from >>> 5;
    if (s >= summary.length) return -1;
    let bits = summary[s]! & (-1 << (from & 31));
    while (bits === 0) {
      if (++s >= summary.length) return -1;
      bits = summary[s]!;
    }
    return (s << 5) + (31 - Math.clz32(bits & -bits));
  }
}

/** One parity class of one destination's ports. */
class ParityClass {
  readonly held: Int32Array;
  readonly reuse: Int32Array;
  readonly cand: SummarizedBits;
  /** Bits of the last word that are inside the class. */
  private readonly lastMask: number;

  constructor(readonly n: number) {
    this.cand = new SummarizedBits(n);
    const words = this.cand.words.length;
    this.held = new Int32Array(words);
    this.reuse = new Int32Array(words);
    const tail = n & 31;
    this.lastMask = tail === 0 ? -1 : (1 << tail) - 1;
  }

  /** Recomputes the candidates of word w from held, reuse and the host's listening ports. */
  refresh(w: number, listen: Int32Array | null, twReuse: boolean): void {
    let c = ~this.held[w]!;
    if (twReuse) c |= this.reuse[w]!;
    if (listen !== null) c &= ~listen[w]!;
    if (w === this.held.length - 1) c &= this.lastMask;
    this.cand.setWord(w, c);
  }
}

export class PortIndex {
  private readonly classes: [ParityClass, ParityClass];

  /** Positions 0 … 2n − 1 stand for ports low … low + 2n − 1 (n per parity class). */
  constructor(
    readonly low: number,
    readonly n: number,
    private readonly twReuse: boolean,
    listen: readonly [Int32Array, Int32Array] | null,
  ) {
    this.classes = [new ParityClass(n), new ParityClass(n)];
    for (let c = 0; c < 2; c++) {
      const cls = this.classes[c]!;
      for (let w = 0; w < cls.held.length; w++) cls.refresh(w, listen?.[c] ?? null, twReuse);
    }
  }

  /** Marks lport held (or not) by a connection to this destination; `reusable` = TIME-WAIT with timestamps. */
  set(lport: number, held: boolean, reusable: boolean, listen: readonly [Int32Array, Int32Array] | null): void {
    const j = lport - this.low;
    if (j < 0 || j >= 2 * this.n) return;
    const c = j & 1,
      k = j >>> 1,
      w = k >>> 5,
      bit = 1 << (k & 31);
    const cls = this.classes[c]!;
    if (held) cls.held[w]! |= bit;
    else cls.held[w]! &= ~bit;
    if (held && reusable) cls.reuse[w]! |= bit;
    else cls.reuse[w]! &= ~bit;
    cls.refresh(w, listen?.[c] ?? null, this.twReuse);
  }

  /** Recomputes the word holding lport after the host's listening ports changed. */
  refreshPort(lport: number, listen: readonly [Int32Array, Int32Array] | null): void {
    const j = lport - this.low;
    if (j < 0 || j >= 2 * this.n) return;
    this.classes[j & 1]!.refresh((j >>> 1) >>> 5, listen?.[j & 1] ?? null, this.twReuse);
  }

  /** Is the port free (no connection to this destination, no listener)? */
  isFree(lport: number): boolean {
    const j = lport - this.low;
    const cls = this.classes[j & 1]!,
      k = j >>> 1;
    return (cls.held[k >>> 5]! & (1 << (k & 31))) === 0;
  }

  /**
   * The first candidate position of class c at or after k, within [k, to), or -1. A candidate
   * is a free port, or (tw_reuse) a TIME-WAIT port the caller must still check.
   */
  next(c: number, k: number, to: number): number {
    return this.classes[c]!.cand.next(k, to);
  }
}
