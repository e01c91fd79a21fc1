/**
 * The transmission control block (RFC 9293 3.3.1) with Linux's extra state. Plain mutable fields:
 * the state handlers, the output path and the timers all work on one Tcb; Connection (the public
 * class) extends it with the user calls, through ConnectionStatus (connection-status.ts: the
 * socket's queries). Names follow the RFC (sndUna = SND.UNA …) and, where Linux has a name the
 * RFC lacks, Linux's (writeSeq = write_seq, rcvWup = rcv_wup, ato …).
 * Send-side quantities derived from these fields as Linux computes them (linuxSndUna, sndWndEnd,
 * notsentLowat, streamWritable) are functions of the record, in send-space.ts.
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
import { linuxSndUna } from './send-space.ts';
import { seqSub } from './seq.ts';
import { TcbFlags } from './tcb-flags.ts';

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

/**
 * Initial values of Tcb.wide, one slot per accessor below (the slot index is in each accessor:
 * 0 and 2 to 47 in their order; 1 and 48 on, added later, where their fields stand). These fields hold uint32
 * sequence numbers, nanosecond times and windows: values beyond V8's 31-bit small integers (or
 * once so in any connection: V8 then stores the field as a double for all), so as object fields
 * each was a pointer to its own 16-byte HeapNumber (37 of them in an established connection,
 * ~600 B). Kept unboxed in one array of doubles instead (8 bytes a slot, one 24-byte header):
 * ~400 B less per connection (issue 14). The Infinity slots make the literal an array of doubles
 * from the start; slice() keeps that kind.
 */
const WIDE_INIT: number[] = [
  Infinity,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  Infinity,
  0,
  0,
  Infinity,
  Infinity,
  Infinity,
  Infinity,
  -1,
  0,
  -1,
  -1,
  -1,
  0,
  0,
  -1,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  -Infinity,
  0,
  0,
  0,
  0,
  Infinity,
];

export class Tcb extends TcbFlags {
  readonly ep: Endpoints;
  /**
   * Shared with the host or listener that made this connection (read-only in the common case);
   * setOption copies it first (copy-on-write, ownParams) so a change never touches anyone else's.
   * Saves a ~540 B copy per connection (tens of thousands sit in TIME-WAIT at once).
   */
  params: TcpParams;
  /** Sequence numbers and times, unboxed (WIDE_INIT); read and written through the accessors below. */
  private readonly wide: number[] = WIDE_INIT.slice();
  readonly out: EngineOutput;
  state: TcpState = TcpState.CLOSED;
  /** Earliest timer deadline, or Infinity (the owner keeps one wake-up for it). */
  get deadline(): Nanos {
    return this.wide[0]!;
  }
  set deadline(v: Nanos) {
    this.wide[0] = v;
  }
  // wide[1] is ackTsecr (below, with the Eifel fields), which took the slot of the TIME-WAIT
  // reopen ISS (now HostTcp.takeOverTimeWait's answer).
  /** The host's destination metrics (tcp_metrics), or null; metricsSaved: this connection wrote them. */
  metrics: DstMetrics | null = null;
  /** TCP Fast Open state (fastopen.ts), null on connections that do not use it. */
  fo: FastOpenState | null = null;

  // --- Send sequence space (RFC 9293 3.3.1) ---
  get iss(): number {
    return this.wide[2]!;
  }
  set iss(v: number) {
    this.wide[2] = v;
  }
  get sndUna(): number {
    return this.wide[3]!;
  }
  set sndUna(v: number) {
    this.wide[3] = v;
  }
  get sndNxt(): number {
    return this.wide[4]!;
  }
  set sndNxt(v: number) {
    this.wide[4] = v;
  }
  /** Highest sequence number sent so far (BSD snd_max): SND.NXT goes back to SND.UNA on an RTO. */
  get sndMax(): number {
    return this.wide[5]!;
  }
  set sndMax(v: number) {
    this.wide[5] = v;
  }
  /** Send window in bytes (already scaled). */
  get sndWnd(): number {
    return this.wide[48]!;
  }
  set sndWnd(v: number) {
    this.wide[48] = v;
  }
  get sndWl1(): number {
    return this.wide[6]!;
  }
  set sndWl1(v: number) {
    this.wide[6] = v;
  }
  get sndWl2(): number {
    return this.wide[7]!;
  }
  set sndWl2(v: number) {
    this.wide[7] = v;
  }
  /** Largest window the peer has offered (RFC 5961 5.2 MAX.SND.WND). */
  get maxSndWnd(): number {
    return this.wide[49]!;
  }
  set maxSndWnd(v: number) {
    this.wide[49] = v;
  }
  /** Sequence number after the last byte the user queued (Linux write_seq). */
  get writeSeq(): number {
    return this.wide[8]!;
  }
  set writeSeq(v: number) {
    this.wide[8] = v;
  }

