/**
 * TCP Fast Open (RFC 7413) as Linux does it (net/ipv4/tcp_fastopen.c, tcp_output.c
 * tcp_send_syn_data, tcp_input.c tcp_rcv_fastopen_synack, tcp_metrics.c tcp_fastopen_cache_*).
 *
 * Client: the first connection to a server asks for a cookie (an empty option in the SYN); the
 * cookie and the server's MSS go into the host's destination metrics; later connections send
 * data in the SYN with the cookie. SYN-data that the SYN-ACK does not acknowledge is sent again
 * as ordinary data (fallback); retransmitted SYNs are plain SYNs.
 *
 * Server: a SYN carrying a valid cookie (or any SYN with data, with 0x200) makes a full child at
 * once, in SYN-RECEIVED, its data readable and the child in the accept queue before the
 * handshake completes; children not yet out of SYN-RECEIVED are counted in the listener's Fast
 * Open queue (fastopenq), apart from its SYN queue.
 *
 * Everything here runs once per SYN or SYN-ACK, never per data segment: connections without
 * Fast Open carry `fo === null` and pay nothing.
 */
import type { Nanos } from '../sim/time.ts';
import { FIN, type Segment, type TcpOptions } from '../wire/segment.ts';
import { receiveFin } from './receive.ts';
import { seqLt } from './seq.ts';
import { EV_READABLE, type Tcb } from './tcb.ts';
import type { TcpParams } from './params.ts';
import { checkFastOpenCookie, fastOpenCookie, parseFastOpenKeys, type SipKey } from './fastopen-cookie.ts';

/** net.ipv4.tcp_fastopen bits (include/net/tcp.h). */
export const TFO_CLIENT_ENABLE = 0x1;
export const TFO_SERVER_ENABLE = 0x2;
export const TFO_CLIENT_NO_COOKIE = 0x4;
export const TFO_SERVER_COOKIE_NOT_REQD = 0x200;
export const TFO_SERVER_WO_SOCKOPT1 = 0x400;
/** Linux MAX_TCP_OPTION_SPACE: SYN-data leaves room for 40 bytes of options whatever is sent. */
const MAX_TCP_OPTION_SPACE = 40;
const EMPTY = new Uint8Array(0);

/** A listener's Fast Open queue (struct fastopen_queue): children still in SYN-RECEIVED. */
export interface FastOpenQueue {
  qlen: number;
  max: number;
  /** Most children held at once (tfo_queue.peak). */
  peak: number;
}

/** Per-connection Fast Open state (Linux tcp_fastopen_request and the syn_* bits), null when unused. */
export interface FastOpenState {
  /** Client: the cookie the SYN carries (empty = cookie request), null = no option at all. */
  cookie: Uint8Array | null;
  /** The option goes (went) in the experimental form, kind 254. */
  exp: boolean;
  /** Client: bytes the SYN carried (SYN-data). */
  synData: number;
  /** Client: the SYN carried the option (tp->syn_fastopen). */
  synFastOpen: boolean;
  /** Client: TCP_FASTOPEN_CONNECT found a cookie: the SYN waits for the first write. */
  deferred: boolean;
  /** The data in our SYN was acknowledged by the SYN-ACK, or the peer's SYN data was accepted (TCPI_OPT_SYN_DATA). */
  dataAcked: boolean;
  /** Client: the SYN-ACK acknowledged only part of the SYN-data (or none): sent again. */
  fellBack: boolean;
  /** Server child: its listener's queue, released when the child leaves SYN-RECEIVED. */
  queue: FastOpenQueue | null;
  /** Server child: the cookie its SYN-ACK carries (a backup-key cookie gets the primary's), or null. */
  synAckCookie: Uint8Array | null;
  /** Client: active Fast Open was paused (blackhole detection): a plain SYN, no option, no data. */
  blackholed: boolean;
  /** Client: the first connect after a pause (syn_fastopen_ch): data received resets the back-off. */
  blackholeCheck: boolean;
  /** The end-of-connection blackhole check ran (fastopen-blackhole.ts blackholeOnEnd). */
  ended: boolean;
}

