/**
 * A listening socket: RFC 9293 3.10.7.2 LISTEN processing with Linux's SYN queue, accept queue
 * and SYN cookies (net/ipv4/tcp_input.c tcp_conn_request, tcp_minisocks.c tcp_check_req,
 * inet_connection_sock.c reqsk_timer_handler), and the RFC 4987 host defences as options.
 *
 * Half-open requests are rows of a RequestTable, all served by one timer: the listener's
 * `deadline` is the earliest row expiry, so a SYN flood costs one scheduled wake-up, and memory is
 * bounded by the backlog (or the SYN cache size), not by the attack.
 *
 * This file holds the socket's calls and what arrives in LISTEN: a new SYN (tcp_conn_request:
 * queue limits, defences, a cookie or a request, a Fast Open child) and an ACK that may carry a
 * SYN cookie. A request's life after its SYN (tcp_check_req, the request timer, its SYN-ACKs) is
 * in the class this one extends, ListenerRequests (listener-requests.ts).
 *
 * The listener does no I/O: segments go out through EngineOutput; completed handshakes are turned
 * into connections by the ListenerHost (Connection.fromHandshake in the host stack).
 */
import type { Nanos } from '../sim/time.ts';
import { ACK, FIN, RST, SYN, type Segment } from '../wire/segment.ts';
import { ConnEvent, TcpState, type TimedEntity } from './api.ts';
import { expiryOrder, timerExpiry } from './timer-wheel.ts';
import { REQ_ECN, REQ_SACK, REQ_TS } from './request-table.ts';
import type { HandshakeInfo } from './handshake.ts';
import { negotiateSyn, type SynOptions } from './request-segments.ts';
import type { DstMetrics } from './dst-metrics.ts';
import { ListenerCookies } from './listener-cookies.ts';
import type { ListenerConfig } from './listener-host.ts';
import { ListenerRequests } from './listener-requests.ts';
import { childState, ListenerFastOpen, TFO_SERVER_ENABLE, type FastOpenVerdict } from './fastopen.ts';
import { parseFastOpenKeys, type SipKey } from './fastopen-cookie.ts';

export type { ListenerConfig, ListenerHost } from './listener-host.ts';

export class Listener<C> extends ListenerRequests<C> implements TimedEntity {
  private readonly cookies: ListenerCookies;
  private readonly metrics: DstMetrics | null;
  private readonly syn: SynOptions = { peerMss: 0, peerWscale: -1, sackOk: false, tsOk: false, tsVal: 0, ecnOk: false };
  private closed = false;
  /** TCP Fast Open (fastopen.ts): keys, the Fast Open queue; null when the host's server bit is off. */
  readonly fastOpen: ListenerFastOpen | null;

  constructor(cfg: ListenerConfig<C>) {
    super(cfg);
    const p = cfg.params;
    this.metrics = cfg.metrics ?? null;
    this.cookies = new ListenerCookies(cfg.secret, p, this.stats, this.window, this.windowTs, this.wscale);
    this.fastOpen =
      (p.fastOpen & TFO_SERVER_ENABLE) !== 0 ? new ListenerFastOpen(p, this.maxBacklog, hostFastOpenKey(cfg)) : null;
  }

  get deadline(): Nanos {
    return this.table.nextExpiry;
  }

  get synQueueLen(): number {
    return this.table.size;
  }

  get acceptQueueLen(): number {
    return this.acceptQueue.length;
  }

  /** accept(): the oldest completed connection, or null. */
  accept(): C | null {
    return this.acceptQueue.shift();
  }

  /**
   * A segment for this listener's port that matched no connection. `raddr`/`laddr` come from the
   * IP header. `isn` >= 0 is the ISS a TIME-WAIT connection handed over with a new SYN.
   * `codepoint`: the IP header's ECN field (an ECN-setup SYN must arrive not-ECT).
   */
  onSegment(seg: Segment, raddr: number, laddr: number, now: Nanos, isn = -1, codepoint = 0): void {
    if (this.closed) return;
    const row = this.table.find(raddr, seg.srcPort, laddr);
    if (row >= 0) {
      this.onRequestSegment(row, seg, now);
      return;
    }
    const f = seg.flags;
    // RFC 9293 3.10.7.2: an incoming RST is ignored; an ACK is answered with <SEQ=SEG.ACK><CTL=RST>
    // (Linux first tries it as a SYN cookie: cookie_v4_check).
    if (f & RST) return;
    if (f & ACK) {
      if (!(f & SYN) && this.tryCookie(seg, raddr, laddr, now)) return;
      this.reset(seg, raddr, laddr);
      return;
    }
    if (!(f & SYN) || f & FIN) return; // Linux discards SYN+FIN
    this.onSyn(seg, raddr, laddr, now, isn, codepoint);
  }

  onTimer(now: Nanos): void {
    const t = this.table;
    while (t.nextExpiry <= now) this.onRequestTimer(t.firstExpiring, now);
  }