  // --- Receive sequence space ---
  get irs(): number {
    return this.wide[9]!;
  }
  set irs(v: number) {
    this.wide[9] = v;
  }
  get rcvNxt(): number {
    return this.wide[10]!;
  }
  set rcvNxt(v: number) {
    this.wide[10] = v;
  }
  /** The window last advertised, in bytes, and RCV.NXT when it was (Linux rcv_wnd / rcv_wup). */
  rcvWnd = 0;
  get rcvWup(): number {
    return this.wide[11]!;
  }
  set rcvWup(v: number) {
    this.wide[11] = v;
  }
  /** Linux rcv_ssthresh: the window grows towards the buffer as data arrives (tcp_grow_window). */
  rcvSsthresh = 0;
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
  /** RFC 7323 TS.Recent and when it was stored. */
  get tsRecent(): number {
    return this.wide[12]!;
  }
  set tsRecent(v: number) {
    this.wide[12] = v;
  }
  get tsRecentAt(): Nanos {
    return this.wide[13]!;
  }
  set tsRecentAt(v: Nanos) {
    this.wide[13] = v;
  }
  get tsOffset(): number {
    return this.wide[14]!;
  }
  set tsOffset(v: number) {
    this.wide[14] = v;
  }
  /** Receiver's estimate of the peer's segment size (Linux icsk_ack.rcv_mss). */
  rcvMss = DEFAULT_MSS;

  // --- ECN (RFC 3168, ecn.ts) ---
  /** ECEs for data below this were answered already. */
  get ecnRecover(): number {
    return this.wide[15]!;
  }
  set ecnRecover(v: number) {
    this.wide[15] = v;
  }

  // --- User side ---
  /** TCP_NOTSENT_LOWAT set on the socket; 0 = the sysctl's (Linux tcp_notsent_lowat()). */
  userNotsentLowat = 0;
  /** End of the last write without MSG_MORE (Linux pushed_seq): data past it goes without PSH. */
  get pushSeq(): number {
    return this.wide[16]!;
  }
  set pushSeq(v: number) {
    this.wide[16] = v;
  }
  /**
   * Ends of MSG_EOR records not yet acknowledged, ascending (Linux TCP_SKB_CB(skb)->eor): no
   * segment, first transmission or retransmission, crosses one (tcp_skb_can_collapse_to).
   */
  recordEnds: number[] = NO_RECORDS;
  /** Send chronographs (chrono.ts, Linux tp->chrono_*): the running one, since when, and the sums. */
  chronoType = 0;
  get chronoStart(): Nanos {
    return this.wide[17]!;
  }
  set chronoStart(v: Nanos) {
    this.wide[17] = v;
  }
  get chronoBusy(): Nanos {
    return this.wide[18]!;
  }
  set chronoBusy(v: Nanos) {
    this.wide[18] = v;
  }
  get chronoRwnd(): Nanos {
    return this.wide[19]!;
  }
  set chronoRwnd(v: Nanos) {
    this.wide[19] = v;
  }
  get chronoSndbuf(): Nanos {
    return this.wide[20]!;
  }
  set chronoSndbuf(v: Nanos) {
    this.wide[20] = v;
  }
  /** With tcp.skbTruesize: start sequences of the send queue's skbs, ascending (send-skbs.ts). */
  skbStarts: number[] = NO_SKBS;
  /** With tcp.skbTruesize: ends of skbs marked PSH by a forced push (Linux tcp_mark_push), ascending. */
  pushMarks: number[] = NO_SKBS;
  /** With tcp.skbTruesize: Linux pushed_seq, write_seq at the last tcp_mark_push. */
  get pushedSeq(): number {
    return this.wide[21]!;
  }
  set pushedSeq(v: number) {
    this.wide[21] = v;
  }
  /** Receive and send buffer sizes now (Linux sk_rcvbuf / sk_sndbuf): autotuning grows them. */
  rcvBuf: number;
  sndBuf: number;
  /** Receive autotuning state, from the first in-order data on (buffers.ts). */
  rcvTuning: RcvTuning | null = null;

