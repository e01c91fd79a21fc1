/**
 * The transmission control block (RFC 9293 3.3.1) with Linux's extra state. Plain mutable fields:
 * the state handlers, the output path and the timers all work on one Tcb; Connection (the public
 * class) extends it with the user calls. Names follow the RFC (sndUna = SND.UNA …) and, where
 * Linux has a name the RFC lacks, Linux's (writeSeq = write_seq, rcvWup = rcv_wup, ato …).
 */
import type { Nanos } from '../sim/time.ts';
import { ConnEvent, TcpState, type EngineOutput, type Endpoints, type Errno } from './api.ts';
import { createCongestionControl, type CongestionControl } from './congestion/cc.ts';
import type { RcvTuning } from './buffers.ts';
import type { SackScoreboard } from './sack-scoreboard.ts';
import type { DstMetrics } from './dst-metrics.ts';
import type { FastOpenState } from './fastopen.ts';
import type { TcpParams } from './params.ts';
import { ReceiveQueue } from './recv-queue.ts';
import { RttEstimator } from './rtt.ts';
import { RtxQueue } from './rtx-queue.ts';
import { seqSub } from './seq.ts';

/** Pending-notification bits, flushed in this order at the end of every entry point. */
export const EV_CONNECTED = 1;
export const EV_READABLE = 2;
export const EV_WRITABLE = 4;
export const EV_ERROR = 8;
export const EV_FREED = 16;

/** Shared by every connection without MSG_EOR records (most): replaced on the first push. */
const NO_RECORDS: number[] = [];
/** Shared by every connection without skb accounting (tcp.skbTruesize 0, send-skbs.ts). */
export const NO_SKBS: number[] = [];

/** Bytes of the timestamps option as it sits in every segment (10, padded to 12: RFC 7323 3.2). */
export const TS_OPTION_BYTES = 12;
/** RFC 9293 3.7.1: the MSS assumed when the peer's SYN carries none. */
export const DEFAULT_MSS = 536;

/** Linux tcp_notsent_lowat(): the socket's TCP_NOTSENT_LOWAT, else net.ipv4.tcp_notsent_lowat. */
export function notsentLowat(t: Tcb): number {
  return t.userNotsentLowat > 0 ? t.userNotsentLowat : t.params.notsentLowat;
}

/**
 * Linux __sk_stream_is_writeable(sk, wake = 1): free send space at least half of what is queued,
 * and the unsent bytes, doubled, below TCP_NOTSENT_LOWAT (tcp_stream_memory_free).
 */
export function streamWritable(t: Tcb): boolean {
  const queued = t.sendBuffered;
  const space = t.sndBuf - queued;
  if (space <= 0 || space * 2 < queued) return false;
  const unsent = seqSub(t.writeSeq, t.sndNxt);
  return (unsent > 0 ? unsent : 0) * 2 < notsentLowat(t);
}

export class Tcb {
  readonly ep: Endpoints;
  /**
   * Shared with the host or listener that made this connection (read-only in the common case);
   * setOption copies it first (copy-on-write, ownParams) so a change never touches anyone else's.
   * Saves a ~540 B copy per connection (tens of thousands sit in TIME-WAIT at once).
   */
  params: TcpParams;
  /** params is this connection's own copy (a socket option changed a value). */
  ownParams = false;
  readonly out: EngineOutput;
  state: TcpState = TcpState.CLOSED;
  /** Earliest timer deadline, or Infinity (the owner keeps one wake-up for it). */
  deadline: Nanos = Infinity;
  /** After a TIME-WAIT reopen: the ISS Linux would give the new incarnation (tw_snd_nxt + 65537). */
  reopenIsn = 0;
  /** The host's destination metrics (tcp_metrics), or null; metricsSaved: this connection wrote them. */
  metrics: DstMetrics | null = null;
  metricsSaved = false;
  /** TCP Fast Open state (fastopen.ts), null on connections that do not use it. */
  fo: FastOpenState | null = null;

  // --- Send sequence space (RFC 9293 3.3.1) ---
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence number sent so far (BSD snd_max): SND.NXT goes back to SND.UNA on an RTO. */
  sndMax = 0;
  /** Send window in bytes (already scaled). */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer has offered (RFC 5961 5.2 MAX.SND.WND). */
  maxSndWnd = 0;
  /** Sequence number after the last byte the user queued (Linux write_seq). */
  writeSeq = 0;
  /** The user shut the sending side: a FIN follows the data, at writeSeq. */
  finQueued = false;

