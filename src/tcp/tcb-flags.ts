/**
 * The Tcb's yes/no state, packed: each of these was an object field of its own (8 bytes a
 * connection each, 38 of them), now one bit of two small-integer words read and written through
 * the accessors below, so the call sites read as fields still. Tcb extends this class; what each
 * flag means in the protocol is documented here, next to its accessor, or (for flags that gate a
 * group of fields) beside that group in tcb.ts. Issue 14: an established endpoint under 2 KB.
 *
 * Thirty flags a word: the words stay below 2^30, small integers on every V8 build (31-bit Smis
 * with pointer compression), so they are never boxed.
 */

const F_OWN_PARAMS = 1 << 0;
const F_METRICS_SAVED = 1 << 1;
const F_FIN_QUEUED = 1 << 2;
const F_FIN_RECEIVED = 1 << 3;
const F_WSCALE_OK = 1 << 4;
const F_SACK_OK = 1 << 5;
const F_TS_OK = 1 << 6;
const F_ECN_OK = 1 << 7;
const F_ECN_SEEN = 1 << 8;
const F_ECN_DEMAND_CWR = 1 << 9;
const F_ECN_QUEUE_CWR = 1 << 10;
const F_ORPHAN = 1 << 11;
const F_RCV_SHUT = 1 << 12;
const F_LINGER_ZERO = 1 << 13;
const F_NO_DELAY = 1 << 14;
const F_SEND_BLOCKED = 1 << 15;
const F_CORK = 1 << 16;
const F_MORE_HOLD = 1 << 17;
const F_PUSH_OVER_CORK = 1 << 18;
const F_RTO_IS_PROBE = 1 << 19;
const F_RTO_IS_REO = 1 << 20;
const F_TLP_ACTIVE = 1 << 21;
const F_TLP_RETRANS = 1 << 22;
const F_PACE_BATCH = 1 << 23;
const F_IN_RECOVERY = 1 << 24;
const F_IN_LOSS = 1 << 25;
const F_UNDO_ACTIVE = 1 << 26;
const F_FRTO = 1 << 27;
const F_ACK_ORIG = 1 << 28;
const F_RACK_ADVANCED = 1 << 29;
const F_RACK_DSACK_SEEN = 1 << 0;
const F_ACK_DSACK = 1 << 1;
const F_DSACK_PENDING = 1 << 2;
const F_IS_CWND_LIMITED = 1 << 3;
const F_ACK_PENDING = 1 << 4;
const F_ACK_NOW = 1 << 5;
const F_PINGPONG = 1 << 6;
const F_PACED = 1 << 7;

/** The flag `mask` of a word is set. */
function has(word: number, mask: number): boolean {
  return (word & mask) !== 0;
}

/** The word with the flag `mask` set to `v`. */
function put(word: number, mask: number, v: boolean): number {
  return v ? word | mask : word & ~mask;
}

export class TcbFlags {
  /** Flags 0 to 29, in the order below. */
  private flagWord0 = 0;
  /** Flags 30 on. */
  private flagWord1 = 0;

