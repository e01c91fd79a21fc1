/**
 * The send queue as Linux charges it to the send buffer (tcp.skbTruesize > 0): data sits in skbs
 * of up to size_goal bytes, each costing its payload plus a fixed head (skb->truesize,
 * sk_wmem_queued). tcp_sendmsg_locked checks for room (sk_stream_memory_free: sk_wmem_queued
 * under sk_sndbuf, unsent bytes under TCP_NOTSENT_LOWAT) only when a write needs a new skb, so a
 * write may overshoot the buffer by up to one skb and stops short of it by the heads; a full skb
 * at the head of the queue goes out at once (tcp_push_one), and when only part of it fits the
 * windows the rest becomes a new skb (tso_fragment) that the write goes on filling.
 *
 * The engine sends MSS-sized segments; only skb boundaries are kept (their start sequences,
 * ascending, in Tcb.skbStarts), so with skbTruesize 0 (the default) nothing here runs.
 */
import { MS, type Nanos } from '../sim/time.ts';
import { SEND_EOR, SEND_MORE } from './api.ts';
import { output } from './send.ts';
import { seqLt, seqSub } from './seq.ts';
import { notsentLowat, sndWndEnd, streamWritable } from './send-space.ts';
import { NO_SKBS, type Tcb } from './tcb.ts';

/** Linux MAX_TCP_HEADER (x86-64): headroom every skb reserves for the headers. */
const MAX_TCP_HEADER = 320;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and of struct sk_buff (x86-64). */
const SHINFO = 320;
const SK_BUFF = 256;
/** Linux GSO_LEGACY_MAX_SIZE: the largest skb TSO/GSO builds. */
const GSO_MAX_SIZE = 65536;

/**
 * Linux tcp_xmit_size_goal: as many whole segments as fit the GSO limit, bounded by half the
 * largest window the peer offered (tcp_bound_to_half_wnd), at least one segment.
 */
export function sizeGoal(t: Tcb): number {
  let goal = GSO_MAX_SIZE - 1 - MAX_TCP_HEADER;
  const w = t.maxSndWnd;
  const cutoff = w > 536 ? w >> 1 : w;
  if (cutoff > 0 && goal > cutoff) goal = cutoff;
  const segs = Math.floor(goal / t.mss);
  return segs > 1 ? segs * t.mss : t.mss;
}

/**
 * Linux tcp_sndbuf_expand's per_mss with skb accounting: a worst-case skb per segment, its head
 * kmalloc'd in a power of two (payload + MAX_TCP_HEADER + shared info), plus the sk_buff.
 */
export function perMssTruesize(mss: number): number {
  let head = mss + MAX_TCP_HEADER + SHINFO;
  let p = 1;
  while (p < head) p *= 2;
  head = p;
  return head + SK_BUFF;
}

/**
 * Brings the skb list up to date: skbs wholly acknowledged are freed (tcp_clean_rtx_queue), and
 * an skb that new data went out of only in part was split where sending stopped (tso_fragment),
 * the split adding a head.
 */
export function syncSkbs(t: Tcb): void {
  const s = t.skbStarts;
  let drop = 0;
  while (drop < s.length) {
    const end = drop + 1 < s.length ? s[drop + 1]! : t.writeSeq;
    if (seqLt(t.sndUna, end)) break;
    drop++;
  }
  if (drop > 0) s.splice(0, drop);
  const m = t.pushMarks;
  let gone = 0;
  while (gone < m.length && !seqLt(t.sndUna, m[gone]!)) gone++;
  if (gone > 0) m.splice(0, gone);
  // Only first transmissions split (sndNxt at the highest sent); go-back-N resends do not.
  if (s.length === 0 || t.sndNxt !== t.sndMax || !seqLt(t.sndNxt, t.writeSeq)) return;
  let i = s.length - 1;
  while (i > 0 && seqLt(t.sndNxt, s[i]!)) i--;
  if (seqLt(s[i]!, t.sndNxt)) s.splice(i + 1, 0, t.sndNxt);
}

/** Linux tcp_max_tso_deferred_mss: with tcp_tso_win_divisor 0, more than 3 segments go at once. */
const MAX_TSO_DEFERRED_MSS = 3;

/**
 * Linux tcp_tso_should_defer, asked before the first segment of an skb's unsent part (`first`: the
 * segment this push starts at) when it
 * holds more than one segment: hold it back for a later ACK rather than send a piece, unless the
 * last send is over 1 ms old, a large enough piece fits (the largest TSO packet, the whole skb if
 * it is not the tail, a fraction of the window, tcp.tsoWinDivisor), or the next ACK is far off (the oldest unacknowledged
 * segment left less than half an RTT ago). The engine does not pace, so the largest TSO packet is
 * size_goal (tcp_tso_autosize's rate bound not applied).
 */