  // --- Receive sequence space ---
  irs = 0;
  rcvNxt = 0;
  /** The window last advertised, in bytes, and RCV.NXT when it was (Linux rcv_wnd / rcv_wup). */
  rcvWnd = 0;
  rcvWup = 0;
  /** Linux rcv_ssthresh: the window grows towards the buffer as data arrives (tcp_grow_window). */
  rcvSsthresh = 0;
  /** The peer's FIN has been received in order. */
  finReceived = false;
  readonly rcvq = new ReceiveQueue();

  // --- Negotiated options ---
  /** Effective send MSS: min(peer MSS, ours) minus TCP options always sent (Linux mss_cache). */
  mss = DEFAULT_MSS;
  /** The MSS option we advertise. */
  advMss: number;
  /** The peer's MSS option (536 when absent). */
  peerMss = DEFAULT_MSS;
  /** Our window-scale offer in the SYN (-1 none) and the shifts in use once synchronized. */
  offeredWscale = -1;
  sndWscale = 0;
  rcvWscale = 0;
  /** Both SYNs carried window scale (RFC 7323 2.2). */
  wscaleOk = false;
  sackOk = false;
  tsOk = false;
  /** RFC 7323 TS.Recent and when it was stored. */
  tsRecent = 0;
  tsRecentAt: Nanos = 0;
  tsOffset = 0;
  /** Receiver's estimate of the peer's segment size (Linux icsk_ack.rcv_mss). */
  rcvMss = DEFAULT_MSS;

  // --- ECN (RFC 3168, ecn.ts) ---
  /** ECN negotiated (Linux TCP_ECN_OK). */
  ecnOk = false;
  /** ECT or CE seen on arrival (TCPI_OPT_ECN_SEEN). */
  ecnSeen = false;
  /** CE arrived: ACKs carry ECE until the peer's CWR (TCP_ECN_DEMAND_CWR). */
  ecnDemandCwr = false;
  /** The window was reduced for an ECE: the next new data carries CWR (TCP_ECN_QUEUE_CWR). */
  ecnQueueCwr = false;
  /** ECEs for data below this were answered already. */
  ecnRecover = 0;

  // --- User side ---
  /** close() was called: nobody will read or be told anything (Linux SOCK_DEAD). */
  orphan = false;
  /** shutdown(rd) or close(): data arriving after our FIN is answered with RST (Linux RCV_SHUTDOWN). */
  rcvShut = false;
  lingerZero = false;
  noDelay: boolean;
  /** A send() was cut short: tell WRITABLE when space frees up. */
  sendBlocked = false;
  /** TCP_NOTSENT_LOWAT set on the socket; 0 = the sysctl's (Linux tcp_notsent_lowat()). */
  userNotsentLowat = 0;
  /** TCP_CORK (Linux TCP_NAGLE_CORK): a partial segment at the tail waits, in flight or not. */
  cork = false;
  /** The send() being pushed had MSG_MORE: corked for this push only (Linux tcp_push). */
  moreHold = false;
  /**
   * TCP_NODELAY was set (Linux TCP_NAGLE_PUSH, set with TCP_NAGLE_OFF by setsockopt): pushes that
   * use the socket's Nagle mode ignore the cork; a MSG_MORE send still holds its own data.
   */
  pushOverCork = false;
  /** End of the last write without MSG_MORE (Linux pushed_seq): data past it goes without PSH. */
  pushSeq = 0;
  /**
   * Ends of MSG_EOR records not yet acknowledged, ascending (Linux TCP_SKB_CB(skb)->eor): no
   * segment, first transmission or retransmission, crosses one (tcp_skb_can_collapse_to).
   */
  recordEnds: number[] = NO_RECORDS;
  /** Send chronographs (chrono.ts, Linux tp->chrono_*): the running one, since when, and the sums. */
  chronoType = 0;
  chronoStart: Nanos = 0;
  chronoBusy: Nanos = 0;
  chronoRwnd: Nanos = 0;
  chronoSndbuf: Nanos = 0;
  /** With tcp.skbTruesize: start sequences of the send queue's skbs, ascending (send-skbs.ts). */
  skbStarts: number[] = NO_SKBS;
  /** With tcp.skbTruesize: ends of skbs marked PSH by a forced push (Linux tcp_mark_push), ascending. */
  pushMarks: number[] = NO_SKBS;
  /** With tcp.skbTruesize: Linux pushed_seq, write_seq at the last tcp_mark_push. */
  pushedSeq = 0;
  /** Receive and send buffer sizes now (Linux sk_rcvbuf / sk_sndbuf): autotuning grows them. */
  rcvBuf: number;
  sndBuf: number;
  /** Receive autotuning state, from the first in-order data on (buffers.ts). */
  rcvTuning: RcvTuning | null = null;