  /** params is this connection's own copy (a socket option changed a value). */
  get ownParams(): boolean {
    return has(this.flagWord0, F_OWN_PARAMS);
  }
  set ownParams(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_OWN_PARAMS, v);
  }

  /** This connection has written its destination metrics: tcp_update_metrics runs once (metrics-sync.ts). */
  get metricsSaved(): boolean {
    return has(this.flagWord0, F_METRICS_SAVED);
  }
  set metricsSaved(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_METRICS_SAVED, v);
  }

  /** The user shut the sending side: a FIN follows the data, at writeSeq. */
  get finQueued(): boolean {
    return has(this.flagWord0, F_FIN_QUEUED);
  }
  set finQueued(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_FIN_QUEUED, v);
  }

  /** The peer's FIN has been received in order. */
  get finReceived(): boolean {
    return has(this.flagWord0, F_FIN_RECEIVED);
  }
  set finReceived(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_FIN_RECEIVED, v);
  }

  /** Both SYNs carried window scale (RFC 7323 2.2). */
  get wscaleOk(): boolean {
    return has(this.flagWord0, F_WSCALE_OK);
  }
  set wscaleOk(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_WSCALE_OK, v);
  }

  /** Both SYNs carried SACK-permitted (RFC 2018 2). */
  get sackOk(): boolean {
    return has(this.flagWord0, F_SACK_OK);
  }
  set sackOk(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_SACK_OK, v);
  }

  /** Both SYNs carried timestamps (RFC 7323 3.2). */
  get tsOk(): boolean {
    return has(this.flagWord0, F_TS_OK);
  }
  set tsOk(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_TS_OK, v);
  }

  /** ECN negotiated (Linux TCP_ECN_OK). */
  get ecnOk(): boolean {
    return has(this.flagWord0, F_ECN_OK);
  }
  set ecnOk(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ECN_OK, v);
  }

  /** ECT or CE seen on arrival (TCPI_OPT_ECN_SEEN). */
  get ecnSeen(): boolean {
    return has(this.flagWord0, F_ECN_SEEN);
  }
  set ecnSeen(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ECN_SEEN, v);
  }

  /** CE arrived: ACKs carry ECE until the peer's CWR (TCP_ECN_DEMAND_CWR). */
  get ecnDemandCwr(): boolean {
    return has(this.flagWord0, F_ECN_DEMAND_CWR);
  }
  set ecnDemandCwr(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ECN_DEMAND_CWR, v);
  }

  /** The window was reduced for an ECE: the next new data carries CWR (TCP_ECN_QUEUE_CWR). */
  get ecnQueueCwr(): boolean {
    return has(this.flagWord0, F_ECN_QUEUE_CWR);
  }
  set ecnQueueCwr(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ECN_QUEUE_CWR, v);
  }

  /** close() was called: nobody will read or be told anything (Linux SOCK_DEAD). */
  get orphan(): boolean {
    return has(this.flagWord0, F_ORPHAN);
  }
  set orphan(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ORPHAN, v);
  }

  /** shutdown(rd) or close(): data arriving after our FIN is answered with RST (Linux RCV_SHUTDOWN). */
  get rcvShut(): boolean {
    return has(this.flagWord0, F_RCV_SHUT);
  }
  set rcvShut(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_RCV_SHUT, v);
  }

  /** SO_LINGER on with a zero timeout: close() aborts with a RST (Linux tcp_close, tcp_disconnect). */
  get lingerZero(): boolean {
    return has(this.flagWord0, F_LINGER_ZERO);
  }
  set lingerZero(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_LINGER_ZERO, v);
  }

  /** TCP_NODELAY: Nagle's algorithm is off (RFC 9293 3.7.4; the profile's nagle gives the default). */
  get noDelay(): boolean {
    return has(this.flagWord0, F_NO_DELAY);
  }
  set noDelay(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_NO_DELAY, v);
  }

  /** A send() was cut short: tell WRITABLE when space frees up. */
  get sendBlocked(): boolean {
    return has(this.flagWord0, F_SEND_BLOCKED);
  }
  set sendBlocked(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_SEND_BLOCKED, v);
  }

  /** TCP_CORK (Linux TCP_NAGLE_CORK): a partial segment at the tail waits, in flight or not. */
  get cork(): boolean {
    return has(this.flagWord0, F_CORK);
  }
  set cork(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_CORK, v);
  }

  /** The send() being pushed had MSG_MORE: corked for this push only (Linux tcp_push). */
  get moreHold(): boolean {
    return has(this.flagWord0, F_MORE_HOLD);
  }
  set moreHold(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_MORE_HOLD, v);
  }

  /**
   * TCP_NODELAY was set (Linux TCP_NAGLE_PUSH, set with TCP_NAGLE_OFF by setsockopt): pushes that
   * use the socket's Nagle mode ignore the cork; a MSG_MORE send still holds its own data.
   */
  get pushOverCork(): boolean {
    return has(this.flagWord0, F_PUSH_OVER_CORK);
  }
  set pushOverCork(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_PUSH_OVER_CORK, v);
  }

  /** The retransmission timer is armed as a tail-loss-probe timeout (Linux ICSK_TIME_LOSS_PROBE). */
  get rtoIsProbe(): boolean {
    return has(this.flagWord0, F_RTO_IS_PROBE);
  }
  set rtoIsProbe(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_RTO_IS_PROBE, v);
  }

  /** The retransmission timer is armed as RACK's reordering timer (Linux ICSK_TIME_REO_TIMEOUT, rack.ts). */
  get rtoIsReo(): boolean {
    return has(this.flagWord0, F_RTO_IS_REO);
  }
  set rtoIsReo(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_RTO_IS_REO, v);
  }

  /** A tail loss probe is out, covering up to tlpHigh (Linux tlp_high_seq); it resent data (tlp_retrans). */
  get tlpActive(): boolean {
    return has(this.flagWord0, F_TLP_ACTIVE);
  }
  set tlpActive(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_TLP_ACTIVE, v);
  }

  /** The tail loss probe out resent data rather than sending new data (Linux tlp_retrans). */
  get tlpRetrans(): boolean {
    return has(this.flagWord0, F_TLP_RETRANS);
  }
  set tlpRetrans(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_TLP_RETRANS, v);
  }

  /** The send loop is building a paced packet of several segments (it accounts for it itself). */
  get paceBatch(): boolean {
    return has(this.flagWord0, F_PACE_BATCH);
  }
  set paceBatch(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_PACE_BATCH, v);
  }

  /** In fast recovery (RFC 6582, RFC 6675; Linux TCP_CA_Recovery) until SND.UNA reaches `recover`. */
  get inRecovery(): boolean {
    return has(this.flagWord0, F_IN_RECOVERY);
  }
  set inRecovery(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_IN_RECOVERY, v);
  }

  /** After an RTO on a SACK connection, until SND.UNA reaches `recover` (Linux TCP_CA_Loss). */
  get inLoss(): boolean {
    return has(this.flagWord0, F_IN_LOSS);
  }
  set inLoss(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_IN_LOSS, v);
  }

  /** A reduction may still be undone (Linux undo_marker set): see undoMarker in tcb.ts. */
  get undoActive(): boolean {
    return has(this.flagWord0, F_UNDO_ACTIVE);
  }
  set undoActive(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_UNDO_ACTIVE, v);
  }

  /** F-RTO (RFC 5682, Linux tp->frto) is running for the current RTO episode. */
  get frto(): boolean {
    return has(this.flagWord0, F_FRTO);
  }
  set frto(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_FRTO, v);
  }

  /** The ACK being processed acknowledged or SACKed a segment never retransmitted, sent before `recover` (Linux FLAG_ORIG_SACK_ACKED). */
  get ackOrig(): boolean {
    return has(this.flagWord0, F_ACK_ORIG);
  }
  set ackOrig(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_ACK_ORIG, v);
  }

  /** RACK's most recent delivered segment moved on the ACK being processed (Linux rack.advanced). */
  get rackAdvanced(): boolean {
    return has(this.flagWord0, F_RACK_ADVANCED);
  }
  set rackAdvanced(v: boolean) {
    this.flagWord0 = put(this.flagWord0, F_RACK_ADVANCED, v);
  }

  /** A DSACK arrived since RACK's reordering window was last adjusted (Linux rack.dsack_seen): see rackReoWndSteps in tcb.ts. */
  get rackDsackSeen(): boolean {
    return has(this.flagWord1, F_RACK_DSACK_SEEN);
  }
  set rackDsackSeen(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_RACK_DSACK_SEEN, v);
  }

  /** The ACK being processed carried a DSACK (RFC 2883; Linux FLAG_DSACKING_ACK). */
  get ackDsack(): boolean {
    return has(this.flagWord1, F_ACK_DSACK);
  }
  set ackDsack(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_ACK_DSACK, v);
  }

  /** A duplicate [dsackStart, dsackEnd) arrived: the next ACK reports it first (RFC 2883, Linux rx_opt.dsack). */
  get dsackPending(): boolean {
    return has(this.flagWord1, F_DSACK_PENDING);
  }
  set dsackPending(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_DSACK_PENDING, v);
  }

  /** The send loop last ended with cwnd full (Linux is_cwnd_limited): see maxPacketsOut in tcb.ts. */
  get isCwndLimited(): boolean {
    return has(this.flagWord1, F_IS_CWND_LIMITED);
  }
  set isCwndLimited(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_IS_CWND_LIMITED, v);
  }

  /** A delayed ACK is owed (Linux ICSK_ACK_SCHED). */
  get ackPending(): boolean {
    return has(this.flagWord1, F_ACK_PENDING);
  }
  set ackPending(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_ACK_PENDING, v);
  }

  /** An immediate ACK is due (Linux ICSK_ACK_NOW). */
  get ackNow(): boolean {
    return has(this.flagWord1, F_ACK_NOW);
  }
  set ackNow(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_ACK_NOW, v);
  }

  /** Interactive mode: ACKs are delayed to ride on data (Linux inet_csk_in_pingpong_mode). */
  get pingpong(): boolean {
    return has(this.flagWord1, F_PINGPONG);
  }
  set pingpong(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_PINGPONG, v);
  }

  /** Pacing is on (tcp.pacing is not off): see wstamp in tcb.ts. Set once, by the Tcb's constructor. */
  get paced(): boolean {
    return has(this.flagWord1, F_PACED);
  }
  set paced(v: boolean) {
    this.flagWord1 = put(this.flagWord1, F_PACED, v);
  }
}
