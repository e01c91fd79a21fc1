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

export class TcbFlags {
  /** Flags 0 to 29, in the order below. */
  private flagWord0 = 0;
  /** Flags 30 on. */
  private flagWord1 = 0;

  /** params is this connection's own copy (a socket option changed a value). */
  get ownParams(): boolean {
    return (this.flagWord0 & F_OWN_PARAMS) !== 0;
  }
  set ownParams(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_OWN_PARAMS : this.flagWord0 & ~F_OWN_PARAMS;
  }

  /** This connection has written its destination metrics: tcp_update_metrics runs once (metrics-sync.ts). */
  get metricsSaved(): boolean {
    return (this.flagWord0 & F_METRICS_SAVED) !== 0;
  }
  set metricsSaved(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_METRICS_SAVED : this.flagWord0 & ~F_METRICS_SAVED;
  }

  /** The user shut the sending side: a FIN follows the data, at writeSeq. */
  get finQueued(): boolean {
    return (this.flagWord0 & F_FIN_QUEUED) !== 0;
  }
  set finQueued(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_FIN_QUEUED : this.flagWord0 & ~F_FIN_QUEUED;
  }

  /** The peer's FIN has been received in order. */
  get finReceived(): boolean {
    return (this.flagWord0 & F_FIN_RECEIVED) !== 0;
  }
  set finReceived(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_FIN_RECEIVED : this.flagWord0 & ~F_FIN_RECEIVED;
  }

  /** Both SYNs carried window scale (RFC 7323 2.2). */
  get wscaleOk(): boolean {
    return (this.flagWord0 & F_WSCALE_OK) !== 0;
  }
  set wscaleOk(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_WSCALE_OK : this.flagWord0 & ~F_WSCALE_OK;
  }

  /** Both SYNs carried SACK-permitted (RFC 2018 2). */
  get sackOk(): boolean {
    return (this.flagWord0 & F_SACK_OK) !== 0;
  }
  set sackOk(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_SACK_OK : this.flagWord0 & ~F_SACK_OK;
  }

  /** Both SYNs carried timestamps (RFC 7323 3.2). */
  get tsOk(): boolean {
    return (this.flagWord0 & F_TS_OK) !== 0;
  }
  set tsOk(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_TS_OK : this.flagWord0 & ~F_TS_OK;
  }

  /** ECN negotiated (Linux TCP_ECN_OK). */
  get ecnOk(): boolean {
    return (this.flagWord0 & F_ECN_OK) !== 0;
  }
  set ecnOk(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ECN_OK : this.flagWord0 & ~F_ECN_OK;
  }

  /** ECT or CE seen on arrival (TCPI_OPT_ECN_SEEN). */
  get ecnSeen(): boolean {
    return (this.flagWord0 & F_ECN_SEEN) !== 0;
  }
  set ecnSeen(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ECN_SEEN : this.flagWord0 & ~F_ECN_SEEN;
  }

  /** CE arrived: ACKs carry ECE until the peer's CWR (TCP_ECN_DEMAND_CWR). */
  get ecnDemandCwr(): boolean {
    return (this.flagWord0 & F_ECN_DEMAND_CWR) !== 0;
  }
  set ecnDemandCwr(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ECN_DEMAND_CWR : this.flagWord0 & ~F_ECN_DEMAND_CWR;
  }

  /** The window was reduced for an ECE: the next new data carries CWR (TCP_ECN_QUEUE_CWR). */
  get ecnQueueCwr(): boolean {
    return (this.flagWord0 & F_ECN_QUEUE_CWR) !== 0;
  }
  set ecnQueueCwr(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ECN_QUEUE_CWR : this.flagWord0 & ~F_ECN_QUEUE_CWR;
  }

  /** close() was called: nobody will read or be told anything (Linux SOCK_DEAD). */
  get orphan(): boolean {
    return (this.flagWord0 & F_ORPHAN) !== 0;
  }
  set orphan(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ORPHAN : this.flagWord0 & ~F_ORPHAN;
  }

  /** shutdown(rd) or close(): data arriving after our FIN is answered with RST (Linux RCV_SHUTDOWN). */
  get rcvShut(): boolean {
    return (this.flagWord0 & F_RCV_SHUT) !== 0;
  }
  set rcvShut(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_RCV_SHUT : this.flagWord0 & ~F_RCV_SHUT;
  }