  // --- Timers (absolute deadlines, Infinity when off) ---
  rtoAt: Nanos = Infinity;
  /** The retransmission timer is armed as a tail-loss-probe timeout (Linux ICSK_TIME_LOSS_PROBE). */
  rtoIsProbe = false;
  /** The retransmission timer is armed as RACK's reordering timer (Linux ICSK_TIME_REO_TIMEOUT, rack.ts). */
  rtoIsReo = false;
  /** A tail loss probe is out, covering up to tlpHigh (Linux tlp_high_seq); it resent data (tlp_retrans). */
  tlpActive = false;
  tlpHigh = 0;
  tlpRetrans = false;
  /** Start of the last segment first sent (Linux's tail skb, what a probe resends). */
  tailSeq = 0;
  persistAt: Nanos = Infinity;
  delackAt: Nanos = Infinity;
  keepaliveAt: Nanos = Infinity;
  /** FIN_WAIT_2 (orphan) timeout or TIME-WAIT expiry, whichever state we are in. */
  closeAt: Nanos = Infinity;
  /**
   * Pacing (pacing.ts), with tcp.pacing on: the next packet's earliest departure time (Linux
   * tcp_wstamp_ns), the pacing timer (Linux's pacing hrtimer, or fq's wait; Infinity when off) and
   * the data segments sent (Linux data_segs_out: fq does not pace the first 10).
   */
  readonly paced: boolean;
  wstamp: Nanos = 0;
  paceAt: Nanos = Infinity;
  dataSegsOut = 0;
  /** The send loop is building a paced packet of several segments (it accounts for it itself). */
  paceBatch = false;

  readonly rtt: RttEstimator;
  readonly rtxq = new RtxQueue();
  /** Consecutive timeouts without progress (Linux icsk_retransmits). */
  retransmits = 0;
  /** First transmission time of the head when retransmitting began (Linux retrans_stamp), or -1. */
  retransStamp: Nanos = -1;
  /** End of the highest retransmitted range: ACKs below it give no RTT sample (Karn). */
  retxHigh = 0;
  /** When the first SYN went out (active open), or when the handshake began (passive). */
  openedAt: Nanos = -1;
  establishedAt: Nanos = -1;
  /** Unanswered zero-window or keepalive probes (Linux icsk_probes_out) and persist backoff. */
  probesOut = 0;
  persistBackoff = 0;
  /** When the persist timer first fired for the current zero window (Linux icsk_probes_tstamp), or -1. */
  probesStamp: Nanos = -1;

