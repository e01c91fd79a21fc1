/**
 * A listener's half-open requests, once their SYN is in: the segments that arrive for a request in
 * SYN-RECEIVED (Linux tcp_minisocks.c tcp_check_req), the one timer that serves them all
 * (inet_connection_sock.c reqsk_timer_handler), the SYN-ACKs and other segments sent for them, and
 * a completed handshake's move into the accept queue.
 *
 * Listener (listener.ts) extends this class with LISTEN processing (a new SYN, a cookie ACK) and
 * the socket calls; the split follows Linux's files, and one object per listener stays one (the
 * request path reads the same fields as before, with no object in between).
 */
import type { Nanos } from '../sim/time.ts';
import { ACK, FIN, RST, SYN, type Segment } from '../wire/segment.ts';
import { ConnEvent, TcpState, type EngineOutput, type Endpoints, type LentEndpoints } from './api.ts';
import type { TcpParams } from './params.ts';
import { expiryOrder, timerExpiry } from './timer-wheel.ts';
import { ListenerStats } from './listener-stats.ts';
import { AcceptQueue } from './accept-queue.ts';
import { REQ_ACKED, REQ_ECN, REQ_SACK, REQ_TS, RequestTable } from './request-table.ts';
import type { HandshakeInfo } from './handshake.ts';
import { resetForUnmatched } from './reset.ts';
import { buildRequestAck, buildSynAck } from './request-segments.ts';
import { initialWindow, ourWindowScale, tsValue } from './window.ts';
import { TS_OPTION_BYTES } from './tcb.ts';
import { SYN_CACHE_BUCKETS, SynCacheBuckets } from './syn-cache.ts';
import { inWindow, oowRateLimited } from './request-checks.ts';
import type { ListenerConfig, ListenerHost } from './listener-host.ts';
import type { FastOpenVerdict } from './fastopen.ts';

export abstract class ListenerRequests<C> {
  readonly ep: Endpoints;
  readonly stats = new ListenerStats();
  /** min(backlog, somaxconn): Linux sk_max_ack_backlog; queues are "full" above it. */
  readonly maxBacklog: number;
  protected params: TcpParams;
  protected readonly out: EngineOutput;
  protected readonly host: ListenerHost<C>;
  protected readonly table: RequestTable;
  protected readonly cache: SynCacheBuckets | null;
  protected readonly acceptQueue: AcceptQueue<C>;
  protected young = 0;
  protected readonly wscale: number;
  /**
   * The SYN-ACK's receive window (Linux tcp_openreq_init_rwin): the buffer space rounded down to
   * whole segments of our MSS less the timestamp option when the request uses timestamps
   * (65160 = 45 × 1448 with Linux defaults), of the full MSS without (64240 = 44 × 1460).
   */
  protected readonly window: number;
  protected readonly windowTs: number;
  private readonly scratch: Endpoints;

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
  }

  // --- segments for a request in SYN_RCVD (tcp_check_req) ---

  protected onRequestSegment(row: number, seg: Segment, now: Nanos): void {
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

  protected complete(h: HandshakeInfo, ack: Segment, now: Nanos): void {
    const child = this.host.completeHandshake(h, ack, now);
    if (child === null) return;
    this.acceptQueue.push(child);
    this.stats.completed++;
    this.out.notify(this.ep, ConnEvent.ACCEPTABLE);
  }

  // --- the request timer (reqsk_timer_handler), one deadline for all rows ---

  protected onRequestTimer(row: number, now: Nanos): void {
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

  /**
   * The first SYN-ACK timer (reqsk_queue_hash_req: mod_timer(&req->rsk_timer, jiffies + timeout)):
   * initial RTO, or earlier when a shorter SYN-RECEIVED timer applies.
   */
  protected firstTimeout(): Nanos {
    const p = this.params;
    let d = p.initialRto;
    if (p.synRecvTimeout > 0) d = Math.min(d, p.synRecvTimeout);
    if (p.synAckGiveUp > 0) d = Math.min(d, p.synAckGiveUp);
    return d;
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

  // --- what goes out for a request, and its removal ---

  protected sendSynAck(row: number, now: Nanos, retransmit: boolean, fo: FastOpenVerdict | null = null): void {
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

  protected dropRequest(row: number): void {
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

  protected reset(seg: Segment, raddr: number, laddr: number): void {
    const rst = resetForUnmatched(seg);
    if (rst !== null) this.out.transmit(this.epOf(raddr, seg.srcPort, laddr), rst, false);
  }

  /** A reused Endpoints for request output, lent to one EngineOutput call at a time (LentEndpoints). */
  protected epOf(raddr: number, rport: number, laddr: number): LentEndpoints {
    const ep = this.scratch;
    ep.localAddr = laddr;
    ep.remoteAddr = raddr;
    ep.remotePort = rport;
    return ep;
  }
}