function newState(): FastOpenState {
  return {
    cookie: null,
    exp: false,
    synData: 0,
    synFastOpen: false,
    deferred: false,
    dataAcked: false,
    fellBack: false,
    queue: null,
    synAckCookie: null,
    blackholed: false,
    blackholeCheck: false,
    ended: false,
  };
}

/** tcp_parse_fastopen_option: an even 4..16 bytes is a cookie, 0 a request; other lengths count as no option. */
function validCookie(len: number): boolean {
  return len === 0 || (len >= 4 && len <= 16 && (len & 1) === 0);
}

// --- client ---

/**
 * connect() with Fast Open (sendto MSG_FASTOPEN, or TCP_FASTOPEN_CONNECT): tcp_fastopen_cookie_check
 * and tcp_fastopen_defer_connect. Sets `t.fo`; returns true when the SYN should wait for data
 * (TCP_FASTOPEN_CONNECT with a usable cookie).
 */
export function clientOpen(t: Tcb, now: Nanos, deferIfCookie: boolean): boolean {
  const fo = newState();
  t.fo = fo;
  // tcp_fastopen_cookie_check: while active Fast Open is paused the SYN is a plain one.
  const bh = t.out.fastOpenBlackhole;
  const verdict = bh !== undefined ? bh.verdict(t.params.fastOpenBlackholeTimeout, now) : 'on';
  if (verdict === 'off') {
    fo.blackholed = true;
    return false;
  }
  fo.blackholeCheck = verdict === 'check';
  const e = t.metrics !== null ? t.metrics.lookup(t.ep.localAddr, t.ep.remoteAddr, now) : null;
  const cached = e !== null ? e.fastOpen : null;
  if ((t.params.fastOpen & TFO_CLIENT_NO_COOKIE) !== 0) {
    fo.cookie = null; // data without any option
  } else if (cached !== null && cached.cookie !== null) {
    fo.cookie = cached.cookie;
    fo.exp = cached.cookieExp;
  } else {
    fo.cookie = EMPTY;
    fo.exp = cached !== null && cached.tryExp === 1;
    return false;
  }
  if (deferIfCookie) fo.deferred = true;
  return deferIfCookie;
}

/**
 * The SYN's Fast Open part (tcp_syn_options, tcp_send_syn_data): puts the option in `o` and
 * returns the data bytes the SYN carries: what is queued, at most the MSS (the cached server
 * MSS, our MSS, the path) less 40 bytes of option space.
 */
export function synFastOpen(t: Tcb, o: TcpOptions): number {
  const fo = t.fo!;
  if (fo.blackholed) return 0;
  if (fo.cookie !== null) {
    o.fastOpen = fo.cookie;
    if (fo.exp) o.fastOpenExp = true;
    fo.synFastOpen = true;
  }
  if (fo.cookie !== null && fo.cookie.length === 0) {
    t.out.fastOpen?.(t.ep, FO_EVENT_REQUESTED);
    return 0; // a cookie request carries no data
  }
  let mss = t.advMss;
  const e = t.metrics !== null ? t.metrics.lookup(t.ep.localAddr, t.ep.remoteAddr, -Infinity) : null;
  const cachedMss = e !== null && e.fastOpen !== null ? e.fastOpen.mss : 0;
  if (cachedMss > 0 && cachedMss < mss) mss = cachedMss;
  let space = mss - MAX_TCP_OPTION_SPACE;
  const queued = (t.writeSeq - t.iss - 1) >>> 0;
  if (queued < space) space = queued;
  if (space < 0) space = 0;
  fo.synData = space;
  return space;
}

/**
 * The SYN-ACK of a Fast Open connect (tcp_rcv_fastopen_synack), after SND.UNA took its ACK:
 * caches the cookie and MSS, and when SYN-data is left unacknowledged sends it again as data
 * (SND.NXT back to SND.UNA; its end stays a segment boundary, as Linux's skb).
 */