  // --- Congestion control and loss recovery ---
  cc: CongestionControl;
  dupAcks = 0;
  inRecovery = false;
  /** After an RTO on a SACK connection, until SND.UNA reaches `recover` (Linux TCP_CA_Loss). */
  inLoss = false;
  /**
   * Undo (Linux undo_marker, undo_retrans, prior_ssthresh): a reduction since SND.UNA was
   * undoMarker may be undone while undoActive; undoRetrans counts its retransmissions not yet
   * shown spurious by a DSACK (-1: none sent); the window to go back to.
   */
  undoActive = false;
  undoMarker = 0;
  undoRetrans = -1;
  priorSsthresh = 0;
  undoCwnd = 0;
  /**
   * Eifel (RFC 3522, Linux tcp_packet_delayed): the TS clock when the first repair of the
   * episode went out (Linux retrans_stamp in TS units), -1 when none; and the ACK being processed
   * echoed this TS value (Linux rx_opt.rcv_tsecr, 0: none).
   */
  retransTs = -1;
  ackTsecr = 0;
  /** F-RTO (RFC 5682, Linux tp->frto) is running for the current RTO episode. */
  frto = false;
  /** The ACK being processed acknowledged or SACKed a segment never retransmitted, sent before `recover` (Linux FLAG_ORIG_SACK_ACKED). */
  ackOrig = false;
  /** Timeouts undone as spurious (Linux LINUX_MIB_TCPSPURIOUSRTOS) and reductions undone (TCPLOSSUNDO + TCPFULLUNDO + TCPDSACKUNDO + TCPPARTIALUNDO). */
  spuriousRtos = 0;
  undos = 0;
  /** RFC 6582 "recover". */
  recover = 0;
  /** What the peer SACKed and the SACK recovery state, from the first SACK block on (sack-recovery.ts). */
  sack: SackScoreboard | null = null;
  /**
   * RACK (RFC 8985, Linux tp->rack, rack.ts): the last send time and end of the most recently
   * sent segment known delivered (-1: none yet), its RTT, and whether it moved since the last
   * loss scan.
   */
  rackXmit: Nanos = -1;
  rackEnd = 0;
  rackRtt: Nanos = 0;
  rackAdvanced = false;
  /**
   * RACK's reordering window in steps of min_rtt/4 (Linux rack.reo_wnd_steps), the recoveries it
   * persists for (reo_wnd_persist), a DSACK seen since the last ACK (dsack_seen) and when the
   * window last grew (Linux last_delivered, kept as a time).
   */
  rackReoWndSteps = 1;
  rackReoWndPersist = 0;
  rackDsackSeen = false;
  rackReoWndStamp: Nanos = 0;
  /** Linux tp->reordering (tcp_reordering, in segments) and reord_seen (reordering events seen). */
  reordering = 3;
  reordSeen = 0;
  /** The ACK being processed carried a DSACK (RFC 2883; Linux FLAG_DSACKING_ACK). */
  ackDsack = false;
  /** A duplicate [dsackStart, dsackEnd) arrived: the next ACK reports it first (RFC 2883, Linux rx_opt.dsack). */
  dsackPending = false;
  dsackStart = 0;
  dsackEnd = 0;
  /**
   * Linux tcp_cwnd_validate's record of how much of cwnd the current window used: the send loop
   * ended with the window full (is_cwnd_limited), else the most packets out (max_packets_out),
   * both kept until SND.UNA passes cwndUsageSeq (the SND.NXT when recorded).
   */
  isCwndLimited = false;
  maxPacketsOut = 0;
  cwndUsageSeq = 0;
  /** End of the last small segment sent (Linux snd_sml, for Minshall's Nagle check). */
  sndSml = 0;
  lastSendAt: Nanos = 0;

  // --- Delayed ACK (Linux icsk_ack) ---
  ackPending = false;
  /** An immediate ACK is due (Linux ICSK_ACK_NOW). */
  ackNow = false;
  /** Linux ICSK_ACK_PUSHED bits: small pushed segments arrived since the last ACK. */
  ackPushed = 0;
  /** ACK timeout estimate; 0 until the first data arrives. */
  ato: Nanos = 0;
  quickAcks = 0;
  pingpong = false;
  lastDataRcvAt: Nanos = 0;
  /** Last time any acceptable segment arrived (keepalive idleness). */
  lastRcvAt: Nanos = 0;
  /** Last ACK sent for an out-of-window segment (Linux tcp_oow_rate_limited). */
  lastOowAckAt: Nanos = -Infinity;

  // --- Counters for metrics ---
  segsOut = 0;
  retransSegs = 0;
  /**
   * Segments the peer has acknowledged or SACKed (Linux tp->delivered, TCP_INFO tcpi_delivered):
   * one for the handshake (our SYN, or our SYN-ACK: tcp_rcv_state_process), then the data
   * segments each ACK newly covers.
   */
  delivered = 0;
  bytesAckedTotal = 0;
  bytesReceivedTotal = 0;

  // --- Notifications ---
  events = 0;
  /** Error for the ERROR event being flushed. */
  eventErrno: Errno | null = null;
  /** Pending SO_ERROR. */
  softError: Errno | null = null;
  /**
   * Linux sk_err_soft: the last ICMP error of a synchronized connection (icmp-error.ts),
   * reported instead of ETIMEDOUT if the connection times out (tcp_write_err).
   */
  errSoft: Errno | null = null;
  /** Linux icsk_pmtu_cookie: the path MTU the MSS was computed for; 0 = the device MTU (advMss + 40). */
  pmtu = 0;
  /**
   * IP_MTU_DISCOVER (man 7 ip): 0 DONT (no DF bit, fragmentation-needed ignored), 1 WANT (Linux's
   * default for TCP), 2 DO (DF, follow the path MTU), 3 PROBE (DF, ignore the path MTU).
   */
  pmtuDisc = 1;
  /** IP_TOS: the TOS byte's DSCP bits this connection's packets carry (ECN bits stay the engine's). */
  ipTos = 0;

