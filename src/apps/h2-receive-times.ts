/**
 * When each byte of a received stream arrived, for head-of-line delay (transport HOL blocking).
 *
 * A byte arrives either in order (it is readable at once, and the application reads it at that
 * instant) or out of order: TCP holds it in its out-of-order queue, and the engine tells us
 * (`heldOutOfOrder`, src/tcp/recv-queue.ts) until the hole before it fills. So the arrival time of
 * a range is: for bytes some held segment carried, the earliest such arrival; for the others, the
 * time they were delivered. A frame "arrived" when its last byte did: that is when a receiver with
 * a byte stream per stream (QUIC, RFC 9000 2.2) could have read it. The difference to the time TCP
 * actually delivered it is the time it sat behind a hole that was not its own stream's.
 */
import type { Nanos } from '../sim/time.ts';
import type { OutOfOrderWatch } from '../stack/socket-api.ts';

export class ReceiveTimes implements OutOfOrderWatch {
  /** Held ranges as flat [start, end, time] triples in stream offsets (only while a hole exists). */
  private held: number[] = [];
  private cuts: number[] = [];

  /**
   * @param delivered where the stream's next in-order byte will be (bytes delivered so far,
   *   read or still readable): out-of-order offsets are counted from it.
   * @param now the clock.
   */
  constructor(
    private readonly delivered: () => number,
    private readonly now: () => Nanos,
  ) {}

  heldOutOfOrder(ahead: number, len: number): void {
    const start = this.delivered() + ahead;
    this.held.push(start, start + len, this.now());
  }

  /** Nothing is held (the usual case on a clean path). */
  get empty(): boolean {
    return this.held.length === 0;
  }

  /**
   * The latest arrival among the bytes [a, b), all delivered at `deliveredAt` (now): bytes no held
   * segment carried arrived then; the others when the first held copy came.
   */
  arrival(a: number, b: number, deliveredAt: Nanos): Nanos {
    const h = this.held;
    if (h.length === 0 || b <= a) return deliveredAt;
    const cuts = this.cuts;
    cuts.length = 0;
    cuts.push(a, b);
    for (let i = 0; i < h.length; i += 3) {
      if (h[i]! > a && h[i]! < b) cuts.push(h[i]!);
      if (h[i + 1]! > a && h[i + 1]! < b) cuts.push(h[i + 1]!);
    }
    cuts.sort((x, y) => x - y);
    let latest = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const lo = cuts[k]!;
      if (cuts[k + 1] === lo) continue;
      let t = deliveredAt;
      for (let i = 0; i < h.length; i += 3) if (h[i]! <= lo && h[i + 1]! > lo && h[i + 2]! < t) t = h[i + 2]!;
      if (t > latest) latest = t;
    }
    return latest;
  }

  /** Forgets held ranges wholly before `offset` (delivered and accounted for). */
  forgetBefore(offset: number): void {
    const h = this.held;
    if (h.length === 0) return;
    let w = 0;
    for (let i = 0; i < h.length; i += 3) {
      if (h[i + 1]! <= offset) continue;
      h[w] = h[i]!;
      h[w + 1] = h[i + 1]!;
      h[w + 2] = h[i + 2]!;
      w += 3;
    }
    h.length = w;
  }
}