  /** SO_LINGER on with a zero timeout: close() aborts with a RST (Linux tcp_close, tcp_disconnect). */
  get lingerZero(): boolean {
    return (this.flagWord0 & F_LINGER_ZERO) !== 0;
  }
  set lingerZero(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_LINGER_ZERO : this.flagWord0 & ~F_LINGER_ZERO;
  }

  /** TCP_NODELAY: Nagle's algorithm is off (RFC 9293 3.7.4; the profile's nagle gives the default). */
  get noDelay(): boolean {
    return (this.flagWord0 & F_NO_DELAY) !== 0;
  }
  set noDelay(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_NO_DELAY : this.flagWord0 & ~F_NO_DELAY;
  }

  /** A send() was cut short: tell WRITABLE when space frees up. */
  get sendBlocked(): boolean {
    return (this.flagWord0 & F_SEND_BLOCKED) !== 0;
  }
  set sendBlocked(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_SEND_BLOCKED : this.flagWord0 & ~F_SEND_BLOCKED;
  }

  /** TCP_CORK (Linux TCP_NAGLE_CORK): a partial segment at the tail waits, in flight or not. */
  get cork(): boolean {
    return (this.flagWord0 & F_CORK) !== 0;
  }
  set cork(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_CORK : this.flagWord0 & ~F_CORK;
  }

  /** The send() being pushed had MSG_MORE: corked for this push only (Linux tcp_push). */
  get moreHold(): boolean {
    return (this.flagWord0 & F_MORE_HOLD) !== 0;
  }
  set moreHold(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_MORE_HOLD : this.flagWord0 & ~F_MORE_HOLD;
  }

  /**
   * TCP_NODELAY was set (Linux TCP_NAGLE_PUSH, set with TCP_NAGLE_OFF by setsockopt): pushes that
   * use the socket's Nagle mode ignore the cork; a MSG_MORE send still holds its own data.
   */
  get pushOverCork(): boolean {
    return (this.flagWord0 & F_PUSH_OVER_CORK) !== 0;
  }
  set pushOverCork(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_PUSH_OVER_CORK : this.flagWord0 & ~F_PUSH_OVER_CORK;
  }

  /** The retransmission timer is armed as a tail-loss-probe timeout (Linux ICSK_TIME_LOSS_PROBE). */
  get rtoIsProbe(): boolean {
    return (this.flagWord0 & F_RTO_IS_PROBE) !== 0;
  }
  set rtoIsProbe(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_RTO_IS_PROBE : this.flagWord0 & ~F_RTO_IS_PROBE;
  }

  /** The retransmission timer is armed as RACK's reordering timer (Linux ICSK_TIME_REO_TIMEOUT, rack.ts). */
  get rtoIsReo(): boolean {
    return (this.flagWord0 & F_RTO_IS_REO) !== 0;
  }
  set rtoIsReo(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_RTO_IS_REO : this.flagWord0 & ~F_RTO_IS_REO;
  }

  /** A tail loss probe is out, covering up to tlpHigh (Linux tlp_high_seq); it resent data (tlp_retrans). */
  get tlpActive(): boolean {
    return (this.flagWord0 & F_TLP_ACTIVE) !== 0;
  }
  set tlpActive(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_TLP_ACTIVE : this.flagWord0 & ~F_TLP_ACTIVE;
  }

  /** The tail loss probe out resent data rather than sending new data (Linux tlp_retrans). */
  get tlpRetrans(): boolean {
    return (this.flagWord0 & F_TLP_RETRANS) !== 0;
  }
  set tlpRetrans(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_TLP_RETRANS : this.flagWord0 & ~F_TLP_RETRANS;
  }

  /** The send loop is building a paced packet of several segments (it accounts for it itself). */
  get paceBatch(): boolean {
    return (this.flagWord0 & F_PACE_BATCH) !== 0;
  }
  set paceBatch(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_PACE_BATCH : this.flagWord0 & ~F_PACE_BATCH;
  }

  /** In fast recovery (RFC 6582, RFC 6675; Linux TCP_CA_Recovery) until SND.UNA reaches `recover`. */
  get inRecovery(): boolean {
    return (this.flagWord0 & F_IN_RECOVERY) !== 0;
  }
  set inRecovery(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_IN_RECOVERY : this.flagWord0 & ~F_IN_RECOVERY;
  }

  /** After an RTO on a SACK connection, until SND.UNA reaches `recover` (Linux TCP_CA_Loss). */
  get inLoss(): boolean {
    return (this.flagWord0 & F_IN_LOSS) !== 0;
  }
  set inLoss(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_IN_LOSS : this.flagWord0 & ~F_IN_LOSS;
  }

