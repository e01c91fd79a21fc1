/**
 * The retransmission queue's per-segment record (Linux's rtx queue of skbs, without the data):
 * for every segment sent and not yet cumulatively acknowledged, its end sequence, when it was
 * first sent, when it was last (re)sent, and Linux's TCP_SKB_CB(skb)->sacked marks (SACKed, lost,
 * retransmitted and still out, ever retransmitted), with the queue's sacked_out / lost_out /
 * retrans_out counts. A segment starts where the one before it ends (the head at SND.UNA).
 *
 * It gives Linux-style RTT samples on every ACK (the oldest newly acknowledged segment,
 * tcp_clean_rtx_queue), the first-transmission time of the head (retrans_stamp for the
 * tcp_retries2 give-up), the transmit times RACK compares (rack.ts, RFC 8985) and the marks the
 * SACK recovery window is counted from (sack-recovery.ts). Karn's rule is applied by the caller.
 *
 * Memory: every connection has one and most carry a handful of segments, so the ring is a plain
 * array of doubles (four per segment side by side), allocated on the first push and dropped by
 * clear() (a TIME-WAIT connection holds none). A typed array would cost ~400 bytes of object
 * headers and backing-store bookkeeping each, and its allocation was 6 % of a 100k-connection
 * benchmark.
 */
import type { Nanos } from '../sim/time.ts';
import { seqGt, seqLe, seqLt } from './seq.ts';

/** TCPCB_SACKED_ACKED: the peer SACKed the whole segment. */
export const SEG_SACKED = 1;
/** TCPCB_LOST: considered lost (RACK, or every unSACKed segment at an RTO). */
export const SEG_LOST = 2;
/** TCPCB_SACKED_RETRANS: retransmitted, and that copy is still in flight. */
export const SEG_RETRANS = 4;
/** TCPCB_EVER_RETRANS: retransmitted at least once (Karn, RACK's ambiguity check). */
export const SEG_EVER_RETRANS = 8;

/**
 * This segment and the next one left in the same TSO packet, and so share an skb (Linux
 * tso_fragment cuts the write queue at packet boundaries): a retransmission resends them
 * together (tcp_retransmit_skb resends a whole skb, __tcp_transmit_skb forcing PSH on it).
 */
export const SEG_JOINS_NEXT = 16;
/** Marks an RTO or undo keeps: the history of the segment, not its state. */
const SEG_KEEP = SEG_EVER_RETRANS | SEG_JOINS_NEXT;

/** Doubles per segment: end sequence, first send, last send, marks. */
const STRIDE = 4;
/** Segments in a fresh ring: a short connection (a request, FIN) fits without growing. */
const INITIAL_SEGMENTS = 4;
/**
 * A ring of `n` segments. Filled with a non-integer so every ring, NONE included, has the same
 * (holey double) element kind from the start: reads stay monomorphic, no element transition later.
 */
function newRing(n: number): number[] {
  return new Array<number>(STRIDE * n).fill(0.5);
}
/** Shared by every empty queue; never written (capacity 0 makes push allocate first). */
const NONE: number[] = newRing(1);
NONE.length = 0;

export class RtxQueue {
  /** Ring of segments, STRIDE doubles each; capacity (segments) a power of two. */
  private ring: number[] = NONE;
  private head = 0;
  private count = 0;
  /** Send time of the newest segment the last ackUpTo dropped, or -1 (Linux last_ackt, for ca_rtt_us). */
  newestAckedSentAt: Nanos = -1;
  /** Linux sacked_out, lost_out, retrans_out: segments with each mark. */
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;

  get size(): number {
    return this.count;
  }

  /** Records a first transmission ending at `endSeq`. */
  push(endSeq: number, sentAt: Nanos): void {
    const cap = this.ring.length / STRIDE;
    if (this.count === cap) this.grow(cap);
    const i = this.slot(this.count);
    const ring = this.ring;
    ring[i] = endSeq;
    ring[i + 1] = sentAt;
    ring[i + 2] = sentAt;
    ring[i + 3] = 0;
    this.count++;
  }

