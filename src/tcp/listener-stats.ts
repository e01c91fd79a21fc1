/**
 * A listener's counters, plain numbers read at any time by metrics (syn_queue.*, accept_queue.*,
 * syn_cookies.*). Reasons are kept apart so a figure can tell a full queue from a timeout.
 */
export class ListenerStats {
  /** Current lengths and the sizes they may reach (DESIGN.md: min(backlog, somaxconn) + 1). */
  synQueueLen = 0;
  acceptQueueLen = 0;
  synQueueCapacity = 0;
  acceptQueueCapacity = 0;
  synQueuePeak = 0;
  acceptQueuePeak = 0;

  // SYN-queue losses
  /** SYNs dropped because the SYN queue was full and no cookie could be sent. */
  synDropFull = 0;
  /**
   * SYNs dropped, cookies off, because the last quarter of tcp_max_syn_backlog is kept for
   * proven peers and this one was not (Linux tcp_conn_request, "drop open request from").
   */
  synDropUnproven = 0;
  /** Duplicate SYNs and out-of-window segments left unanswered by tcp_invalid_ratelimit (TCPACKSkippedSynRecv). */
  oowRateLimited = 0;
  /** Half-open entries evicted to make room (RFC 4987 recycle-oldest). */
  synDropRecycled = 0;
  /** Half-open entries evicted from a full SYN-cache bucket. */
  synDropEvicted = 0;
  /** Requests whose SYN-ACK retries (or SYN-RECEIVED timer) ran out. */
  synExpired = 0;
  /** Of those, expired early by young/old pruning (the queue was over half full). */
  synPruned = 0;
  /** Requests ended by the peer's RST or an in-window SYN. */
  synReset = 0;

  // accept-queue losses (Linux ListenOverflows)
  /** SYNs dropped because the accept queue was full. */
  acceptDropSyn = 0;
  /** Final ACKs dropped on a full accept queue; the SYN-ACK is retransmitted later. */
  acceptDropAck = 0;
  /** Final ACKs answered with RST on a full accept queue (abortOnOverflow). */
  acceptAbort = 0;
  /** Valid cookie ACKs dropped on a full accept queue. */
  acceptDropCookie = 0;

  cookiesSent = 0;
  cookiesAccepted = 0;
  /** Cookie ACKs that failed validation (forged or expired): answered with RST. */
  cookiesFailed = 0;
  synAcksSent = 0;
  synAcksRetransmitted = 0;
  /** Connections completed (moved to the accept queue). */
  completed = 0;

  /**
   * syn_queue.drops: SYNs that got no SYN-ACK because a queue was full and no cookie went out
   * (the SYN queue, or the accept queue as Linux checks it) or its last quarter was kept for
   * proven peers, plus half-open entries evicted to make room (recycle-oldest, SYN-cache buckets).
   */
  get synQueueDrops(): number {
    return this.synDropFull + this.synDropUnproven + this.acceptDropSyn + this.synDropRecycled + this.synDropEvicted;
  }

  /** accept_queue.drops: final ACKs (request or cookie) dropped or reset on a full accept queue. */
  get acceptQueueDrops(): number {
    return this.acceptDropAck + this.acceptAbort + this.acceptDropCookie;
  }
}