export function clientSynAck(t: Tcb, seg: Segment, now: Nanos): void {
  const fo = t.fo!;
  const opt = seg.options;
  let cookie =
    opt !== null && opt.fastOpen !== undefined && validCookie(opt.fastOpen.length) && opt.fastOpen.length > 0
      ? opt.fastOpen
      : null;
  const cookieExp = opt !== null && opt.fastOpenExp === true;
  let synDrop = false;
  let tryExp = 0;
  if (!fo.synFastOpen)
    cookie = null; // an unsolicited cookie is ignored
  else if (t.retransSegs > 0)
    synDrop = cookie === null && fo.synData > 0; // tp->total_retrans: a timeout or an ICMP resend
  else if (cookie === null && fo.synData === 0) tryExp = fo.exp ? 2 : 1;
  if (t.metrics !== null && t.params.metricsSave !== false) {
    const e = t.metrics.getOrCreate(t.ep.localAddr, t.ep.remoteAddr, now);
    const c = (e.fastOpen ??= { mss: 0, cookie: null, cookieExp: false, tryExp: 0, synLoss: 0, lastSynLoss: 0 });
    const mss = opt !== null && opt.mss !== undefined ? opt.mss : 0;
    if (mss > 0) c.mss = mss;
    if (cookie !== null) {
      c.cookie = cookie.slice();
      c.cookieExp = cookieExp;
    } else if (tryExp > c.tryExp && c.cookie === null) c.tryExp = tryExp;
    if (synDrop) {
      c.synLoss++;
      c.lastSynLoss = now;
    } else c.synLoss = 0;
  }
  t.rtxq.ackUpTo(t.sndUna);
  const dataEnd = (t.iss + 1 + fo.synData) >>> 0;
  if (fo.synData > 0 && seqLt(t.sndUna, dataEnd)) {
    fo.fellBack = true;
    // The SYN's data goes again in segments of the MSS the SYN-ACK brought (smaller than the one
    // the SYN was sized for): later SACKs and retransmissions count those segments.
    t.rtxq.splitHead(t.sndUna, t.mss);
    t.sndNxt = t.sndUna;
    const ends = t.recordEnds;
    t.recordEnds = ends.length === 0 || seqLt(dataEnd, ends[0]!) ? [dataEnd, ...ends] : ends;
    t.out.fastOpen?.(t.ep, FO_EVENT_FALLBACK);
  } else {
    fo.dataAcked = fo.synData > 0;
    if (fo.dataAcked) t.out.fastOpen?.(t.ep, FO_EVENT_ACCEPTED);
    if (seqLt(t.sndNxt, t.sndUna)) t.sndNxt = t.sndUna;
    // Data on the SYN-ACK is queued as received (tcp_fastopen_add_skb).
    if (seg.len > 0) {
      t.rcvNxt = (t.rcvNxt + seg.len) >>> 0;
      t.rcvq.readable += seg.len;
      t.bytesReceivedTotal += seg.len;
      t.lastDataRcvAt = now;
      t.notify(EV_READABLE);
    }
    if (seg.flags & FIN) receiveFin(t, now);
  }
}

/**
 * What EngineOutput.fastOpen reports (the tfo.* counters), once per client connection that uses
 * Fast Open: its SYN asked for a cookie, or its SYN-data was acknowledged by the SYN-ACK, or
 * not (sent again after the handshake: Linux TCPFastOpenActiveFail).
 */
export const FO_EVENT_REQUESTED = 0;
export const FO_EVENT_ACCEPTED = 1;
export const FO_EVENT_FALLBACK = 2;

// --- server ---

/** What a listener decided for one SYN (tcp_try_fastopen). */
export interface FastOpenVerdict {
  /** Make a child now (data in the SYN accepted). */
  child: boolean;
  /** The cookie to put in the SYN-ACK, or null. */
  cookie: Uint8Array | null;
  exp: boolean;
}

/** A listener's Fast Open side: its keys, queue and counters. */
export class ListenerFastOpen {
  readonly queue: FastOpenQueue;
  private keys: SipKey[];
  private readonly verdict: FastOpenVerdict = { child: false, cookie: null, exp: false };
  /** Counters: cookie requests, SYN-data accepted (children), cookies refused, queue overflows. */
  requested = 0;
  accepted = 0;
  refused = 0;
  overflow = 0;