  // --- Timers (absolute deadlines, Infinity when off) ---
  get rtoAt(): Nanos {
    return this.wide[22]!;
  }
  set rtoAt(v: Nanos) {
    this.wide[22] = v;
  }
  /** The highest sequence number a tail loss probe out covers (Linux tlp_high_seq; tlpActive: one is out). */
  get tlpHigh(): number {
    return this.wide[23]!;
  }
  set tlpHigh(v: number) {
    this.wide[23] = v;
  }
  /** Start of the last segment first sent (Linux's tail skb, what a probe resends). */
  get tailSeq(): number {
    return this.wide[24]!;
  }
  set tailSeq(v: number) {
    this.wide[24] = v;
  }
  get persistAt(): Nanos {
    return this.wide[25]!;
  }
  set persistAt(v: Nanos) {
    this.wide[25] = v;
  }
  get delackAt(): Nanos {
    return this.wide[26]!;
  }
  set delackAt(v: Nanos) {
    this.wide[26] = v;
  }
  get keepaliveAt(): Nanos {
    return this.wide[27]!;
  }
  set keepaliveAt(v: Nanos) {
    this.wide[27] = v;
  }
  /** FIN_WAIT_2 (orphan) timeout or TIME-WAIT expiry, whichever state we are in. */
  get closeAt(): Nanos {
    return this.wide[28]!;
  }
  set closeAt(v: Nanos) {
    this.wide[28] = v;
  }
  /**
   * Pacing (pacing.ts), with tcp.pacing on: the next packet's earliest departure time (Linux
   * tcp_wstamp_ns), the pacing timer (Linux's pacing hrtimer, or fq's wait; Infinity when off) and
   * the data segments sent (Linux data_segs_out: fq does not pace the first 10).
   */
  wstamp: Nanos = 0;
  get paceAt(): Nanos {
    return this.wide[50]!;
  }
  set paceAt(v: Nanos) {
    this.wide[50] = v;
  }
  dataSegsOut = 0;

  readonly rtt: RttEstimator;
  readonly rtxq = new RtxQueue();
  /** Consecutive timeouts without progress (Linux icsk_retransmits). */
  retransmits = 0;
  /** First transmission time of the head when retransmitting began (Linux retrans_stamp), or -1. */
  get retransStamp(): Nanos {
    return this.wide[29]!;
  }
  set retransStamp(v: Nanos) {
    this.wide[29] = v;
  }
  /** End of the highest retransmitted range: ACKs below it give no RTT sample (Karn). */
  get retxHigh(): number {
    return this.wide[30]!;
  }
  set retxHigh(v: number) {
    this.wide[30] = v;
  }
  /** When the first SYN went out (active open), or when the handshake began (passive). */
  get openedAt(): Nanos {
    return this.wide[31]!;
  }
  set openedAt(v: Nanos) {
    this.wide[31] = v;
  }
  get establishedAt(): Nanos {
    return this.wide[32]!;
  }
  set establishedAt(v: Nanos) {
    this.wide[32] = v;
  }
  /** Unanswered zero-window or keepalive probes (Linux icsk_probes_out) and persist backoff. */
  probesOut = 0;
  persistBackoff = 0;
  /** When the persist timer first fired for the current zero window (Linux icsk_probes_tstamp), or -1. */
  get probesStamp(): Nanos {
    return this.wide[33]!;
  }
  set probesStamp(v: Nanos) {
    this.wide[33] = v;
  }

