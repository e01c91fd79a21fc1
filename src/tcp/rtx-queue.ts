/**
 * When each not-yet-acknowledged segment was first sent: a ring of (end sequence, send time)
 * pairs. It gives Linux-style RTT samples on every ACK (the oldest newly acknowledged segment,
 * tcp_clean_rtx_queue) and the first-transmission time of the head, which Linux uses as
 * retrans_stamp for the tcp_retries2 give-up. Retransmissions add nothing here; Karn's rule is
 * applied by the caller (no sample when the ACK covers retransmitted data).
 *
 * Memory: every connection has one, and most carry a handful of segments, so the ring is a plain
 * array of doubles (pairs side by side), allocated on the first push and dropped by clear() (a
 * TIME-WAIT connection holds none). A typed array would cost ~400 bytes of object headers and
 * backing-store bookkeeping each, and its allocation was 6 % of a 100k-connection benchmark.
 */
import type { Nanos } from '../sim/time.ts';
import { seqLe } from './seq.ts';

/** Pairs in a fresh ring: a short connection (SYN, a request, FIN) fits without growing. */
const INITIAL_PAIRS = 4;
/**
 * A ring of `pairs` pairs. Filled with a non-integer so every ring, NONE included, has the same
 * (holey double) element kind from the start: reads stay monomorphic, no element transition later.
 */
function newRing(pairs: number): number[] {
  return new Array<number>(2 * pairs).fill(0.5);
}
/** Shared by every empty queue; never written (capacity 0 makes push allocate first). */
const NONE: number[] = newRing(1);
NONE.length = 0;

export class RtxQueue {
  /** Ring of pairs: end sequence at 2i, send time at 2i + 1; capacity (pairs) a power of two. */
  private ring: number[] = NONE;
  private head = 0;
  private count = 0;
  /** Send time of the newest segment the last ackUpTo dropped, or -1 (Linux last_ackt, for ca_rtt_us). */
  newestAckedSentAt: Nanos = -1;

  get size(): number {
    return this.count;
  }

  /** Records a first transmission ending at `endSeq`. */
  push(endSeq: number, sentAt: Nanos): void {
    const cap = this.ring.length >> 1;
    if (this.count === cap) this.grow(cap);
    const i = 2 * ((this.head + this.count) & ((this.ring.length >> 1) - 1));
    this.ring[i] = endSeq;
    this.ring[i + 1] = sentAt;
    this.count++;
  }

  /** Send time of the oldest outstanding segment, or -1. */
  headSentAt(): Nanos {
    return this.count === 0 ? -1 : this.ring[2 * this.head + 1]!;
  }

  /**
   * Drops every segment that `ack` covers entirely; returns the send time of the oldest one
   * dropped, or -1 when none was.
   */
  ackUpTo(ack: number): Nanos {
    let oldest = -1;
    this.newestAckedSentAt = -1;
    const ring = this.ring;
    const mask = (ring.length >> 1) - 1;
    while (this.count > 0 && seqLe(ring[2 * this.head]!, ack)) {
      if (oldest < 0) oldest = ring[2 * this.head + 1]!;
      this.newestAckedSentAt = ring[2 * this.head + 1]!;
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    return oldest;
  }

  /** Forgets every segment and releases the ring. */
  clear(): void {
    this.ring = NONE;
    this.head = 0;
    this.count = 0;
  }

  private grow(cap: number): void {
    const pairs = cap === 0 ? INITIAL_PAIRS : 2 * cap;
    const ring = newRing(pairs);
    const old = this.ring;
    for (let k = 0; k < this.count; k++) {
      const i = 2 * ((this.head + k) & (cap - 1));
      ring[2 * k] = old[i]!;
      ring[2 * k + 1] = old[i + 1]!;
    }
    this.ring = ring;
    this.head = 0;
  }
}
