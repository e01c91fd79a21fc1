/**
 * What a connection reports to its socket without acting: bytes readable and end of stream, send
 * space and bytes queued, poll()'s POLLOUT, the pending error (SO_ERROR, and why a send() would
 * fail), TCP_INFO and the counters the metrics read. Connection (connection.ts) extends this class
 * and keeps the calls that act (open, send, recv, close, socket options, segments, timers); these
 * are the queries, read by the socket layer between calls. Only takeError (SO_ERROR is cleared on
 * read) and pollWritable (Linux tcp_poll's SOCK_NOSPACE) write a field.
 */
import type { Nanos } from '../sim/time.ts';
import { TcpState, type Errno } from './api.ts';
import { socketWritable } from './send-skbs.ts';
import { seqSub } from './seq.ts';
import { Tcb } from './tcb.ts';
import { tcpInfo, type TcpInfoFields } from './tcp-info.ts';

export class ConnectionStatus extends Tcb {
  /** getsockopt(TCP_INFO) as Linux fills it. */
  tcpInfo(now: Nanos): TcpInfoFields {
    return tcpInfo(this, now);
  }

  /** Bytes the SYN carried (TCP Fast Open), 0 without. */
  get synDataBytes(): number {
    return this.fo !== null ? this.fo.synData : 0;
  }

  /** The connection waits for its first write to send a SYN with data (TCP_FASTOPEN_CONNECT). */
  get fastOpenDeferred(): boolean {
    return this.fo !== null && this.fo.deferred;
  }

  /** Why send() would fail now (EPIPE after shutdown(wr) or close, ENOTCONN when closed, a pending error), or null. */
  sendErrno(): Errno | null {
    if (this.softError !== null) return this.softError;
    switch (this.state) {
      case TcpState.SYN_SENT:
      case TcpState.SYN_RCVD:
      case TcpState.ESTABLISHED:
      case TcpState.CLOSE_WAIT:
        return this.finQueued ? 'EPIPE' : null;
      case TcpState.CLOSED:
      case TcpState.LISTEN:
        // Linux sk_stream_wait_connect: any state but SYN-SENT/SYN-RECEIVED is EPIPE once the
        // pending error is read; a Fast Open child closed by an ICMP error before its handshake
        // ended counts too (fastopen/server/icmp-before-accept.pkt).
        return this.establishedAt >= 0 || this.fo !== null ? 'EPIPE' : 'ENOTCONN';
      default:
        return 'EPIPE';
    }
  }

  /** With nothing readable: the pending error a Linux read() would return (and clear), or null. */
  recvErrno(): Errno | null {
    if (this.rcvq.readable > 0) return null;
    return this.takeError();
  }

  get readable(): number {
    return this.rcvq.readable;
  }
  /** The peer's FIN has been read up to: recv() returns 0 from now on. */
  get eof(): boolean {
    return this.finReceived && this.rcvq.readable === 0;
  }
  /** Bytes send() would accept now. */
  get sendSpace(): number {
    const free = this.sndBuf - this.sendBuffered;
    return free > 0 ? free : 0;
  }
  /** Bytes queued and not yet acknowledged (Linux SIOCOUTQ: write_seq - snd_una). */
  get unackedBytes(): number {
    return this.sendBuffered;
  }
  /** Bytes queued and not yet sent (Linux SIOCOUTQNSD: write_seq - snd_nxt). */
  get unsentBytes(): number {
    const n = seqSub(this.writeSeq, this.sndNxt);
    return n > 0 ? n : 0;
  }
  /**
   * poll()'s POLLOUT (Linux tcp_poll, sk_stream_is_writeable): free send space at least half of
   * what is queued, and the unsent bytes, doubled, below TCP_NOTSENT_LOWAT (tcp_stream_memory_free
   * with wake = 1). The FIN queued (shutdown(wr)) makes the socket always writable (the write fails).
   */
  get pollWritable(): boolean {
    if (this.sendErrno() !== null) return true;
    const w = socketWritable(this);
    // Linux tcp_poll sets SOCK_NOSPACE when it finds no room: the ACK that makes room wakes it.
    if (!w && this.params.skbTruesize > 0) this.sendBlocked = true;
    return w;
  }
  /** Pending asynchronous error (SO_ERROR), cleared when read. */
  takeError(): Errno | null {
    const e = this.softError;
    this.softError = null;
    return e;
  }

  // --- Counters for metrics ---
  get segmentsSent(): number {
    return this.segsOut;
  }
  get retransmissions(): number {
    return this.retransSegs;
  }
  get bytesAcked(): number {
    return this.bytesAckedTotal;
  }
  get bytesReceived(): number {
    return this.bytesReceivedTotal;
  }
  /** Congestion window in bytes. */
  get cwnd(): number {
    return this.cc.cwnd * this.mss;
  }
  /** Slow-start threshold in bytes (huge before the first loss). */
  get ssthresh(): number {
    return this.cc.ssthresh * this.mss;
  }
  /** Smoothed RTT in ns (0 before the first sample). */
  get srtt(): Nanos {
    return Math.round(this.rtt.srtt);
  }
  get rto(): Nanos {
    return this.rtt.rto;
  }
  /** connect() to ESTABLISHED for active opens (first SYN-ACK to ESTABLISHED for passive ones), or -1. */
  get handshakeTime(): Nanos {
    return this.establishedAt >= 0 && this.openedAt >= 0 ? this.establishedAt - this.openedAt : -1;
  }
}
