/**
 * Send-side quantities derived from the Tcb's fields as Linux computes them: SND.UNA as Linux
 * counts it, the right edge of the peer's window, the TCP_NOTSENT_LOWAT mark and whether the
 * stream is writable. Functions of the record rather than part of it, so they sit apart from the
 * field declarations in tcb.ts; the send path, the ACK path and the write path share them.
 */
import { TcpState } from './api.ts';
import { seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';

/**
 * SND.UNA as Linux keeps it. A Fast Open child in SYN-RECEIVED holds its unacknowledged SYN-ACK
 * at SND.UNA = ISS; Linux's child starts with snd_una = ISS + 1 (tcp_create_openreq_child: the
 * SYN-ACK belongs to the request), so its packets in flight and its window's edge start there.
 */
export function linuxSndUna(t: Tcb): number {
  return t.state === TcpState.SYN_RCVD && t.sndUna === t.iss && t.fo !== null ? (t.sndUna + 1) >>> 0 : t.sndUna;
}

/** Right edge of the peer's window, Linux tcp_wnd_end (snd_una + snd_wnd). */
export function sndWndEnd(t: Tcb): number {
  return (linuxSndUna(t) + t.sndWnd) >>> 0;
}

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