  /** A reduction may still be undone (Linux undo_marker set): see undoMarker in tcb.ts. */
  get undoActive(): boolean {
    return (this.flagWord0 & F_UNDO_ACTIVE) !== 0;
  }
  set undoActive(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_UNDO_ACTIVE : this.flagWord0 & ~F_UNDO_ACTIVE;
  }

  /** F-RTO (RFC 5682, Linux tp->frto) is running for the current RTO episode. */
  get frto(): boolean {
    return (this.flagWord0 & F_FRTO) !== 0;
  }
  set frto(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_FRTO : this.flagWord0 & ~F_FRTO;
  }

  /** The ACK being processed acknowledged or SACKed a segment never retransmitted, sent before `recover` (Linux FLAG_ORIG_SACK_ACKED). */
  get ackOrig(): boolean {
    return (this.flagWord0 & F_ACK_ORIG) !== 0;
  }
  set ackOrig(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_ACK_ORIG : this.flagWord0 & ~F_ACK_ORIG;
  }

  /** RACK's most recent delivered segment moved on the ACK being processed (Linux rack.advanced). */
  get rackAdvanced(): boolean {
    return (this.flagWord0 & F_RACK_ADVANCED) !== 0;
  }
  set rackAdvanced(v: boolean) {
    this.flagWord0 = v ? this.flagWord0 | F_RACK_ADVANCED : this.flagWord0 & ~F_RACK_ADVANCED;
  }

  /** A DSACK arrived since RACK's reordering window was last adjusted (Linux rack.dsack_seen): see rackReoWndSteps in tcb.ts. */
  get rackDsackSeen(): boolean {
    return (this.flagWord1 & F_RACK_DSACK_SEEN) !== 0;
  }
  set rackDsackSeen(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_RACK_DSACK_SEEN : this.flagWord1 & ~F_RACK_DSACK_SEEN;
  }

  /** The ACK being processed carried a DSACK (RFC 2883; Linux FLAG_DSACKING_ACK). */
  get ackDsack(): boolean {
    return (this.flagWord1 & F_ACK_DSACK) !== 0;
  }
  set ackDsack(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_ACK_DSACK : this.flagWord1 & ~F_ACK_DSACK;
  }

  /** A duplicate [dsackStart, dsackEnd) arrived: the next ACK reports it first (RFC 2883, Linux rx_opt.dsack). */
  get dsackPending(): boolean {
    return (this.flagWord1 & F_DSACK_PENDING) !== 0;
  }
  set dsackPending(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_DSACK_PENDING : this.flagWord1 & ~F_DSACK_PENDING;
  }

  /** The send loop last ended with cwnd full (Linux is_cwnd_limited): see maxPacketsOut in tcb.ts. */
  get isCwndLimited(): boolean {
    return (this.flagWord1 & F_IS_CWND_LIMITED) !== 0;
  }
  set isCwndLimited(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_IS_CWND_LIMITED : this.flagWord1 & ~F_IS_CWND_LIMITED;
  }

  /** A delayed ACK is owed (Linux ICSK_ACK_SCHED). */
  get ackPending(): boolean {
    return (this.flagWord1 & F_ACK_PENDING) !== 0;
  }
  set ackPending(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_ACK_PENDING : this.flagWord1 & ~F_ACK_PENDING;
  }

  /** An immediate ACK is due (Linux ICSK_ACK_NOW). */
  get ackNow(): boolean {
    return (this.flagWord1 & F_ACK_NOW) !== 0;
  }
  set ackNow(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_ACK_NOW : this.flagWord1 & ~F_ACK_NOW;
  }

  /** Interactive mode: ACKs are delayed to ride on data (Linux inet_csk_in_pingpong_mode). */
  get pingpong(): boolean {
    return (this.flagWord1 & F_PINGPONG) !== 0;
  }
  set pingpong(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_PINGPONG : this.flagWord1 & ~F_PINGPONG;
  }

  /** Pacing is on (tcp.pacing is not off): see wstamp in tcb.ts. Set once, by the Tcb's constructor. */
  get paced(): boolean {
    return (this.flagWord1 & F_PACED) !== 0;
  }
  set paced(v: boolean) {
    this.flagWord1 = v ? this.flagWord1 | F_PACED : this.flagWord1 & ~F_PACED;
  }
}
