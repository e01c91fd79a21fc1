/**
 * The receive side's byte accounting: bytes ready for the application, and out-of-order ranges
 * held for reassembly (RFC 9293 3.10.7.4 "segment text"), with the recency order RFC 2018 4
 * asks of SACK blocks. Payload is a byte count, so only sequence ranges are kept.
 *
 * Every connection has one and most never hold data out of order, so the two range lists start
 * as one shared empty array and get their own on the first out-of-order segment.
 */
import { mergeSeqRange, seqGe, seqGt, seqLe, seqLt, seqSub } from './seq.ts';

/**
 * Told when a segment's bytes are held out of order (an application measuring head-of-line
 * blocking, src/apps/h2-receive-times.ts): `ahead` is how far past RCV.NXT they start. One call
 * per held segment, no allocation; most connections have none.
 */
export interface OutOfOrderWatch {
  heldOutOfOrder(ahead: number, len: number): void;
}

/** Shared by every queue that holds nothing out of order; never written. */
const NONE: readonly number[] = Object.freeze([]);

export class ReceiveQueue {
  /** In-order bytes not yet read by the application. */
  readable = 0;
  /** Bytes held out of order. */
  oooBytes = 0;
  /** Out-of-order ranges as flat [start, end) pairs, in sequence order, never touching. */
  private ranges = NONE as number[];
  /** Start of a received block per entry, most recent first (RFC 2018 4: block order). */
  private recent = NONE as number[];
  /** Sequence number of a FIN received out of order (it ends the stream there), or -1. */
  oooFin = -1;
  /** Who is told of bytes held out of order (set through the socket), or null. */
  watch: OutOfOrderWatch | null = null;

  get hasOutOfOrder(): boolean {
    return this.ranges.length > 0;
  }

  /** Holds [start, end) out of order (start is beyond RCV.NXT). */
  insert(start: number, end: number): void {
    if (this.ranges === NONE) {
      this.ranges = [];
      this.recent = [];
    }
    const r = this.ranges;
    const m = mergeSeqRange(r, start, end);
    this.oooBytes += m.gained;
    this.touch(start, r[m.index]!, r[m.index + 1]!);
  }

  /**
   * RCV.NXT moved to `nxt`: absorbs held ranges that now start at or before it. Returns the new
   * RCV.NXT (past any range that was joined); the joined bytes become readable.
   */
  drain(nxt: number): number {
    const r = this.ranges;
    let n = 0;
    while (n < r.length && seqLe(r[n]!, nxt)) {
      const s = r[n]!;
      const e = r[n + 1]!;
      this.oooBytes -= seqSub(e, s);
      if (seqGt(e, nxt)) {
        this.readable += seqSub(e, nxt);
        nxt = e;
      }
      n += 2;
    }
    if (n > 0) {
      r.splice(0, n);
      this.pruneRecent();
    }
    return nxt;
  }

  /**
   * SACK blocks for an ACK (RFC 2018 4): the block holding the latest segment first, then the
   * other recently reported ones; at most `max`. null when nothing is held.
   */
  sackBlocks(max: number): Array<[number, number]> | null {
    if (this.ranges.length === 0) return null;
    const out: Array<[number, number]> = [];
    for (let k = 0; k < this.recent.length && out.length < max; k++) {
      const i = this.find(this.recent[k]!);
      if (i < 0) continue;
      const s = this.ranges[i]!;
      let dup = false;
      for (const b of out) if (b[0] === s) dup = true;
      if (!dup) out.push([s, this.ranges[i + 1]!]);
    }
    for (let i = 0; i < this.ranges.length && out.length < max; i += 2) {
      const s = this.ranges[i]!;
      let dup = false;
      for (const b of out) if (b[0] === s) dup = true;
      if (!dup) out.push([s, this.ranges[i + 1]!]);
    }
    return out;
  }

  /** Drops everything (the connection is gone or reset). */
  clear(): void {
    this.readable = 0;
    this.oooBytes = 0;
    this.ranges = NONE as number[];
    this.recent = NONE as number[];
    this.oooFin = -1;
  }

  /** Index of the range containing seq, or -1. */
  private find(seq: number): number {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) if (seqGe(seq, r[i]!) && seqLt(seq, r[i + 1]!)) return i;
    return -1;
  }

  private touch(seq: number, blockStart: number, blockEnd: number): void {
    // Forget entries that now fall into the same block, then put this one first.
    const rec = this.recent;
    for (let k = rec.length - 1; k >= 0; k--) {
      if (seqGe(rec[k]!, blockStart) && seqLt(rec[k]!, blockEnd)) rec.splice(k, 1);
    }
    rec.unshift(seq);
    if (rec.length > 4) rec.length = 4;
  }

  private pruneRecent(): void {
    const rec = this.recent;
    for (let k = rec.length - 1; k >= 0; k--) if (this.find(rec[k]!) < 0) rec.splice(k, 1);
  }
}
