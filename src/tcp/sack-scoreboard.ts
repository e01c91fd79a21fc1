/**
 * The sender's SACK scoreboard (RFC 6675 2, 4): which sequence ranges above SND.UNA the peer
 * reported holding (RFC 2018 blocks), merged into sorted, non-touching [start, end) pairs, and
 * how far this recovery episode has retransmitted (HighRxt). From it: RFC 6675 IsLost (more than
 * (DupThresh − 1)·SMSS bytes SACKed above a hole), the holes to repair, and the pipe.
 *
 * Allocated on the first SACK block a connection receives; most connections never get one.
 */
import { mergeSeqRange, seqGt, seqLe, seqLt, seqSub } from './seq.ts';

export class SackScoreboard {
  /** SACKed ranges as flat [start, end) pairs, in sequence order, all above SND.UNA. */
  readonly ranges: number[] = [];
  /** Bytes in `ranges`. */
  sackedBytes = 0;
  /** RFC 6675 HighRxt: the end of the highest hole retransmitted in this recovery. */
  highRxt = 0;
  /** A SACK-based recovery episode is in progress (sack-recovery.ts). */
  active = false;
  /** PRR (RFC 6937): segments delivered and sent since recovery began, and cwnd at its start. */
  prrDelivered = 0;
  prrOut = 0;
  priorCwnd = 1;

  /**
   * Merges the ACK's SACK blocks (those above `una` and not beyond `sndMax`: a DSACK or a bogus
   * block adds nothing). Returns the bytes newly SACKed.
   */
  update(blocks: ReadonlyArray<readonly [number, number]>, una: number, sndMax: number): number {
    const before = this.sackedBytes;
    for (const [s0, e] of blocks) {
      if (!seqGt(e, una) || seqGt(e, sndMax) || !seqLt(s0, e)) continue;
      this.insert(seqLt(s0, una) ? una : s0, e);
    }
    return this.sackedBytes - before;
  }

  /** SND.UNA moved to `una`: forgets what it covers. */
  prune(una: number): void {
    const r = this.ranges;
    let i = 0;
    while (i < r.length && seqLe(r[i + 1]!, una)) {
      this.sackedBytes -= seqSub(r[i + 1]!, r[i]!);
      i += 2;
    }
    if (i > 0) r.splice(0, i);
    if (r.length > 0 && seqLt(r[0]!, una)) {
      this.sackedBytes -= seqSub(una, r[0]!);
      r[0] = una;
    }
  }

  /** SACKed segments, each range counted in whole segments (Linux sacked_out counts skbs). */
  sackedSegments(mss: number): number {
    const r = this.ranges;
    let n = 0;
    for (let i = 0; i < r.length; i += 2) n += Math.ceil(seqSub(r[i + 1]!, r[i]!) / mss);
    return n;
  }

  clear(): void {
    this.ranges.length = 0;
    this.sackedBytes = 0;
  }

  /** End of the highest SACKed range, or `una` when none (RFC 6675 "HighSACK"). */
  highSacked(una: number): number {
    const r = this.ranges;
    return r.length === 0 ? una : r[r.length - 1]!;
  }

  /**
   * Every unSACKed sequence below this is lost (RFC 6675 IsLost with DupThresh 3: more than
   * 2·SMSS bytes SACKed above it); `una` when nothing is. The SACKed bytes above a point only
   * shrink going up, so the lost holes are exactly those below the range where the running sum
   * from the top first exceeds the threshold.
   */
  lostEnd(una: number, mss: number, dupThresh: number): number {
    const r = this.ranges;
    const need = (dupThresh - 1) * mss;
    let above = 0;
    for (let i = r.length - 2; i >= 0; i -= 2) {
      above += seqSub(r[i + 1]!, r[i]!);
      if (above > need) return r[i]!;
    }
    return una;
  }

  /** Bytes not SACKed in [from, to). */
  unsackedIn(from: number, to: number): number {
    if (!seqLt(from, to)) return 0;
    let n = seqSub(to, from);
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const s = seqLt(r[i]!, from) ? from : r[i]!;
      const e = seqGt(r[i + 1]!, to) ? to : r[i + 1]!;
      if (seqLt(s, e)) n -= seqSub(e, s);
    }
    return n;
  }

  /**
   * The first unSACKed byte at or after `from` and below `limit`, and the end of its hole (the
   * next SACKed range or `limit`), as [start, end]; null when none.
   */
  nextHole(from: number, limit: number): [number, number] | null {
    let s = from;
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (seqLe(r[i + 1]!, s)) continue;
      if (seqLe(r[i]!, s)) {
        s = r[i + 1]!;
        continue;
      }
      // r[i] > s: the hole [s, r[i]).
      if (!seqLt(s, limit)) return null;
      return [s, seqLt(r[i]!, limit) ? r[i]! : limit];
    }
    return seqLt(s, limit) ? [s, limit] : null;
  }

  private insert(start: number, end: number): void {
    this.sackedBytes += mergeSeqRange(this.ranges, start, end).gained;
  }
}