  /** Send time of the oldest outstanding segment, or -1. */
  headSentAt(): Nanos {
    return this.count === 0 ? -1 : this.ring[STRIDE * this.head + 1]!;
  }

  /** Index in the ring of the k-th segment from the head. */
  private slot(k: number): number {
    return STRIDE * ((this.head + k) & (this.ring.length / STRIDE - 1));
  }

  /** End sequence of the k-th outstanding segment (0 = the head). */
  endAt(k: number): number {
    return this.ring[this.slot(k)]!;
  }

  /** When the k-th segment was last sent (Linux tcp_skb_timestamp_us). */
  xmitAt(k: number): Nanos {
    return this.ring[this.slot(k) + 2]!;
  }

  /** The k-th segment's marks (SEG_*). */
  marksAt(k: number): number {
    return this.ring[this.slot(k) + 3]!;
  }

  setMarks(k: number, marks: number): void {
    this.ring[this.slot(k) + 3] = marks;
  }

  /** The k-th segment and the next one went out in one TSO packet (one skb). */
  joinNext(k: number): void {
    this.ring[this.slot(k) + 3] = this.ring[this.slot(k) + 3]! | SEG_JOINS_NEXT;
  }

  /** The skb is cut after the k-th segment (Linux tcp_fragment): they are resent apart. */
  splitAfter(k: number): void {
    this.ring[this.slot(k) + 3] = this.ring[this.slot(k) + 3]! & ~SEG_JOINS_NEXT;
  }

  /** The k-th segment was resent at `now`: a retransmission in flight (Linux __tcp_retransmit_skb). */
  retransmitted(k: number, now: Nanos): void {
    const i = this.slot(k);
    const m = this.ring[i + 3]!;
    if ((m & SEG_RETRANS) === 0) this.retransOut++;
    this.ring[i + 2] = now;
    this.ring[i + 3] = m | SEG_RETRANS | SEG_EVER_RETRANS;
  }

  /**
   * Cuts the head segment [una, end) into pieces of at most `size` bytes, each keeping its send
   * times and marks (Linux tcp_fragment / tcp_set_skb_tso_segs on an skb sent before the MSS
   * shrank: a Fast Open SYN's data when the SYN-ACK brings a smaller MSS). Cold path.
   */
  splitHead(una: number, size: number): void {
    if (this.count === 0) return;
    const end = this.endAt(0);
    const pieces = Math.ceil(((end - una) >>> 0) / size);
    if (pieces <= 1) return;
    const old: number[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = this.slot(k);
      old.push(this.ring[i]!, this.ring[i + 1]!, this.ring[i + 2]!, this.ring[i + 3]!);
    }
    const m = old[3]!;
    if (m & SEG_SACKED) this.sackedOut += pieces - 1;
    if (m & SEG_LOST) this.lostOut += pieces - 1;
    if (m & SEG_RETRANS) this.retransOut += pieces - 1;
    this.ring = NONE;
    this.head = 0;
    this.count = 0;
    for (let p = 1; p <= pieces; p++) {
      this.pushEntry(p === pieces ? end : (una + p * size) >>> 0, old[1]!, old[2]!, m & ~SEG_JOINS_NEXT);
    }
    for (let j = STRIDE; j < old.length; j += STRIDE) this.pushEntry(old[j]!, old[j + 1]!, old[j + 2]!, old[j + 3]!);
  }

  private pushEntry(endSeq: number, firstAt: Nanos, lastAt: Nanos, marks: number): void {
    this.push(endSeq, firstAt);
    const i = this.slot(this.count - 1);
    this.ring[i + 2] = lastAt;
    this.ring[i + 3] = marks;
  }

