/**
 * The write side of the socket (Linux tcp_sendmsg and its wake-up): how many of the bytes a
 * send() offers are queued (send-buffer space, TCP_NOTSENT_LOWAT, per-skb accounting when
 * `skbTruesize` > 0, a deferred Fast Open SYN that the first write sends), the push of what the
 * write ends with, and the writer's wake-up once space frees (tcp_check_space). Connection.send
 * and onSegment call these, then end the call (deadline and notifications).
 */
import type { Nanos } from '../sim/time.ts';
import { SEND_EOR, SEND_MORE, SEND_SYN_DATA_ONLY } from './api.ts';
import { sndBufOnAck } from './buffers.ts';
import { chronoStart, chronoStop, CHRONO_BUSY, CHRONO_SNDBUF_LIMITED } from './chrono.ts';
import type { Connection } from './connection.ts';
import { queueBytes, sendFirstSyn } from './open.ts';
import { skbWritable, skbWrite } from './send-skbs.ts';
import { output } from './send.ts';
import { notsentLowat } from './send-space.ts';
import { EV_WRITABLE } from './tcb.ts';

/**
 * Queues up to `bytes` of a send() that may proceed (Connection.sendErrno is null); returns how
 * many were accepted. `flags`: SEND_EOR ends a record here (MSG_EOR: later data never joins its
 * last segment), SEND_MORE holds a partial tail segment for this push (MSG_MORE),
 * SEND_SYN_DATA_ONLY keeps only what a deferred Fast Open SYN carries.
 */
export function userWrite(c: Connection, bytes: number, now: Nanos, flags: number): number {
  if (c.fo !== null && c.fo.deferred) {
    // TCP_FASTOPEN_CONNECT: the first write sends the SYN with its data (tcp_sendmsg_fastopen)
    c.fo.deferred = false;
    let n = queueBytes(c, bytes);
    if (n < bytes) c.sendBlocked = true;
    sendFirstSyn(c, now);
    if (flags & SEND_SYN_DATA_ONLY) {
      n = c.fo.synData;
      c.writeSeq = c.pushSeq = (c.iss + 1 + n) >>> 0;
    }
    return n;
  }
  // send() on skb accounting (send-skbs.ts), then the push of what the write ends with (tcp_push)
  if (c.params.skbTruesize > 0) return pushWrite(c, skbWrite(c, bytes, flags, now), bytes, now, flags);
  let space = c.sendSpace;
  // Linux sk_stream_memory_free (tcp_stream_memory_free, wake = 0): no more data is queued
  // while the unsent bytes reach TCP_NOTSENT_LOWAT.
  if (c.unsentBytes >= notsentLowat(c)) space = 0;
  const n = bytes < space ? bytes : space;
  if (n > 0) {
    c.writeSeq = (c.writeSeq + n) >>> 0;
    if (flags & SEND_EOR && n === bytes) {
      if (c.recordEnds.length === 0) c.recordEnds = [];
      c.recordEnds.push(c.writeSeq);
    }
  }
  return pushWrite(c, n, bytes, now, flags);
}

/**
 * The end of every send(): `n` of the `bytes` asked for were queued (writeSeq already moved);
 * mark a writer that got less as blocked, and push what the write ends with unless MSG_MORE /
 * TCP_CORK holds it (tcp_push).
 */
function pushWrite(c: Connection, n: number, bytes: number, now: Nanos, flags: number): number {
  if (n < bytes) c.sendBlocked = true;
  if (n > 0) {
    chronoStart(c, CHRONO_BUSY, now); // Linux tcp_add_write_queue_tail
    c.moreHold = (flags & SEND_MORE) !== 0;
    if (!c.moreHold) c.pushSeq = c.writeSeq;
    output(c, now);
    c.moreHold = false;
  }
  return n;
}

/**
 * Linux tcp_check_space, after a segment's processing and the sends it allowed (skb
 * accounting): a writer that found no room (SOCK_NOSPACE) grows the buffer while not
 * cwnd-limited (tcp_new_space) and is woken once the socket is writable (sk_stream_write_space).
 */
export function checkSpace(c: Connection, now: Nanos): void {
  sndBufOnAck(c);
  if (skbWritable(c)) {
    c.sendBlocked = false;
    chronoStop(c, CHRONO_SNDBUF_LIMITED, now);
    c.notify(EV_WRITABLE);
  }
}