  constructor(ep: Endpoints, params: TcpParams, out: EngineOutput) {
    this.ep = ep;
    this.params = params;
    this.out = out;
    this.advMss = params.mss;
    this.noDelay = !params.nagle;
    this.rcvBuf = params.rcvBuf;
    this.sndBuf = params.sndBuf;
    this.paced = params.pacing !== 'off';
    this.rtt = new RttEstimator(params.initialRto, params.minRto, params.maxRto, params.profile === 'linux');
    this.cc = createCongestionControl(params, params.initCwnd);
  }

  // --- Derived quantities ---

  /** Sequence space sent and not acknowledged. */
  get flight(): number {
    return seqSub(this.sndNxt, this.sndUna);
  }

  /** Segments in flight, as Linux counts packets. */
  get packetsOut(): number {
    const f = seqSub(this.sndNxt, this.sndUna);
    return f <= 0 ? 0 : Math.ceil(f / this.mss);
  }

  /** Bytes queued by the user and not yet acknowledged. */
  get sendBuffered(): number {
    const first = this.dataStart();
    return seqSub(this.writeSeq, first);
  }

  /** Sequence number of the first unacknowledged data byte (past the SYN). */
  dataStart(): number {
    const synEnd = (this.iss + 1) >>> 0;
    return seqSub(this.sndUna, synEnd) < 0 ? synEnd : seqSub(this.sndUna, this.writeSeq) > 0 ? this.writeSeq : this.sndUna;
  }

  /** Our FIN has been sent (it sits at writeSeq). */
  get finSent(): boolean {
    return this.finQueued && seqSub(this.sndMax, this.writeSeq) > 0;
  }

  /** Our FIN has been acknowledged. */
  get finAcked(): boolean {
    return this.finQueued && seqSub(this.sndUna, this.writeSeq) > 0;
  }

  // --- State and notifications ---

  /** Every transition goes through here (the trace's `ev: state`). */
  setState(to: TcpState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    // A Fast Open child leaving SYN-RECEIVED frees its place in the listener's Fast Open queue
    // (Linux reqsk_fastopen_remove).
    if (from === TcpState.SYN_RCVD && this.fo !== null && this.fo.queue !== null) {
      this.fo.queue.qlen--;
      this.fo.queue = null;
    }
    this.out.stateChanged(this.ep, from, to);
    if (to === TcpState.CLOSED) this.onClosed();
  }

  /** Queues a socket notification for the end of the current entry point. */
  notify(ev: number): void {
    if (this.orphan && ev !== EV_FREED) return;
    this.events |= ev;
  }

  /** Records an asynchronous error (SO_ERROR) and queues its notification. */
  fail(errno: Errno): void {
    if (this.orphan) return;
    this.softError = errno;
    this.eventErrno = errno;
    this.events |= EV_ERROR;
  }

  /** Delivers queued notifications. Callbacks may call back into the connection. */
  flushEvents(): void {
    while (this.events !== 0) {
      const ev = this.events & -this.events;
      this.events &= ~ev;
      switch (ev) {
        case EV_CONNECTED: this.out.notify(this.ep, ConnEvent.CONNECTED); break;
        case EV_READABLE: this.out.notify(this.ep, ConnEvent.READABLE); break;
        case EV_WRITABLE: this.out.notify(this.ep, ConnEvent.WRITABLE); break;
        case EV_ERROR: this.out.notify(this.ep, ConnEvent.ERROR, this.eventErrno ?? undefined); break;
        case EV_FREED: this.out.notify(this.ep, ConnEvent.FREED); break;
      }
    }
  }

  /** The earliest armed timer. */
  updateDeadline(): void {
    let d = this.rtoAt;
    if (this.persistAt < d) d = this.persistAt;
    if (this.delackAt < d) d = this.delackAt;
    if (this.keepaliveAt < d) d = this.keepaliveAt;
    if (this.closeAt < d) d = this.closeAt;
    if (this.paceAt < d) d = this.paceAt;
    this.deadline = d;
  }

  private onClosed(): void {
    this.rtoAt = this.persistAt = this.delackAt = this.keepaliveAt = this.closeAt = this.paceAt = Infinity;
    this.deadline = Infinity;
    this.ackPending = false;
    this.rtxq.clear();
    this.events |= EV_FREED;
  }
}
