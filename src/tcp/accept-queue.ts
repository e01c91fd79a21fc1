/**
 * A listener's accept queue (Linux icsk_accept_queue): connections whose handshake completed, in
 * arrival order, until accept() takes them. A ring sized once at listen(); the listener decides
 * when it is full (Linux sk_acceptq_is_full tests `len > backlog`), this file only keeps order and
 * the length and peak the metrics read.
 */
import type { ListenerStats } from './listener-stats.ts';

export class AcceptQueue<C> {
  private readonly ring: (C | undefined)[];
  private head = 0;

  constructor(
    capacity: number,
    private readonly stats: ListenerStats,
  ) {
    this.ring = new Array(capacity);
    stats.acceptQueueCapacity = capacity;
  }

  get length(): number {
    return this.stats.acceptQueueLen;
  }

  push(c: C): void {
    const st = this.stats;
    if (st.acceptQueueLen === this.ring.length)
      throw new Error('accept queue overflow: the listener must check fullness first');
    this.ring[(this.head + st.acceptQueueLen) % this.ring.length] = c;
    st.acceptQueueLen++;
    if (st.acceptQueueLen > st.acceptQueuePeak) st.acceptQueuePeak = st.acceptQueueLen;
  }

  /** The oldest connection, or null when empty. */
  shift(): C | null {
    const st = this.stats;
    if (st.acceptQueueLen === 0) return null;
    const c = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    st.acceptQueueLen--;
    return c;
  }
}
