/**
 * Always-on packet counters: plain number fields bumped on the hot path, read by metrics at the
 * end of a run (segments.dropped_loss, segments.dropped_queue, …) without any trace subscription.
 */

/** Network-wide totals. */
export interface NetCounters {
  /** Packets handed to the network by hosts (Host.send), whatever became of them. */
  sent: number;
  /** Packets delivered to the host they were addressed to. */
  delivered: number;
  /** Lost on a link (Bernoulli or Gilbert–Elliott loss). */
  droppedLoss: number;
  /** Dropped by a full drop-tail queue. */
  droppedQueue: number;
  /** Dropped where no route led to the destination (or at a host it was not addressed to). */
  droppedNoRoute: number;
  /** Dropped by a router: bigger than the next link's MTU with DF set (answered with ICMP fragmentation needed). */
  droppedMtu: number;
}

export function newNetCounters(): NetCounters {
  return { sent: 0, delivered: 0, droppedLoss: 0, droppedQueue: 0, droppedNoRoute: 0, droppedMtu: 0 };
}
