/**
 * When each not-yet-acknowledged segment was first sent: a ring of (end sequence, send time)
 * pairs. It gives Linux-style RTT samples on every ACK (the oldest newly acknowledged segment,
 * tcp_clean_rtx_queue) and the first-transmission time of the head, which Linux uses as
 * retrans_stamp for the tcp_retries2 give-up. Retransmissions add nothing here; Karn's rule is
 * applied by the caller (no sample when the ACK covers retransmitted data).
 */
import type { Nanos } from '../sim/time.ts';
import { seqLe } from './seq.ts';

export class RtxQueue {
  private ends = new Float64Array(16);
  private times = new Float64Array(16);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Records a first transmission ending at `endSeq`. */
  push(endSeq: number, sentAt: Nanos): void {
    if (this.count === this.ends.length) this.grow();
    const i = (this.head + this.count) & (this.ends.length - 1);
    this.ends[i] = endSeq;
    this.times[i] = sentAt;
    this.count++;
  }

  /** Send time of the oldest outstanding segment, or -1. */
  headSentAt(): Nanos {
    return this.count === 0 ? -1 : this.times[this.head]!;
  }

  /**
   * Drops every segment that `ack` covers entirely; returns the send time of the oldest one
   * dropped, or -1 when none was.
   */
  ackUpTo(ack: number): Nanos {
    let oldest = -1;
    const mask = this.ends.length - 1;
    while (this.count > 0 && seqLe(this.ends[this.head]!, ack)) {
      if (oldest < 0) oldest = this.times[this.head]!;
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    return oldest;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const n = this.ends.length;
    const ends = new Float64Array(n * 2);
    const times = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      ends[k] = this.ends[i]!;
      times[k] = this.times[i]!;
    }
    this.ends = ends;
    this.times = times;
    this.head = 0;
  }
}
