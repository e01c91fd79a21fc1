/**
 * Segment text and FIN (RFC 9293 3.10.7.4 seventh and eighth), out-of-order reassembly, and when
 * to acknowledge: Linux's delayed-ACK engine (quick-ACK mode at the start, the ATO estimate,
 * pingpong mode for interactive exchanges, an ACK for every second full segment, an immediate ACK
 * for out-of-order data and when a gap fills: RFC 5681 4.2, RFC 9293 3.8.6.3).
 */
import type { Nanos } from '../sim/time.ts';
import { FIN, PSH, type Segment } from '../wire/segment.ts';
import { TcpState } from './api.ts';
import { currentReceiveWindow, enterQuickAckMode, incrQuickAck, rawWindow, sendAck } from './output.ts';
import { seqGt, seqLe, seqLt, seqSub } from './seq.ts';
import { EV_READABLE, type Tcb } from './tcb.ts';
import { enterTimeWait } from './teardown.ts';
import { rcvRttMeasure, rcvWindowSpace } from './buffers.ts';
import { timerExpiry } from './timer-wheel.ts';

/** Linux ICSK_ACK_PUSHED / ICSK_ACK_PUSHED2. */
const PUSHED = 1;
const PUSHED2 = 2;

/**
 * Takes the segment's data and FIN (the caller has checked acceptability and the ACK).
 * Trims to RCV.NXT and the window, delivers in-order bytes, holds out-of-order ones.
 */
export function receiveText(t: Tcb, seg: Segment, now: Nanos): void {
  let fin = (seg.flags & FIN) !== 0;
  let seq = seg.seq;
  let len = seg.len;
  if (len === 0 && !fin) return;
  const end = (seq + len + (fin ? 1 : 0)) >>> 0;
  if (seqLe(end, t.rcvNxt)) {
    // A retransmission of what we have: acknowledge at once (Linux: quick-ACK mode, ACK now),
    // reporting the duplicate (RFC 2883 DSACK, tcp_dsack_set in tcp_data_queue).
    if (len > 0) dsackSet(t, seq, (seq + len) >>> 0);
    enterQuickAckMode(t);
    t.ackPending = true;
    t.ackNow = true;
    return;
  }
  if (seqLt(seq, t.rcvNxt)) {
    // Part of it was had already: that part is the duplicate (tcp_data_queue: seq to rcv_nxt).
    if (len > 0) dsackSet(t, seq, t.rcvNxt);
    len -= seqSub(t.rcvNxt, seq);
    seq = t.rcvNxt;
    if (len < 0) len = 0;
  }
  const wndEnd = (t.rcvNxt + currentReceiveWindow(t)) >>> 0;
  if (seqGt((seq + len) >>> 0, wndEnd)) {
    // Beyond the window: keep what fits, and the FIN is not in it.
    len = seqSub(wndEnd, seq);
    if (len < 0) len = 0;
    fin = false;
    t.ackNow = true;
  }
  t.ackPending = true;
  if (len > 0 && t.rcvq.readable + t.rcvq.oooBytes > t.rcvBuf) {
    // Linux tcp_try_rmem_schedule (tcp_data_queue, tcp_data_queue_ofo): the buffer is already over
    // its size, so the data is dropped and an ACK goes now (ICSK_ACK_NOMEM). The window, rounded
    // up to the scale unit (__tcp_select_window's ALIGN), can promise more than a small buffer
    // holds; one segment may take it over, as Linux checks before charging (pruning not modelled).
    t.ackNow = true;
    return;
  }
  if (seq !== t.rcvNxt) {
    // Out of order: hold it and send a duplicate ACK (with SACK blocks) now.
    if (len > 0) {
      t.rcvq.insert(seq, (seq + len) >>> 0);
      if (t.rcvq.watch !== null) t.rcvq.watch.heldOutOfOrder(seqSub(seq, t.rcvNxt), len);
    }
    if (fin) t.rcvq.oooFin = (seq + len) >>> 0;
    t.ackNow = true;
    return;
  }
  if (len > 0) {
    t.rcvNxt = (t.rcvNxt + len) >>> 0;
    t.rcvq.readable += len;
    t.bytesReceivedTotal += len;
    dataReceived(t, len, (seg.flags & PSH) !== 0, now);
    rcvRttMeasure(
      t,
      len,
      t.tsOk && seg.options !== null && seg.options.timestamp !== undefined ? seg.options.timestamp.ecr : 0,
      now,
    );
    t.notify(EV_READABLE);
  }
  if (t.rcvq.hasOutOfOrder) {
    const before = t.rcvNxt;
    t.rcvNxt = t.rcvq.drain(t.rcvNxt);
    t.bytesReceivedTotal += seqSub(t.rcvNxt, before);
    // RFC 5681 4.2: ACK at once while a gap exists or when it has just been filled.
    t.ackNow = true;
  }
  if (t.rcvq.oooFin >= 0 && t.rcvq.oooFin === t.rcvNxt) fin = true;
  if (fin) receiveFin(t, now);
}

