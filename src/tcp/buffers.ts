/**
 * Socket buffer sizing as Linux does it: the receive buffer grows with what the application reads
 * per round trip (Linux tcp_rcv_space_adjust, "dynamic right-sizing"), measured against the
 * receiver's own RTT estimate (tcp_rcv_rtt_measure / _measure_ts); the send buffer grows to hold
 * two congestion windows (tcp_sndbuf_expand). SO_RCVBUF / SO_SNDBUF lock a buffer's size
 * (sk_userlocks). Sizes are bytes of payload: the send buffer is not charged per skb truesize.
 *
 * The receive-side state is allocated on the first in-order data, so the tens of thousands of
 * connections that never move data carry one null field.
 */
import { MS, type Nanos } from '../sim/time.ts';
import { perMssTruesize } from './send-skbs.ts';
import { seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { tsValue } from './window.ts';

/** Linux TCP_INIT_CWND: the first receive-space estimate is ten segments. */
const INIT_SEGMENTS = 10;

/** Receive autotuning state (Linux tp->rcvq_space and tp->rcv_rtt_est). */
export class RcvTuning {
  /** Bytes the application read in the last measured round trip (rcvq_space.space). */
  space: number;
  /** copied when the current measurement began (rcvq_space.seq) and its start (rcvq_space.time). */
  spaceCopied = 0;
  spaceTime: Nanos;
  /** Bytes the application has read (copied_seq, counted from zero). */
  copied = 0;
  /** Receiver-side RTT estimate, 0 until a sample (rcv_rtt_est.rtt_us, not scaled by 8). */
  rtt: Nanos = 0;
  /** Without timestamps: the sequence whose arrival closes the current sample, and its start. */
  rttSeq = 0;
  rttTime: Nanos = -1;
  /** TSecr of the last timestamp sample (rcv_rtt_last_tsecr): one sample per echoed value. */
  lastTsecr = 0;

  constructor(space: number, now: Nanos) {
    this.space = space;
    this.spaceTime = now;
  }
}

/** Bytes of the receive buffer that may be offered as window (tcp_win_from_space: half of it). */
export function rcvWindowSpace(t: Tcb): number {
  return Math.floor(t.rcvBuf / 2);
}

/** The buffer that offers `win` bytes of window (tcp_space_from_win). */
function spaceFromWindow(win: number): number {
  return win * 2;
}

/** Linux tcp_init_buffer_space, at ESTABLISHED: the send buffer is sized for the initial window. */
export function initBuffers(t: Tcb): void {
  sndBufExpand(t);
}

function tuning(t: Tcb, now: Nanos): RcvTuning {
  if (t.rcvTuning === null) {
    let space = INIT_SEGMENTS * t.advMss;
    if (t.rcvSsthresh < space) space = t.rcvSsthresh;
    if (t.rcvWnd > 0 && t.rcvWnd < space) space = t.rcvWnd;
    t.rcvTuning = new RcvTuning(space, now);
  }
  return t.rcvTuning;
}

/** Linux tcp_rcv_rtt_update: a minimum filter for window-based samples, an EWMA (1/8) for timestamps. */
function rcvRttUpdate(r: RcvTuning, sample: Nanos, windowBased: boolean): void {
  if (r.rtt === 0 || sample < r.rtt) {
    r.rtt = sample;
  } else if (!windowBased) {
    r.rtt = r.rtt - r.rtt / 8 + sample / 8;
  }
}

/**
 * In-order data of `len` bytes arrived (after RCV.NXT moved): a receiver RTT sample, from the
 * timestamp echo when timestamps are on (tcp_rcv_rtt_measure_ts: full-sized segments, one sample
 * per TSecr), else once per window of data (tcp_rcv_rtt_measure).
 */
export function rcvRttMeasure(t: Tcb, len: number, tsecr: number, now: Nanos): void {
  const r = tuning(t, now);
  if (t.tsOk) {
    if (tsecr === 0 || tsecr === r.lastTsecr) return;
    r.lastTsecr = tsecr;
    if (len < t.rcvMss) return;
    const ms = seqSub(tsValue(t.tsOffset, now), tsecr);
    // Linux keeps microseconds; a delta under one clock tick counts as one.
    if (ms >= 0) rcvRttUpdate(r, (ms === 0 ? 1 : ms) * MS, false);
    return;
  }
  if (r.rttTime >= 0) {
    if (seqSub(t.rcvNxt, r.rttSeq) < 0) return;
    const delta = now - r.rttTime;
    rcvRttUpdate(r, delta > 0 ? delta : 1, true);
  }
  r.rttSeq = (t.rcvNxt + t.rcvWnd) >>> 0;
  r.rttTime = now;
}

/**
 * The application read `copied` bytes (Linux tcp_rcv_space_adjust, from tcp_recvmsg): once per
 * receiver RTT, if it read more than in the previous RTT, the buffer grows to twice that plus 16
 * segments, plus twice the growth (the sender may be doubling its rate in slow start), capped at
 * tcp_rmem[2].
 */
export function rcvSpaceAdjust(t: Tcb, copied: number, now: Nanos): void {
  const r = tuning(t, now);
  r.copied += copied;
  if (r.rtt === 0 || now - r.spaceTime < r.rtt) return;
  const got = r.copied - r.spaceCopied;
  if (got > r.space) {
    if (t.params.moderateRcvbuf && !t.params.rcvBufLock) {
      let rcvwin = 2 * got + 16 * t.advMss;
      rcvwin += 2 * Math.floor((rcvwin * (got - r.space)) / r.space);
      let rcvbuf = spaceFromWindow(rcvwin);
      if (rcvbuf > t.params.rcvBufMax) rcvbuf = t.params.rcvBufMax;
      if (rcvbuf > t.rcvBuf) t.rcvBuf = rcvbuf; // the window clamp follows (rcvWindowSpace)
    }
    r.space = got;
  }
  r.spaceCopied = r.copied;
  r.spaceTime = now;
}

/**
 * Linux tcp_sndbuf_expand: room for two congestion windows of full segments (at least the initial
 * window, at least tcp_reordering + 1), capped at tcp_wmem[2]; never shrinks, never when locked.
 */
export function sndBufExpand(t: Tcb): void {
  const p = t.params;
  if (!p.sndBufGrowth || p.sndBufLock) return;
  let segs = t.cc.cwnd;
  if (segs < INIT_SEGMENTS) segs = INIT_SEGMENTS;
  // With skb accounting the buffer is charged per skb, so it is sized as Linux sizes it: a
  // worst-case skb per segment (per_mss); else in payload bytes.
  let want = 2 * segs * (p.skbTruesize > 0 ? perMssTruesize(t.mss) : t.mss);
  if (want > p.sndBufMax) want = p.sndBufMax;
  if (want > t.sndBuf) t.sndBuf = want;
}

/**
 * Linux tcp_new_space: after an ACK freed send-buffer space, grow the buffer unless the
 * connection is using all its congestion window (tcp_should_expand_sndbuf).
 */
export function sndBufOnAck(t: Tcb): void {
  if (t.packetsOut >= t.cc.cwnd) return;
  sndBufExpand(t);
}