  /** `hostKey`: the host's own key when the parameters name none (Linux: random at first use). */
  constructor(p: TcpParams, backlog: number, hostKey: SipKey) {
    let max = p.fastOpenQueue;
    // Linux inet_listen: with 0x400 every listener gets a queue of its backlog without TCP_FASTOPEN.
    if (
      max === 0 &&
      (p.fastOpen & (TFO_SERVER_ENABLE | TFO_SERVER_WO_SOCKOPT1)) === (TFO_SERVER_ENABLE | TFO_SERVER_WO_SOCKOPT1)
    )
      max = backlog;
    this.queue = { qlen: 0, max, peak: 0 };
    this.keys = (p.fastOpenKey !== undefined ? parseFastOpenKeys(p.fastOpenKey) : null) ?? [hostKey];
  }

  /**
   * TCP_FASTOPEN_KEY on the listener (tcp_fastopen_reset_cipher on the socket): its own primary
   * and optional backup key, "w0-w1-w2-w3[,w4-w5-w6-w7]"; false when malformed (nothing changes).
   */
  setKeys(text: string): boolean {
    const keys = parseFastOpenKeys(text);
    if (keys === null) return false;
    this.keys = keys;
    return true;
  }

  /** The keys cookies are made and checked with (primary first), for getsockopt(TCP_FASTOPEN_KEY). */
  get currentKeys(): readonly SipKey[] {
    return this.keys;
  }

  /**
   * tcp_try_fastopen for a SYN from `raddr` to `laddr` (not answered with a SYN cookie): whether
   * to make a child, and which cookie the SYN-ACK carries. Null when Fast Open plays no part.
   */
  onSyn(p: TcpParams, seg: Segment, raddr: number, laddr: number): FastOpenVerdict | null {
    const opt = seg.options;
    const foc =
      opt !== null && opt.fastOpen !== undefined && validCookie(opt.fastOpen.length) ? opt.fastOpen : undefined;
    if (foc !== undefined && foc.length === 0) this.requested++;
    const q = this.queue;
    if ((p.fastOpen & TFO_SERVER_ENABLE) === 0 || (seg.len === 0 && foc === undefined) || q.max === 0) return null;
    if (q.qlen >= q.max) {
      this.overflow++; // LINUX_MIB_TCPFASTOPENLISTENOVERFLOW
      return null;
    }
    const v = this.verdict;
    v.child = false;
    v.cookie = null;
    v.exp = opt!.fastOpenExp === true;
    if ((p.fastOpen & TFO_SERVER_COOKIE_NOT_REQD) !== 0) {
      v.child = true;
      this.accepted++;
      return v;
    }
    if (foc === undefined) return null;
    if (foc.length > 0) {
      const which = checkFastOpenCookie(foc, raddr, laddr, this.keys);
      if (which > 0) {
        v.child = true;
        this.accepted++;
        // a cookie of the backup key is valid, and the SYN-ACK brings the primary's
        if (which === 2) v.cookie = fastOpenCookie(raddr, laddr, this.keys[0]!);
        return v;
      }
      this.refused++; // LINUX_MIB_TCPFASTOPENPASSIVEFAIL: data dropped, the SYN-ACK brings a valid cookie
    }
    v.cookie = fastOpenCookie(raddr, laddr, this.keys[0]!);
    return v;
  }
}

/** A server child leaves SYN-RECEIVED (reqsk_fastopen_remove): its place in the Fast Open queue frees. */
export function releaseQueue(t: Tcb): void {
  const fo = t.fo;
  if (fo === null || fo.queue === null) return;
  fo.queue.qlen--;
  fo.queue = null;
}

/** A server child's state: the queue it holds a place in and the SYN-ACK's cookie. */
export function childState(
  queue: FastOpenQueue,
  synAckCookie: Uint8Array | null,
  exp: boolean,
  dataAccepted: boolean,
): FastOpenState {
  const fo = newState();
  fo.queue = queue;
  if (++queue.qlen > queue.peak) queue.peak = queue.qlen;
  fo.synAckCookie = synAckCookie;
  fo.exp = exp;
  fo.dataAcked = dataAccepted;
  return fo;
}