  // --- Congestion control and loss recovery ---
  cc: CongestionControl;
  dupAcks = 0;
  /**
   * Undo (Linux undo_marker, undo_retrans, prior_ssthresh): a reduction since SND.UNA was
   * undoMarker may be undone while undoActive; undoRetrans counts its retransmissions not yet
   * shown spurious by a DSACK (-1: none sent); the window to go back to.
   */
  get undoMarker(): number {
    return this.wide[34]!;
  }
  set undoMarker(v: number) {
    this.wide[34] = v;
  }
  undoRetrans = -1;
  priorSsthresh = 0;
  undoCwnd = 0;
  /**
   * Eifel (RFC 3522, Linux tcp_packet_delayed): the TS clock when the first repair of the
   * episode went out (Linux retrans_stamp in TS units), -1 when none; and the ACK being processed
   * echoed this TS value (Linux rx_opt.rcv_tsecr, 0: none).
   */
  retransTs = -1;
  get ackTsecr(): number {
    return this.wide[1]!;
  }
  set ackTsecr(v: number) {
    this.wide[1] = v;
  }
  /** Timeouts undone as spurious (Linux LINUX_MIB_TCPSPURIOUSRTOS) and reductions undone (TCPLOSSUNDO + TCPFULLUNDO + TCPDSACKUNDO + TCPPARTIALUNDO). */
  spuriousRtos = 0;
  undos = 0;
  /** RFC 6582 "recover". */
  get recover(): number {
    return this.wide[35]!;
  }
  set recover(v: number) {
    this.wide[35] = v;
  }
  /** What the peer SACKed and the SACK recovery state, from the first SACK block on (sack-recovery.ts). */
  sack: SackScoreboard | null = null;
  /**
   * RACK (RFC 8985, Linux tp->rack, rack.ts): the last send time and end of the most recently
   * sent segment known delivered (-1: none yet), its RTT, and whether it moved since the last
   * loss scan.
   */
  get rackXmit(): Nanos {
    return this.wide[36]!;
  }
  set rackXmit(v: Nanos) {
    this.wide[36] = v;
  }
  get rackEnd(): number {
    return this.wide[37]!;
  }
  set rackEnd(v: number) {
    this.wide[37] = v;
  }
  rackRtt: Nanos = 0;
  /**
   * RACK's reordering window in steps of min_rtt/4 (Linux rack.reo_wnd_steps), the recoveries it
   * persists for (reo_wnd_persist), a DSACK seen since the last ACK (dsack_seen) and when the
   * window last grew (Linux last_delivered, kept as a time).
   */
  rackReoWndSteps = 1;
  rackReoWndPersist = 0;
  rackReoWndStamp: Nanos = 0;
  /** Linux tp->reordering (tcp_reordering, in segments) and reord_seen (reordering events seen). */
  reordering = 3;
  reordSeen = 0;
  get dsackStart(): number {
    return this.wide[38]!;
  }
  set dsackStart(v: number) {
    this.wide[38] = v;
  }
  get dsackEnd(): number {
    return this.wide[39]!;
  }
  set dsackEnd(v: number) {
    this.wide[39] = v;
  }
  /**
   * Linux tcp_cwnd_validate's record of how much of cwnd the current window used: the send loop
   * ended with the window full (is_cwnd_limited), else the most packets out (max_packets_out),
   * both kept until SND.UNA passes cwndUsageSeq (the SND.NXT when recorded).
   */
  maxPacketsOut = 0;
  get cwndUsageSeq(): number {
    return this.wide[40]!;
  }
  set cwndUsageSeq(v: number) {
    this.wide[40] = v;
  }
  /** End of the last small segment sent (Linux snd_sml, for Minshall's Nagle check). */
  get sndSml(): number {
    return this.wide[41]!;
  }
  set sndSml(v: number) {
    this.wide[41] = v;
  }
  get lastSendAt(): Nanos {
    return this.wide[42]!;
  }
  set lastSendAt(v: Nanos) {
    this.wide[42] = v;
  }

  // --- Delayed ACK (Linux icsk_ack) ---
  /** Linux ICSK_ACK_PUSHED bits: small pushed segments arrived since the last ACK. */
  ackPushed = 0;
  /** ACK timeout estimate; 0 until the first data arrives. */
  ato: Nanos = 0;
  quickAcks = 0;
  get lastDataRcvAt(): Nanos {
    return this.wide[43]!;
  }
  set lastDataRcvAt(v: Nanos) {
    this.wide[43] = v;
  }
  /** Last time any acceptable segment arrived (keepalive idleness). */
  get lastRcvAt(): Nanos {
    return this.wide[44]!;
  }
  set lastRcvAt(v: Nanos) {
    this.wide[44] = v;
  }
  /** Last ACK sent for an out-of-window segment (Linux tcp_oow_rate_limited). */
  get lastOowAckAt(): Nanos {
    return this.wide[45]!;
  }
  set lastOowAckAt(v: Nanos) {
    this.wide[45] = v;
  }

  // --- Counters for metrics ---
  segsOut = 0;
  retransSegs = 0;
  /**
   * Segments the peer has acknowledged or SACKed (Linux tp->delivered, TCP_INFO tcpi_delivered):
   * one for the handshake (our SYN, or our SYN-ACK: tcp_rcv_state_process), then the data
   * segments each ACK newly covers.
   */
  delivered = 0;
  get bytesAckedTotal(): number {
    return this.wide[46]!;
  }
  set bytesAckedTotal(v: number) {
    this.wide[46] = v;
  }
  get bytesReceivedTotal(): number {
    return this.wide[47]!;
  }
  set bytesReceivedTotal(v: number) {
    this.wide[47] = v;
  }

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
    super();
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
    const f = seqSub(this.sndNxt, linuxSndUna(this));
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
    return seqSub(this.sndUna, synEnd) < 0
      ? synEnd
      : seqSub(this.sndUna, this.writeSeq) > 0
        ? this.writeSeq
        : this.sndUna;
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
        case EV_CONNECTED:
          this.out.notify(this.ep, ConnEvent.CONNECTED);
          break;
        case EV_READABLE:
          this.out.notify(this.ep, ConnEvent.READABLE);
          break;
        case EV_WRITABLE:
          this.out.notify(this.ep, ConnEvent.WRITABLE);
          break;
        case EV_ERROR:
          this.out.notify(this.ep, ConnEvent.ERROR, this.eventErrno ?? undefined);
          break;
        case EV_FREED:
          this.out.notify(this.ep, ConnEvent.FREED);
          break;
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
