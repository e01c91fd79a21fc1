/**
 * A listening socket: RFC 9293 3.10.7.2 LISTEN processing with Linux's SYN queue, accept queue
 * and SYN cookies (net/ipv4/tcp_input.c tcp_conn_request, tcp_minisocks.c tcp_check_req,
 * inet_connection_sock.c reqsk_timer_handler), and the RFC 4987 host defences as options.
 *
 * Half-open requests are rows of a RequestTable, all served by one timer: the listener's
 * `deadline` is the earliest row expiry, so a SYN flood costs one scheduled wake-up, and memory is
 * bounded by the backlog (or the SYN cache size), not by the attack.
 *
 * The listener does no I/O: segments go out through EngineOutput; completed handshakes are turned
 * into connections by the ListenerHost (Connection.fromHandshake in the host stack).
 */
import type { Nanos } from '../sim/time.ts';
import { ACK, FIN, RST, SYN, type Segment } from '../wire/segment.ts';
import { ConnEvent, TcpState, type EngineOutput, type Endpoints, type LentEndpoints, type TimedEntity } from './api.ts';
import type { TcpParams } from './params.ts';
import { expiryOrder, timerExpiry } from './timer-wheel.ts';
import { ListenerStats } from './listener-stats.ts';
import { AcceptQueue } from './accept-queue.ts';
import { REQ_ACKED, REQ_ECN, REQ_SACK, REQ_TS, RequestTable } from './request-table.ts';
import type { HandshakeInfo } from './handshake.ts';
import { resetForUnmatched } from './reset.ts';
import { buildRequestAck, buildSynAck, negotiateSyn, type SynOptions } from './request-segments.ts';
import { initialWindow, ourWindowScale, tsValue } from './window.ts';
import { TS_OPTION_BYTES } from './tcb.ts';
import type { DstMetrics } from './dst-metrics.ts';
import { SYN_CACHE_BUCKETS, SynCacheBuckets } from './syn-cache.ts';
import { ListenerCookies } from './listener-cookies.ts';
import { inWindow, oowRateLimited } from './request-checks.ts';
import type { ListenerConfig, ListenerHost } from './listener-host.ts';
import { childState, ListenerFastOpen, TFO_SERVER_ENABLE, type FastOpenVerdict } from './fastopen.ts';
import { parseFastOpenKeys, type SipKey } from './fastopen-cookie.ts';

export type { ListenerConfig, ListenerHost } from './listener-host.ts';

export class Listener<C> implements TimedEntity {
  readonly ep: Endpoints;
  readonly stats = new ListenerStats();
  /** min(backlog, somaxconn): Linux sk_max_ack_backlog; queues are "full" above it. */
  readonly maxBacklog: number;
  private params: TcpParams;
  private readonly out: EngineOutput;
  private readonly host: ListenerHost<C>;
  private readonly cookies: ListenerCookies;
  private readonly table: RequestTable;
  private readonly cache: SynCacheBuckets | null;
  private readonly acceptQueue: AcceptQueue<C>;
  private young = 0;
  private readonly wscale: number;
  /**
   * The SYN-ACK's receive window (Linux tcp_openreq_init_rwin): the buffer space rounded down to
   * whole segments of our MSS less the timestamp option when the request uses timestamps
   * (65160 = 45 × 1448 with Linux defaults), of the full MSS without (64240 = 44 × 1460).
   */
  private readonly window: number;
  private readonly windowTs: number;
  private readonly metrics: DstMetrics | null;
  private readonly scratch: Endpoints;
  private readonly syn: SynOptions = { peerMss: 0, peerWscale: -1, sackOk: false, tsOk: false, tsVal: 0, ecnOk: false };
  private closed = false;
  /** TCP Fast Open (fastopen.ts): keys, the Fast Open queue; null when the host's server bit is off. */
  readonly fastOpen: ListenerFastOpen | null;