/**
 * Linux tcp_send_dupack for a segment refused by the sequence or PAWS check: when it carries
 * data below RCV.NXT, that part is a duplicate to report (and the ACKs go out at once).
 */
export function dupackDsack(t: Tcb, seg: Segment): void {
  const len = seg.len + ((seg.flags & FIN) !== 0 ? 1 : 0);
  if (len === 0 || !seqLt(seg.seq, t.rcvNxt)) return;
  enterQuickAckMode(t);
  const end = (seg.seq + len) >>> 0;
  dsackSet(t, seg.seq, seqGt(end, t.rcvNxt) ? t.rcvNxt : end);
}

/** Linux tcp_dsack_set: with SACK negotiated (and tcp_dsack, on by default), report a duplicate. */
function dsackSet(t: Tcb, start: number, end: number): void {
  if (!t.sackOk || t.params.profile !== 'linux') return;
  t.dsackPending = true;
  t.dsackStart = start;
  t.dsackEnd = end;
}

/** Linux tcp_event_data_recv, tcp_measure_rcv_mss and tcp_grow_window for in-order data. */
function dataReceived(t: Tcb, len: number, psh: boolean, now: Nanos): void {
  if (len >= t.rcvMss) {
    t.rcvMss = len < t.advMss ? len : t.advMss;
    if (psh) t.ackPushed |= PUSHED;
  } else {
    if (t.ackPushed & PUSHED) t.ackPushed |= PUSHED2;
    t.ackPushed |= PUSHED;
  }
  const atoMin = t.params.delayedAckMin;
  if (t.ato === 0) {
    // The first data: start the delayed-ACK engine in quick-ACK mode (Linux only).
    if (t.params.profile === 'linux') incrQuickAck(t);
    t.ato = atoMin > 0 ? atoMin : t.params.delayedAckMax;
  } else {
    const m = now - t.lastDataRcvAt;
    if (m <= atoMin / 2) {
      t.ato = t.ato / 2 + atoMin / 2;
    } else if (m < t.ato) {
      t.ato = t.ato / 2 + m;
      if (t.ato > t.rtt.rto) t.ato = t.rtt.rto;
    } else if (m > t.rtt.rto && t.params.profile === 'linux') {
      // A long gap: the sender probably restarted from a small window; ACK quickly.
      incrQuickAck(t);
    }
  }
  t.lastDataRcvAt = now;
  const full = rcvWindowSpace(t);
  if (t.rcvSsthresh < full && t.rcvSsthresh < full - t.rcvq.readable - t.rcvq.oooBytes) {
    t.rcvSsthresh = Math.min(t.rcvSsthresh + 2 * t.advMss, full);
  }
}