  /** close(): half-open requests vanish; connections nobody accepted are aborted (RST). */
  close(now: Nanos): void {
    if (this.closed) return;
    this.closed = true;
    const t = this.table;
    while (t.size > 0) this.dropRequest(t.oldest);
    for (let c = this.accept(); c !== null; c = this.accept()) this.host.abortChild(c, now);
  }

  // --- SYN in LISTEN (tcp_conn_request) ---

  private onSyn(seg: Segment, raddr: number, laddr: number, now: Nanos, isn: number, codepoint: number): void {
    const p = this.params;
    const t = this.table;
    const st = this.stats;
    let bucket = -1;
    let full: boolean;
    if (this.cache !== null) {
      bucket = this.cache.bucketOf(raddr, seg.srcPort, laddr, seg.dstPort);
      full = this.cache.isFull(bucket);
    } else {
      full = p.separateQueues ? t.size > this.maxBacklog : t.size + st.acceptQueueLen > this.maxBacklog;
    }
    let wantCookie = false;
    // Linux tcp_conn_request: a SYN a TIME-WAIT connection handed over (isn >= 0) becomes a
    // request "without limitations" (the peer is evidently real): no cookie, not dropped as full.
    // Here only while the table has a free row (its size is fixed: memory bounded by the backlog).
    const fromTimeWait = isn >= 0 && t.size < t.capacity && (bucket < 0 || !full);
    if ((p.synCookies === 'always' || full) && !fromTimeWait) {
      if (p.synCookies !== false) wantCookie = true;
      else if (this.cache !== null) {
        // FreeBSD syncache_insert: a full bucket tosses its oldest entry
        st.synDropEvicted++;
        this.dropRequest(this.cache.oldest(bucket));
      } else if (p.recycleOldest && t.size > 0) {
        // RFC 4987 3.5: the new SYN takes the place of the oldest half-open entry
        st.synDropRecycled++;
        this.dropRequest(t.oldest);
      } else {
        st.synDropFull++;
        return;
      }
    }
    // Linux: a full accept queue drops the SYN (ListenOverflows), cookie or not. With one queue
    // and no SYN cache it cannot be full here (half-open entries count against the same limit);
    // with a SYN cache it can, since the cache holds more than the accept queue.
    if (st.acceptQueueLen > this.maxBacklog) {
      st.acceptDropSyn++;
      return;
    }
    // Linux tcp_conn_request, tcp_syncookies = 0: "without syncookies last quarter of backlog is
    // filled with destinations, proven to be alive" (not for a SYN a TIME-WAIT socket handed over).
    const msb = p.maxSynBacklog;
    if (
      !wantCookie &&
      isn < 0 &&
      p.synCookies === false &&
      this.cache === null &&
      msb > 0 &&
      msb - t.size < msb >> 2 &&
      !(this.metrics !== null && this.metrics.isProven(laddr, raddr, now))
    ) {
      st.synDropUnproven++;
      return;
    }
    const o = negotiateSyn(seg, p, this.syn, codepoint);
    if (wantCookie) {
      this.out.transmit(
        this.epOf(raddr, seg.srcPort, laddr),
        this.cookies.synAck(seg, raddr, laddr, o, this.host, now),
        false,
      );
      return;
    }
    const iss = isn >= 0 ? isn >>> 0 : this.host.initialSeq(laddr, seg.dstPort, raddr, seg.srcPort, now) >>> 0;
    // Linux tcp_conn_request -> tcp_try_fastopen: a valid cookie makes a child at once.
    const fo = this.fastOpen !== null ? this.fastOpen.onSyn(p, seg, raddr, laddr) : null;
    if (fo !== null && fo.child && this.fastOpenChild(seg, raddr, laddr, iss, o, fo, now)) return;
    const d = this.firstTimeout();
    const row = t.insert(
      raddr,
      seg.srcPort,
      laddr,
      now,
      timerExpiry(p, now, d),
      expiryOrder(p, now, d, false, t.nextArm()),
    );
    t.irs[row] = seg.seq >>> 0;
    t.iss[row] = iss;
    t.peerMss[row] = o.peerMss;
    t.peerWscale[row] = o.peerWscale;
    t.opts[row] = (o.sackOk ? REQ_SACK : 0) | (o.tsOk ? REQ_TS : 0) | (o.ecnOk ? REQ_ECN : 0);
    t.tsRecent[row] = o.tsVal;
    if (o.tsOk) t.tsOff[row] = this.host.tsOffset(laddr, raddr);
    t.peerWindow[row] = seg.window;
    if (bucket >= 0) {
      t.tag[row] = bucket;
      this.cache!.add(bucket, row);
    }
    this.young++;
    if (t.size > st.synQueuePeak) st.synQueuePeak = t.size;
    st.synQueueLen = t.size;
    this.out.stateChanged(this.epOf(raddr, seg.srcPort, laddr), TcpState.LISTEN, TcpState.SYN_RCVD);
    this.sendSynAck(row, now, false, fo !== null ? fo : null);
  }

