/**
 * Building and sending segments: SYN/SYN-ACK, data and FIN, pure ACKs, probes and resets, with
 * the options each carries (RFC 7323 timestamps once negotiated, RFC 2018 SACK blocks while
 * out-of-order data is held), and the receive window we advertise (Linux tcp_select_window).
 * Option objects are only allocated when a segment carries options.
 */
import { pacingSent } from './pacing.ts';
import type { Nanos } from '../sim/time.ts';
import { ACK, FIN, PSH, RST, SYN, segmentSpace, type Segment, type TcpOptions } from '../wire/segment.ts';
import { TcpState } from './api.ts';
import { ECN_NOT_ECT, ecnOutgoing, ecnSynAckFlags, ecnSynFlags } from './ecn.ts';
import { seqGt, seqLe, seqLt, seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { rcvWindowSpace } from './buffers.ts';
import { initialWindow, tsValue } from './window.ts';
import { timerExpiry } from './timer-wheel.ts';
import { synFastOpen } from './fastopen.ts';

/** Linux tcp_invalid_ratelimit: at most one ACK per 500 ms answers out-of-window segments. */
export const OOW_ACK_INTERVAL: Nanos = 500_000_000;
/** Linux TCP_MAX_QUICKACKS. */
const MAX_QUICKACKS = 16;

function segment(
  t: Tcb,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  options: TcpOptions | null,
  len: number,
): Segment {
  return {
    srcPort: t.ep.localPort,
    dstPort: t.ep.remotePort,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags,
    window,
    urgent: 0,
    options,
    len,
    payload: null,
  };
}

/** Options of a non-SYN segment: timestamps when negotiated, SACK blocks when data is held. */
function segmentOptions(t: Tcb, now: Nanos): TcpOptions | null {
  let sack = t.sackOk && t.rcvq.hasOutOfOrder ? t.rcvq.sackBlocks(t.tsOk ? 3 : 4) : null;
  if (t.dsackPending) sack = withDsack(t, sack);
  if (!t.tsOk) return sack === null ? null : { sack };
  const o: TcpOptions = { timestamp: { val: tsValue(t.tsOffset, now), ecr: t.tsRecent } };
  if (sack !== null) o.sack = sack;
  return o;
}

/**
 * RFC 2883 (Linux tcp_established_options): the duplicate range goes first, the SACK blocks
 * after it (one fewer); reported once (Linux clears rx_opt.dsack when the option is written).
 */
function withDsack(t: Tcb, sack: Array<[number, number]> | null): Array<[number, number]> {
  t.dsackPending = false;
  const out: Array<[number, number]> = [[t.dsackStart, t.dsackEnd]];
  if (sack !== null) for (let i = 0; i < sack.length && out.length < (t.tsOk ? 3 : 4); i++) out.push(sack[i]!);
  return out;
}

/**
 * The window we could offer now, as Linux __tcp_select_window: free buffer space capped by
 * rcv_ssthresh; once the buffer is half full, nothing below an MSS or 1/16 of the buffer
 * (receiver silly-window avoidance, RFC 9293 3.8.6.2.2); rounded to the scale unit (or to the
 * MSS without scaling).
 */
export function rawWindow(t: Tcb): number {
  const full = rcvWindowSpace(t);
  let free = full - t.rcvq.readable - t.rcvq.oooBytes;
  if (free < 0) free = 0;
  const mss = t.rcvMss < full ? t.rcvMss : full;
  const unit = 1 << t.rcvWscale;
  if (free < full >> 1) {
    t.quickAcks = 0;
    free -= free % unit;
    if (free < full >> 4 || free < mss) return 0;
  }
  if (free > t.rcvSsthresh) free = t.rcvSsthresh;
  if (t.rcvWscale > 0) return Math.ceil(free / unit) * unit;
  let win = t.rcvWnd;
  if (win <= free - mss || win > free) win = free - (free % mss);
  else if (mss === full && free > win + (full >> 1)) win = free;
  return win;
}

/**
 * The window to advertise (Linux tcp_select_window): rawWindow, but never moving the right edge
 * back (RFC 9293 3.8.6.2.2). Records RCV.WND and the RCV.NXT it is relative to; returns the
 * scaled 16-bit field.
 */
export function selectWindow(t: Tcb): number {
  let win = rawWindow(t);
  const unit = 1 << t.rcvWscale;
  const cur = seqSub((t.rcvWup + t.rcvWnd) >>> 0, t.rcvNxt);
  if (win < cur) win = Math.ceil(cur / unit) * unit;
  t.rcvWnd = win;
  t.rcvWup = t.rcvNxt;
  const max = 65535 * unit;
  return Math.floor((win > max ? max : win) / unit);
}

/** The window we would advertise now, without recording it (for window-update decisions). */
export function currentReceiveWindow(t: Tcb): number {
  const w = seqSub((t.rcvWup + t.rcvWnd) >>> 0, t.rcvNxt);
  return w < 0 ? 0 : w;
}

/** Bookkeeping after any segment carrying ACK left (Linux tcp_event_ack_sent). */
function ackSent(t: Tcb): void {
  if (t.quickAcks > 0 && t.ackPending) {
    t.quickAcks--;
    if (t.quickAcks === 0) t.ato = t.params.delayedAckMin;
  }
  t.ackPending = false;
  t.ackNow = false;
  t.ackPushed = 0;
  t.delackAt = Infinity;
}

function emit(t: Tcb, seg: Segment, retransmit: boolean): void {
  t.segsOut++;
  if (retransmit) t.retransSegs++;
  const ecn = t.ecnOk ? ecnOutgoing(t, seg, retransmit) : ECN_NOT_ECT;
  if (seg.flags & ACK) ackSent(t);
  t.out.transmit(t.ep, seg, retransmit, ecn, t.ipTos, t.pmtuDisc === 0);
}

/**
 * SYN (SYN_SENT) or SYN-ACK (after a simultaneous open: SYN_RCVD, or FIN_WAIT_1 when closed
 * there before our SYN was acknowledged), RFC 9293 3.5.
 */
export function sendSyn(t: Tcb, now: Nanos, retransmit: boolean): void {
  const synAck = t.state !== TcpState.SYN_SENT;
  const p = t.params;
  const o: TcpOptions = { mss: t.advMss };
  // A SYN offers what we support; a SYN-ACK answers only what the peer offered (RFC 7323 2.2, 3.2).
  if (synAck ? t.sackOk : p.sack) o.sackPermitted = true;
  if (synAck ? t.tsOk : p.timestamps) o.timestamp = { val: tsValue(t.tsOffset, now), ecr: synAck ? t.tsRecent : 0 };
  if (t.offeredWscale >= 0 && (!synAck || t.wscaleOk)) o.wscale = t.offeredWscale;
  // TCP Fast Open (fastopen.ts): the first SYN carries the option and maybe data; a
  // retransmitted SYN is a plain one (Linux tcp_send_syn_data: "exclude Fast Open option for SYN retries").
  let len = 0;
  const fo = t.fo;
  if (fo !== null && !retransmit) {
    if (!synAck) len = synFastOpen(t, o);
    else if (fo.synAckCookie !== null) {
      o.fastOpen = fo.synAckCookie;
      if (fo.exp) o.fastOpenExp = true;
    }
  }
  // Linux computes the SYN's window once (tcp_connect_init); a resent SYN keeps it even when an
  // ICMP fragmentation-needed lowered the MSS it advertises (icmp-error.ts).
  const win = retransmit && !synAck && t.rcvWnd > 0 ? t.rcvWnd : initialWindow(p, t.advMss);
  t.rcvWnd = win;
  t.rcvWup = t.rcvNxt;
  const seg = segment(
    t,
    t.iss,
    synAck ? t.rcvNxt : 0,
    synAck ? SYN | ACK | ecnSynAckFlags(t) : SYN | ecnSynFlags(t, retransmit),
    win,
    o,
    len,
  );
  const end = (t.iss + 1 + len) >>> 0;
  if (seqLt(t.sndMax, end)) t.sndMax = end;
  t.sndNxt = end;
  if (len > 0) t.rtxq.push(end, now);
  emit(t, seg, retransmit);
}

/** A pure ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (Linux uses the highest sequence sent). */
export function sendAck(t: Tcb, now: Nanos): void {
  emit(t, segment(t, t.sndMax, t.rcvNxt, ACK, selectWindow(t), segmentOptions(t, now), 0), false);
}

/**
 * An ACK answering an unacceptable segment or a challenge (RFC 5961 3.2, 4.2, 5.2), limited to
 * one per OOW_ACK_INTERVAL as Linux tcp_oow_rate_limited (data segments without SYN are exempt
 * unless it is a challenge).
 */
export function sendOowAck(t: Tcb, seg: Segment, now: Nanos, challenge: boolean): void {
  if (oowAckAllowed(t, seg, now, challenge)) sendAck(t, now);
}

/** The rate limit of sendOowAck (Linux tcp_oow_rate_limited); records the ACK when it may go. */
export function oowAckAllowed(t: { lastOowAckAt: Nanos }, seg: Segment, now: Nanos, challenge: boolean): boolean {
  const limited = challenge || segmentSpace(seg) === 0 || (seg.flags & SYN) !== 0;
  if (limited) {
    if (now - t.lastOowAckAt < OOW_ACK_INTERVAL) return false;
    t.lastOowAckAt = now;
  }
  return true;
}

/**
 * Probe for keepalive or a zero window: an ACK with SEG.SEQ = SND.UNA − 1 and no data, which
 * the peer must answer with an ACK (Linux tcp_xmit_probe_skb).
 */
export function sendProbe(t: Tcb, now: Nanos): void {
  emit(t, segment(t, t.sndUna - 1, t.rcvNxt, ACK, selectWindow(t), segmentOptions(t, now), 0), false);
}

/** Reset from a synchronized connection: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (Linux tcp_send_active_reset). */
export function sendActiveReset(t: Tcb, now: Nanos): void {
  const wndEnd = (t.sndUna + t.sndWnd) >>> 0;
  const seq = seqGt(t.sndMax, wndEnd) && t.sndWnd > 0 ? wndEnd : t.sndMax;
  emit(t, segment(t, seq, t.rcvNxt, RST | ACK, selectWindow(t), segmentOptions(t, now), 0), false);
}

/** Sends a reset segment built elsewhere (resetForUnmatched for data after close). */
export function sendRaw(t: Tcb, seg: Segment): void {
  emit(t, seg, false);
}

/**
 * One data and/or FIN segment at `seq` (a new transmission or a retransmission): PSH when `push`
 * or on the segment that empties the send queue, FIN when `fin`. Returns the sequence space used.
 */
export function transmitData(t: Tcb, seq: number, len: number, fin: boolean, now: Nanos, push: boolean): number {
  const dataEnd = (seq + len) >>> 0;
  let flags = ACK;
  // Linux tcp_push marks the tail of each write (tcp_mark_push) unless it had MSG_MORE: data
  // past pushSeq came from MSG_MORE sends and goes without PSH; the end of a MSG_EOR record is
  // the tail of its write.
  if (
    len > 0 &&
    (push || (dataEnd === t.writeSeq && seqLe(dataEnd, t.pushSeq)) || isRecordEnd(t, dataEnd) || isPushMark(t, dataEnd))
  )
    flags |= PSH;
  if (fin) flags |= FIN;
  const retransmit = seqLt(seq, t.sndMax);
  // Linux tcp_event_data_sent: sending with nothing in flight is CA_EVENT_TX_START.
  if (t.sndUna === t.sndMax && !retransmit) t.cc.onTxStart(now - t.lastSendAt, now);
  const seg = segment(t, seq, t.rcvNxt, flags, selectWindow(t), segmentOptions(t, now), len);
  const end = (dataEnd + (fin ? 1 : 0)) >>> 0;
  // Linux tcp_retransmit_skb marks TCPCB_SACKED_RETRANS (retrans_out) only when the transmit
  // succeeded: a copy the host's own queue refused is not in flight.
  if (retransmit && t.out.localDrop !== true) {
    if (seqGt(end, t.retxHigh)) t.retxHigh = end;
    t.rtxq.retransmittedRange(t.sndUna, seq, end, now);
  }
  if (seqGt(end, t.sndMax)) {
    t.rtxq.push(end, now);
    t.sndMax = end;
    t.tailSeq = seq;
  }
  if (seq === t.sndNxt) t.sndNxt = end;
  // Minshall's snd_sml: only new data counts (tcp_minshall_update runs in tcp_write_xmit, never
  // for tcp_retransmit_skb nor the SYN-data skb).
  if (len > 0 && len < t.mss && !retransmit) t.sndSml = dataEnd;
  t.lastSendAt = now;
  // Linux tcp_event_data_sent: answering soon after data arrived means an interactive exchange,
  // where delayed ACKs ride on the replies (pingpong mode).
  if (t.ato > 0 && now - t.lastDataRcvAt < t.ato) t.pingpong = true;
  if (t.rtoAt === Infinity) {
    t.rtoAt = timerExpiry(t.params, now, t.rtt.rto);
    t.rtoIsProbe = t.rtoIsReo = false;
  }
  t.persistAt = Infinity;
  emit(t, seg, retransmit);
  // A packet outside the send loop's (retransmissions, probes) moves the pacing clock on too.
  if (t.paced && !t.paceBatch && len > 0) pacingSent(t, len, 1, now);
  return seqSub(end, seq);
}

/** `seq` ends a MSG_EOR record still in the queue. */
function isRecordEnd(t: Tcb, seq: number): boolean {
  const ends = t.recordEnds;
  for (let i = 0; i < ends.length; i++) if (ends[i] === seq) return true;
  return false;
}

/** `seq` ends an skb a forced push marked (skb accounting, send-skbs.ts). */
function isPushMark(t: Tcb, seq: number): boolean {
  const marks = t.pushMarks;
  for (let i = 0; i < marks.length; i++) if (marks[i] === seq) return true;
  return false;
}

/** Linux tcp_incr_quickack: ACK the next segments at once (at least two, at most 16). */
export function incrQuickAck(t: Tcb): void {
  let q = Math.floor(t.rcvWnd / (2 * t.rcvMss));
  if (q === 0) q = 2;
  if (q > MAX_QUICKACKS) q = MAX_QUICKACKS;
  if (q > t.quickAcks) t.quickAcks = q;
}

/** Linux tcp_enter_quickack_mode: quick ACKs, out of interactive (pingpong) mode, minimal ATO. */
export function enterQuickAckMode(t: Tcb): void {
  incrQuickAck(t);
  t.pingpong = false;
  t.ato = t.params.delayedAckMin;
}