/** The peer's FIN arrived in order (RFC 9293 3.10.7.4 eighth, Linux tcp_fin). */
export function receiveFin(t: Tcb, now: Nanos): void {
  t.rcvNxt = (t.rcvNxt + 1) >>> 0;
  t.finReceived = true;
  t.rcvq.oooFin = -1;
  t.ackPending = true;
  // Linux tcp_fin: tcp_sack_reset, so a DSACK pending for this segment's head is not sent.
  t.dsackPending = false;
  t.notify(EV_READABLE);
  switch (t.state) {
    case TcpState.SYN_RCVD:
    case TcpState.ESTABLISHED:
      // The ACK may be delayed (and ride on our FIN if the application closes at once).
      t.setState(TcpState.CLOSE_WAIT);
      t.pingpong = true;
      break;
    case TcpState.FIN_WAIT_1:
      // Simultaneous close; or our FIN was acknowledged by this very segment.
      sendAck(t, now);
      if (t.finAcked) enterTimeWait(t, now);
      else t.setState(TcpState.CLOSING);
      break;
    case TcpState.FIN_WAIT_2:
      sendAck(t, now);
      enterTimeWait(t, now);
      break;
    default:
      break;
  }
}

/**
 * Linux __tcp_ack_snd_check: after a segment, ACK now or arm the delayed-ACK timer.
 */
export function ackSendCheck(t: Tcb, now: Nanos): void {
  if (!t.ackPending || t.state === TcpState.CLOSED || t.state === TcpState.TIME_WAIT) return;
  const p = t.params;
  const twoSegments = seqSub(t.rcvNxt, t.rcvWup) > t.rcvMss && (t.rcvq.readable === 0 || rawWindow(t) >= t.rcvWnd);
  if (!p.delayedAck || twoSegments || (t.quickAcks > 0 && !t.pingpong) || t.ackNow || t.rcvq.hasOutOfOrder) {
    sendAck(t, now);
    return;
  }
  scheduleDelayedAck(t, now);
}

/** Linux tcp_send_delayed_ack: ACK within the ATO, bounded by delayedAckMax (and by the RTT on Linux). */
function scheduleDelayedAck(t: Tcb, now: Nanos): void {
  const p = t.params;
  let ato = t.ato;
  if (ato > p.delayedAckMin) {
    let max = p.delayedAckMax;
    if (t.rtt.measured && p.profile === 'linux') {
      const rtt = t.rtt.srtt > p.delayedAckMin ? t.rtt.srtt : p.delayedAckMin;
      if (rtt < max) max = rtt;
    }
    if (ato > max) ato = max;
  }
  if (t.delackAt !== Infinity) {
    // A timer is already running: if it is about to fire, ACK now; never postpone it.
    if (t.delackAt <= now + ato / 4) {
      sendAck(t, now);
      return;
    }
    if (now + ato > t.delackAt) return;
  }
  if (ato <= 0) {
    sendAck(t, now);
    return;
  }
  t.delackAt = timerExpiry(t.params, now, Math.round(ato));
}

/**
 * Linux tcp_cleanup_rbuf after the application read `copied` bytes: send the ACK that was held
 * back for two segments, or for a pushed small segment now drained, or a window update when the
 * read at least doubled the window.
 */
export function afterRead(t: Tcb, copied: number, now: Nanos): void {
  if (t.state === TcpState.CLOSED || t.state === TcpState.SYN_SENT || t.state === TcpState.TIME_WAIT) return;
  let timeToAck = false;
  if (t.ackPending) {
    const drained = t.rcvq.readable === 0 && t.rcvq.oooBytes === 0;
    if (
      seqSub(t.rcvNxt, t.rcvWup) > t.rcvMss ||
      (copied > 0 && ((t.ackPushed & PUSHED2) !== 0 || ((t.ackPushed & PUSHED) !== 0 && !t.pingpong)) && drained)
    ) {
      timeToAck = true;
    }
  }
  if (copied > 0 && !timeToAck && !t.finReceived && !t.rcvShut) {
    const nowWin = currentReceiveWindow(t);
    if (2 * nowWin <= rcvWindowSpace(t)) {
      const next = rawWindow(t);
      if (next > 0 && next >= 2 * nowWin) timeToAck = true;
    }
  }
  if (timeToAck) sendAck(t, now);
}