  /**
   * tcp_fastopen_create_child: a full connection in SYN_RCVD holding the SYN's data, straight
   * into the accept queue (counted in the Fast Open queue until its handshake completes).
   */
  private fastOpenChild(
    seg: Segment,
    raddr: number,
    laddr: number,
    iss: number,
    o: SynOptions,
    fo: FastOpenVerdict,
    now: Nanos,
  ): boolean {
    const make = this.host.fastOpenChild;
    if (make === undefined) return false;
    const h: HandshakeInfo = {
      ep: { localAddr: laddr, localPort: seg.dstPort, remoteAddr: raddr, remotePort: seg.srcPort },
      iss,
      irs: seg.seq >>> 0,
      peerWindow: seg.window,
      peerMss: o.peerMss,
      peerWscale: o.peerWscale,
      ourWscale: o.peerWscale >= 0 ? this.wscale : -1,
      sackOk: o.sackOk,
      tsOk: o.tsOk,
      tsRecent: o.tsVal,
      tsOffset: o.tsOk ? this.host.tsOffset(laddr, raddr) : 0,
      rcvWnd: o.tsOk ? this.windowTs : this.window,
      ecnOk: o.ecnOk,
    };
    const state = childState(this.fastOpen!.queue, fo.cookie, fo.exp, seg.len > 0);
    const child = make.call(this.host, h, seg, state, now);
    if (child === null) {
      this.fastOpen!.queue.qlen--;
      return false;
    }
    this.acceptQueue.push(child);
    this.stats.completed++;
    this.out.notify(this.ep, ConnEvent.ACCEPTABLE);
    return true;
  }

  /** A final ACK that matched no request: a connection if it carries a valid cookie. */
  private tryCookie(seg: Segment, raddr: number, laddr: number, now: Nanos): boolean {
    const h = this.cookies.validate(seg, raddr, laddr, this.host, now);
    if (h === null) return false;
    if (this.acceptFull()) {
      this.stats.acceptDropCookie++; // syn_recv_sock overflow: the ACK is discarded
      return true;
    }
    // No request existed: report the SYN_RCVD a request would have had, so state traces stay paired.
    this.out.stateChanged(h.ep, TcpState.LISTEN, TcpState.SYN_RCVD);
    this.complete(h, seg, now);
    return true;
  }

  private acceptFull(): boolean {
    const st = this.stats;
    return this.params.separateQueues
      ? st.acceptQueueLen > this.maxBacklog
      : this.table.size + st.acceptQueueLen > this.maxBacklog;
  }

  /** TCP_FASTOPEN on the listening socket after listen() (Linux fastopen_queue_tune): the Fast Open queue length. */
  setFastOpenQueue(qlen: number): void {
    this.params = { ...this.params, fastOpenQueue: qlen };
    if (this.fastOpen !== null) this.fastOpen.queue.max = qlen;
  }

  /**
   * TCP_FASTOPEN_KEY on the listening socket: its own cookie keys ("w0-w1-w2-w3[,backup]"), kept
   * in its parameters so a Fast Open side made later uses them too. False when malformed.
   */
  setFastOpenKey(text: string): boolean {
    if (parseFastOpenKeys(text) === null) return false;
    this.params = { ...this.params, fastOpenKey: text };
    if (this.fastOpen !== null) this.fastOpen.setKeys(text);
    return true;
  }

  /** TCP_MAXSEG on the listening socket (Linux rx_opt.user_mss): SYN-ACKs advertise it. */
  setUserMss(mss: number): void {
    this.params = { ...this.params, mss };
  }

  /**
   * An ICMP error about one of our SYN-ACKs (Linux tcp_req_err): a quoted sequence number other
   * than the request's ISN is out of window (false returned, the host counts it); `abort` (net or
   * host unreachable, time exceeded) drops the request silently, as POSIX wants no network error
   * from accept(); anything else leaves it to its timer.
   */
  onIcmpError(raddr: number, rport: number, laddr: number, seq: number, abort: boolean): boolean {
    const row = this.table.find(raddr, rport, laddr);
    if (row < 0) return true;
    if (this.table.iss[row] !== seq >>> 0) return false;
    if (abort) this.dropRequest(row);
    return true;
  }
}

/** The host's Fast Open key when the parameters name none: drawn from its SYN-cookie secret. */
function hostFastOpenKey<C>(cfg: ListenerConfig<C>): SipKey {
  const s = cfg.secret;
  const w = (i: number): bigint => BigInt(s.hash(0x7f0 + i, 0x4f46, 34, 254, i, 0) >>> 0);
  return { k0: w(0) | (w(1) << 32n), k1: w(2) | (w(3) << 32n) };
}