  /**
   * [from, to) was resent at `now`: every queued segment it overlaps is a retransmission in
   * flight (`una`: where the head starts).
   */
  retransmittedRange(una: number, from: number, to: number, now: Nanos): void {
    for (let k = this.indexAfter(from); k < this.count; k++) {
      const start = k === 0 ? una : this.endAt(k - 1);
      if (!seqLt(start, to)) break;
      this.retransmitted(k, now);
    }
  }

  /** Index of the first segment ending after `seq` (binary search: ends ascend), or size. */
  indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqGt(this.endAt(mid), seq)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Drops every segment that `ack` covers entirely; returns the first send time of the oldest one
   * dropped, or -1 when none was. The mark counts lose what the dropped segments held.
   */
  ackUpTo(ack: number): Nanos {
    let oldest = -1;
    this.newestAckedSentAt = -1;
    const ring = this.ring;
    const mask = ring.length / STRIDE - 1;
    while (this.count > 0 && seqLe(ring[STRIDE * this.head]!, ack)) {
      const i = STRIDE * this.head;
      if (oldest < 0) oldest = ring[i + 1]!;
      this.newestAckedSentAt = ring[i + 1]!;
      const m = ring[i + 3]!;
      if (m !== 0) {
        if (m & SEG_SACKED) this.sackedOut--;
        if (m & SEG_LOST) this.lostOut--;
        if (m & SEG_RETRANS) this.retransOut--;
      }
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    return oldest;
  }

  /** After an RTO: no SACK marks, no resent copy in flight, every segment lost (EVER_RETRANS stays). */
  markAllLost(): void {
    for (let k = 0; k < this.count; k++) {
      const i = this.slot(k);
      this.ring[i + 3] = (this.ring[i + 3]! & SEG_KEEP) | SEG_LOST;
    }
    this.sackedOut = this.retransOut = 0;
    this.lostOut = this.count;
  }

  /**
   * Linux tcp_timeout_mark_lost with SACK: every segment not SACKed is lost, no resent copy is
   * counted in flight any more (EVER_RETRANS stays).
   */
  markUnsackedLost(): void {
    let lost = 0;
    for (let k = 0; k < this.count; k++) {
      const i = this.slot(k);
      const m = this.ring[i + 3]!;
      if ((m & SEG_SACKED) !== 0) continue;
      this.ring[i + 3] = (m & SEG_KEEP) | SEG_LOST;
      lost++;
    }
    this.lostOut = lost;
    this.retransOut = 0;
  }

  /** Linux tcp_undo_cwnd_reduction(unmark_loss): no segment is considered lost any more. */
  clearLost(): void {
    if (this.lostOut === 0) return;
    for (let k = 0; k < this.count; k++) {
      const i = this.slot(k);
      this.ring[i + 3] = this.ring[i + 3]! & ~SEG_LOST;
    }
    this.lostOut = 0;
  }

  /** Clears every segment's SACKed, lost and in-flight-retransmission marks (EVER_RETRANS stays). */
  clearMarks(): void {
    for (let k = 0; k < this.count; k++) {
      const i = this.slot(k);
      this.ring[i + 3] = this.ring[i + 3]! & SEG_KEEP;
    }
    this.sackedOut = this.lostOut = this.retransOut = 0;
  }

  /** Forgets every segment and releases the ring. */
  clear(): void {
    this.ring = NONE;
    this.head = 0;
    this.count = 0;
    this.sackedOut = this.lostOut = this.retransOut = 0;
  }

  private grow(cap: number): void {
    const n = cap === 0 ? INITIAL_SEGMENTS : 2 * cap;
    const ring = newRing(n);
    const old = this.ring;
    for (let k = 0; k < this.count; k++) {
      const i = STRIDE * ((this.head + k) & (cap - 1));
      for (let f = 0; f < STRIDE; f++) ring[STRIDE * k + f] = old[i + f]!;
    }
    this.ring = ring;
    this.head = 0;
  }
}