export function tsoShouldDefer(t: Tcb, seq: number, first: boolean, now: Nanos): boolean {
  const s = t.skbStarts;
  let i = s.length - 1;
  while (i >= 0 && seqLt(seq, s[i]!)) i--;
  if (i < 0) return false;
  // Once per skb (the unsent part of a split skb is its own skb): at its start, or where this push begins.
  if (s[i] !== seq && !first) return false;
  const tail = i === s.length - 1;
  const end = tail ? t.writeSeq : s[i + 1]!;
  const len = seqSub(end, seq);
  if (len <= t.mss || t.inRecovery) return false;
  // Linux: more than 1 ms since the last transmit (tcp_wstamp_ns). A script's "+.001" is a
  // little over 1 ms on a real kernel; here it is exactly 1 ms, so 1 ms counts as over.
  if (now - t.lastSendAt >= MS) return false;
  const inFlight = t.packetsOut;
  const cwnd = t.cc.cwnd;
  if (inFlight === 0 || inFlight >= cwnd) return false;
  const sendWin = seqSub(sndWndEnd(t), seq);
  const congWin = (cwnd - inFlight) * t.mss;
  const limit = sendWin < congWin ? sendWin : congWin;
  if (limit >= sizeGoal(t)) return false;
  if (!tail && limit >= len) return false;
  const divisor = t.params.tsoWinDivisor;
  if (divisor > 0) {
    // If at least some fraction of a window is available, just use it.
    const wnd = t.sndWnd < cwnd * t.mss ? t.sndWnd : cwnd * t.mss;
    if (limit >= Math.floor(wnd / divisor)) return false;
  } else if (limit > MAX_TSO_DEFERRED_MSS * t.mss) {
    // Linux tcp_max_tso_deferred_mss: do not defer past a single ACK.
    return false;
  }
  // (Linux compares (delta - srtt/2) < 0 in microseconds: a head sent in this same round, delta
  // 0, sends for any RTT of 2 us or more, which a script's +0 exchanges, measured as 0 here, have.)
  const age = now - t.rtxq.headSentAt();
  if (age <= 0 || age < t.rtt.srtt / 2) return false;
  if (congWin < sendWin) {
    if (congWin <= len) return true;
  } else if (sendWin <= len) {
    return true;
  }
  // Nothing more will join an skb that ends the stream or a record: send it.
  if ((tail && t.finQueued) || t.recordEnds.includes(end)) return false;
  return true;
}

/** Linux sk_wmem_queued: the bytes not yet acknowledged plus one head per skb. */
export function wmemQueued(t: Tcb): number {
  syncSkbs(t);
  return seqSub(t.writeSeq, t.dataStart()) + t.skbStarts.length * t.params.skbTruesize;
}

/** Linux sk_stream_memory_free (wake = 0): room for one more skb. */
function memoryFree(t: Tcb): boolean {
  if (wmemQueued(t) >= t.sndBuf) return false;
  const unsent = seqSub(t.writeSeq, t.sndNxt);
  return (unsent > 0 ? unsent : 0) < notsentLowat(t);
}

/**
 * Linux __sk_stream_is_writeable(sk, 1) on skb accounting: free space at least half of
 * sk_wmem_queued, and the unsent bytes, doubled, under TCP_NOTSENT_LOWAT.
 */
export function skbWritable(t: Tcb): boolean {
  const queued = wmemQueued(t);
  const space = t.sndBuf - queued;
  if (space <= 0 || space * 2 < queued) return false;
  const unsent = seqSub(t.writeSeq, t.sndNxt);
  return (unsent > 0 ? unsent : 0) * 2 < notsentLowat(t);
}

/** POLLOUT and the writer's wake-up: on skb accounting when it is on, else on payload bytes. */
export function socketWritable(t: Tcb): boolean {
  return t.params.skbTruesize > 0 ? skbWritable(t) : streamWritable(t);
}

/**
 * The copy loop of Linux tcp_sendmsg_locked: fills the tail skb while it is unsent, shorter than
 * size_goal and not the end of a MSG_EOR record (tcp_skb_can_collapse_to), else starts a new skb
 * if sk_stream_memory_free allows. A full skb at the head of the unsent queue is pushed at once
 * (tcp_push_one). Returns the bytes taken; the caller pushes the rest (tcp_push).
 */
export function skbWrite(t: Tcb, bytes: number, flags: number, now: Nanos): number {
  const goal = sizeGoal(t);
  if (t.skbStarts === NO_SKBS) t.skbStarts = [];
  const s = t.skbStarts;
  let copied = 0;
  while (copied < bytes) {
    syncSkbs(t);
    let room = 0;
    const tail = s.length > 0 ? s[s.length - 1]! : t.writeSeq;
    const tailClosed = t.recordEnds.length > 0 && t.recordEnds[t.recordEnds.length - 1] === t.writeSeq;
    if (s.length > 0 && seqLt(t.sndNxt, t.writeSeq) && !tailClosed) room = goal - seqSub(t.writeSeq, tail);
    if (room <= 0) {
      if (!memoryFree(t)) break;
      s.push(t.writeSeq);
      room = goal;
    }
    const n = bytes - copied < room ? bytes - copied : room;
    t.writeSeq = (t.writeSeq + n) >>> 0;
    copied += n;
    if (copied === bytes) break;
    // The skb is full. Linux forced_push: more than half the largest window written since the
    // last PSH: this skb gets one (tcp_mark_push) and everything waiting is pushed; else, if
    // nothing before it waits, it goes now (tcp_push_one).
    if (seqSub(t.writeSeq, t.pushedSeq) > t.maxSndWnd >> 1) {
      if (t.pushMarks === NO_SKBS) t.pushMarks = [];
      t.pushMarks.push(t.writeSeq);
      t.pushedSeq = t.writeSeq;
      t.pushSeq = t.writeSeq;
      t.moreHold = (flags & SEND_MORE) !== 0;
      output(t, now);
      t.moreHold = false;
    } else if (!seqLt(t.sndNxt, s[s.length - 1]!)) {
      t.pushSeq = t.writeSeq;
      t.moreHold = (flags & SEND_MORE) !== 0;
      output(t, now);
      t.moreHold = false;
    }
  }
  // tcp_push marks the write's tail (tcp_mark_push) unless MSG_MORE holds it back.
  if (copied > 0 && (flags & SEND_MORE) === 0) t.pushedSeq = t.writeSeq;
  if (copied > 0 && flags & SEND_EOR && copied === bytes) {
    if (t.recordEnds.length === 0) t.recordEnds = [];
    t.recordEnds.push(t.writeSeq);
  }
  return copied;
}