  constructor(cfg: ListenerConfig<C>) {
    this.params = cfg.params;
    this.out = cfg.out;
    this.host = cfg.host;
    this.ep = { localAddr: cfg.localAddr, localPort: cfg.localPort, remoteAddr: 0, remotePort: 0 };
    this.scratch = { localAddr: cfg.localAddr, localPort: cfg.localPort, remoteAddr: 0, remotePort: 0 };
    this.maxBacklog = Math.max(0, Math.min(cfg.backlog, cfg.params.somaxconn));
    const queueSize = this.maxBacklog + 1; // the kernel tests len > backlog
    const p = cfg.params;
    if (p.synCache) {
      const [a, b] = cfg.cacheKey ?? [cfg.localPort * 2654435761, cfg.localAddr];
      this.cache = new SynCacheBuckets(SYN_CACHE_BUCKETS, Math.max(1, p.synCacheBucketSize), a >>> 0, b >>> 0);
      this.table = new RequestTable(this.cache.capacity);
    } else {
      this.cache = null;
      this.table = new RequestTable(queueSize);
    }
    this.acceptQueue = new AcceptQueue<C>(queueSize, this.stats);
    this.stats.synQueueCapacity = this.table.capacity;
    this.wscale = ourWindowScale(p);
    this.window = initialWindow(p);
    this.windowTs = initialWindow(p, p.mss - TS_OPTION_BYTES);
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

  /**
   * The first SYN-ACK timer (reqsk_queue_hash_req: mod_timer(&req->rsk_timer, jiffies + timeout)):
   * initial RTO, or earlier when a shorter SYN-RECEIVED timer applies.
   */
  private firstTimeout(): Nanos {
    const p = this.params;
    let d = p.initialRto;
    if (p.synRecvTimeout > 0) d = Math.min(d, p.synRecvTimeout);
    if (p.synAckGiveUp > 0) d = Math.min(d, p.synAckGiveUp);
    return d;
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

  // --- segments for a request in SYN_RCVD (tcp_check_req) ---

  private onRequestSegment(row: number, seg: Segment, now: Nanos): void {
    const t = this.table;
    const f = seg.flags;
    const irs = t.irs[row]!;
    const iss = t.iss[row]!;
    // A retransmitted SYN: answer with the SYN-ACK again and restart its timer (Linux), unless
    // an answer went out within tcp_invalid_ratelimit (then nothing, timer untouched).
    if ((f & (SYN | ACK | RST | FIN)) === SYN && seg.seq === irs) {
      if (this.oowRateLimited(row, seg, now)) return;
      this.sendSynAck(row, now, true);
      this.rearm(row, now, false); // tcp_check_req: mod_timer_pending from softirq
      return;
    }
    if (f & ACK && seg.ack !== (iss + 1) >>> 0) {
      // tcp_check_req hands a bad ACK back to LISTEN processing: <SEQ=SEG.ACK><CTL=RST>
      this.reset(seg, t.raddr[row]!, t.laddr[row]!);
      return;
    }
    const rcvNxt = (irs + 1) >>> 0;
    const end = (seg.seq + seg.len + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0)) >>> 0;
    const window = this.windowOf(row);
    if (!inWindow(seg.seq >>> 0, end, rcvNxt, (rcvNxt + window) >>> 0)) {
      if (!(f & RST) && !this.oowRateLimited(row, seg, now)) {
        this.transmitFor(row, buildRequestAck(seg.dstPort, seg.srcPort, iss, irs, window), false);
      }
      return;
    }
    if (f & (RST | SYN)) {
      // embryonic reset: an in-window RST or a new SYN ends the request (RST answered with nothing)
      if (!(f & RST)) this.reset(seg, t.raddr[row]!, t.laddr[row]!);
      this.stats.synReset++;
      this.dropRequest(row);
      return;
    }
    if (!(f & ACK)) return;
    // tcp_check_req -> listen_overflow. Tested on the accept queue itself: with one queue and a
    // SYN cache, the cache can hold more completed handshakes than the accept queue takes.
    if (this.acceptQueue.length > this.maxBacklog) {
      if (this.params.abortOnOverflow) {
        this.stats.acceptAbort++;
        this.reset(seg, t.raddr[row]!, t.laddr[row]!);
        this.dropRequest(row);
      } else {
        // Linux: remember the ACK, keep the request; its SYN-ACK is retransmitted by the timer
        this.stats.acceptDropAck++;
        t.opts[row]! |= REQ_ACKED;
      }
      return;
    }
    const o = t.opts[row]!;
    const ts = seg.options?.timestamp;
    const peerWscale = t.peerWscale[row]!;
    const h: HandshakeInfo = {
      ep: { localAddr: t.laddr[row]!, localPort: seg.dstPort, remoteAddr: t.raddr[row]!, remotePort: seg.srcPort },
      iss,
      irs,
      peerWindow: t.peerWindow[row]!,
      peerMss: t.peerMss[row]!,
      peerWscale,
      ourWscale: peerWscale >= 0 ? this.wscale : -1,
      sackOk: (o & REQ_SACK) !== 0,
      tsOk: (o & REQ_TS) !== 0,
      tsRecent: (o & REQ_TS) !== 0 && ts !== undefined ? ts.val >>> 0 : t.tsRecent[row]!,
      tsOffset: t.tsOff[row]!,
      synAckSentAt: t.synAckAt[row]!,
      synAckRetransmitted: t.retrans[row]! > 0,
      rcvWnd: window,
      ecnOk: (o & REQ_ECN) !== 0,
    };
    this.removeRow(row);
    this.complete(h, seg, now);
  }

  private complete(h: HandshakeInfo, ack: Segment, now: Nanos): void {
    const child = this.host.completeHandshake(h, ack, now);
    if (child === null) return;
    this.acceptQueue.push(child);
    this.stats.completed++;
    this.out.notify(this.ep, ConnEvent.ACCEPTABLE);
  }

  private acceptFull(): boolean {
    const st = this.stats;
    return this.params.separateQueues
      ? st.acceptQueueLen > this.maxBacklog
      : this.table.size + st.acceptQueueLen > this.maxBacklog;
  }

  // --- the request timer (reqsk_timer_handler), one deadline for all rows ---

  private onRequestTimer(row: number, now: Nanos): void {
    const p = this.params;
    const t = this.table;
    const created = t.created[row]!;
    let expire: boolean;
    let pruned = false;
    if (p.synAckGiveUp > 0) {
      expire = now >= created + p.synAckGiveUp;
    } else {
      const max = p.synAckRetries;
      let thresh = max;
      if (p.synQueuePruning && this.cache === null) {
        // Young/old pruning: when the queue is over half full, requests that never got an ACK
        // for a full timeout ("old") get fewer retries, keeping room for young ones.
        const qlen = t.size;
        if (qlen * 2 > Math.max(8, this.maxBacklog)) {
          let young = this.young * 2;
          while (thresh > 2) {
            if (qlen < young) break;
            thresh--;
            young *= 2;
          }
        }
      }
      expire = t.timeouts[row]! >= thresh;
      pruned = expire && t.timeouts[row]! < max;
    }
    if (p.synRecvTimeout > 0 && now >= created + p.synRecvTimeout) expire = true;
    if (expire) {
      this.stats.synExpired++;
      if (pruned) this.stats.synPruned++;
      this.dropRequest(row);
      return;
    }
    this.sendSynAck(row, now, true);
    if (t.timeouts[row]!++ === 0) this.young--;
    this.rearm(row, now, true);
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
   * Re-arms a request's timer: min(RTO << timeouts, max RTO), capped by the SYN-RECEIVED
   * deadlines, on the timer wheel (mod_timer(&req->rsk_timer, jiffies + reqsk_timeout(req))).
   * `fromTimer`: reqsk_timer_handler re-arms from the timer's own callback (timer-wheel.ts
   * `rearm`); a retransmitted SYN re-arms it from packet processing. Requests expiring in the same
   * tick are handled in the wheel's order (expiryOrder), which matters to the young/old rule: each
   * handler sees the queue as the ones before it left it.
   */
  private rearm(row: number, now: Nanos, fromTimer: boolean): void {
    const p = this.params;
    const t = this.table;
    let next = now + Math.min(p.initialRto * 2 ** t.timeouts[row]!, p.maxRto);
    const created = t.created[row]!;
    if (p.synRecvTimeout > 0) next = Math.min(next, created + p.synRecvTimeout);
    if (p.synAckGiveUp > 0) next = Math.min(next, created + p.synAckGiveUp);
    const d = Math.max(next - now, 0);
    const e = timerExpiry(p, now, d, fromTimer);
    // __mod_timer: a pending timer whose new expiry lands in its bucket stays where it is in the list
    if (!fromTimer && e === t.expiryOf(row)) return;
    t.setExpiry(row, e, expiryOrder(p, now, d, fromTimer, t.nextArm()));
  }

  private sendSynAck(row: number, now: Nanos, retransmit: boolean, fo: FastOpenVerdict | null = null): void {
    const t = this.table;
    const o = t.opts[row]!;
    const tsOk = (o & REQ_TS) !== 0;
    const peerWscale = t.peerWscale[row]!;
    const seg = buildSynAck(
      this.ep.localPort,
      t.rport[row]!,
      t.iss[row]!,
      t.irs[row]!,
      this.windowOf(row),
      this.params.mss,
      peerWscale >= 0 ? this.wscale : -1,
      (o & REQ_SACK) !== 0,
      tsOk ? tsValue(t.tsOff[row]!, now) : 0,
      t.tsRecent[row]!,
      tsOk,
      (o & REQ_ECN) !== 0,
    );
    // A Fast Open cookie rides on the first SYN-ACK only (tcp_rtx_synack passes no cookie).
    if (fo !== null && fo.cookie !== null) {
      seg.options!.fastOpen = fo.cookie;
      if (fo.exp) seg.options!.fastOpenExp = true;
    }
    this.stats.synAcksSent++;
    if (retransmit) {
      t.retrans[row]!++;
      this.stats.synAcksRetransmitted++;
    }
    this.transmitFor(row, seg, retransmit);
  }

  private windowOf(row: number): number {
    return (this.table.opts[row]! & REQ_TS) !== 0 ? this.windowTs : this.window;
  }

  private oowRateLimited(row: number, seg: Segment, now: Nanos): boolean {
    return oowRateLimited(this.table.lastOow, row, seg, now, this.params.invalidRateLimit, this.stats);
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

  private dropRequest(row: number): void {
    const t = this.table;
    const ep = this.epOf(t.raddr[row]!, t.rport[row]!, t.laddr[row]!);
    this.removeRow(row);
    this.out.stateChanged(ep, TcpState.SYN_RCVD, TcpState.CLOSED);
  }

  private removeRow(row: number): void {
    const t = this.table;
    if (t.timeouts[row] === 0) this.young--;
    if (this.cache !== null) this.cache.remove(t.tag[row]!, row);
    t.remove(row);
    this.stats.synQueueLen = t.size;
  }

  private transmitFor(row: number, seg: Segment, retransmit: boolean): void {
    const t = this.table;
    this.out.transmit(this.epOf(t.raddr[row]!, t.rport[row]!, t.laddr[row]!), seg, retransmit);
  }

  private reset(seg: Segment, raddr: number, laddr: number): void {
    const rst = resetForUnmatched(seg);
    if (rst !== null) this.out.transmit(this.epOf(raddr, seg.srcPort, laddr), rst, false);
  }

  /** A reused Endpoints for request output, lent to one EngineOutput call at a time (LentEndpoints). */
  private epOf(raddr: number, rport: number, laddr: number): LentEndpoints {
    const ep = this.scratch;
    ep.localAddr = laddr;
    ep.remoteAddr = raddr;
    ep.remotePort = rport;
    return ep;
  }
}

/** The host's Fast Open key when the parameters name none: drawn from its SYN-cookie secret. */
function hostFastOpenKey<C>(cfg: ListenerConfig<C>): SipKey {
  const s = cfg.secret;
  const w = (i: number): bigint => BigInt(s.hash(0x7f0 + i, 0x4f46, 34, 254, i, 0) >>> 0);
  return { k0: w(0) | (w(1) << 32n), k1: w(2) | (w(3) << 32n) };
}
