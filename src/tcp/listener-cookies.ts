/**
 * The listener's SYN-cookie side (Linux tcp_conn_request with want_cookie, cookie_v4_check):
 * stateless SYN-ACKs whose ISS is a cookie, and the validation of a final ACK that matched no
 * request into the HandshakeInfo a connection is built from.
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import type { HandshakeInfo } from './handshake.ts';
import type { ListenerStats } from './listener-stats.ts';
import type { TcpParams } from './params.ts';
import { buildSynAck, type SynOptions } from './request-segments.ts';
import {
  COOKIE_VALID,
  checkCookie,
  cookieMssIndex,
  cookieTimestamp,
  decodeCookieTimestamp,
  makeCookie,
  type CookieSecret,
} from './syn-cookies.ts';
import { initialWindow, tsValue } from './window.ts';

/** Where the per-connection TSval offset comes from (the host's secure_tcp_ts_off). */
export interface TsOffsetSource {
  tsOffset(laddr: number, raddr: number): number;
}

export class ListenerCookies {
  /** Last time a cookie was sent (tcp_synq_overflow); cookies are checked only soon after. */
  private lastOverflow = -Infinity;

  constructor(
    private readonly secret: CookieSecret,
    private readonly params: TcpParams,
    private readonly stats: ListenerStats,
    /** The SYN-ACK window without and with timestamps, and our window-scale shift (-1 = off). */
    private readonly window: number,
    private readonly windowTs: number,
    private readonly wscale: number,
  ) {}

  /** The SYN-ACK answering `seg` with a cookie instead of a request. */
  synAck(seg: Segment, raddr: number, laddr: number, o: SynOptions, host: TsOffsetSource, now: Nanos): Segment {
    const p = this.params;
    const iss = makeCookie(
      this.secret,
      raddr,
      laddr,
      seg.srcPort,
      seg.dstPort,
      seg.seq,
      cookieMssIndex(o.peerMss),
      now,
    );
    this.lastOverflow = now;
    this.stats.cookiesSent++;
    this.stats.synAcksSent++;
    if (!o.tsOk) {
      // without timestamps the SYN-ACK carries MSS only (tcp_clear_options): wscale and SACK are lost;
      // its ECE still says yes, but the ACK cannot bring ECN back (cookie_ecn_ok reads TSecr)
      return buildSynAck(seg.dstPort, seg.srcPort, iss, seg.seq, this.window, p.mss, -1, false, 0, 0, false, o.ecnOk);
    }
    // cookie_init_timestamp: window scale, SACK and ECN ride in the low bits of TSval - ts_off
    const ts = (cookieTimestamp(tsValue(0, now), o.peerWscale, o.sackOk, o.ecnOk) + host.tsOffset(laddr, raddr)) >>> 0;
    return buildSynAck(
      seg.dstPort,
      seg.srcPort,
      iss,
      seg.seq,
      this.windowTs,
      p.mss,
      o.peerWscale >= 0 ? this.wscale : -1,
      o.sackOk,
      ts,
      o.tsVal,
      true,
      o.ecnOk,
    );
  }

  /**
   * A final ACK that matched no request: the handshake it completes if it echoes a recent cookie,
   * else null (the listener then answers RST, as Linux does).
   */
  validate(seg: Segment, raddr: number, laddr: number, host: TsOffsetSource, now: Nanos): HandshakeInfo | null {
    const p = this.params;
    // tcp_synq_no_recent_overflow: no cookie went out lately, so none is checked
    if (p.synCookies === false || !(now <= this.lastOverflow + COOKIE_VALID)) return null;
    const mss = checkCookie(this.secret, raddr, laddr, seg.srcPort, seg.dstPort, seg.seq, seg.ack, now);
    if (mss === 0) {
      this.stats.cookiesFailed++;
      return null;
    }
    const ts = seg.options?.timestamp;
    const off = host.tsOffset(laddr, raddr);
    let wscale = -1;
    let sackOk = false;
    let ecnOk = false;
    if (ts !== undefined) {
      // cookie_timestamp_decode: the options come back in TSecr; refuse ones we no longer allow
      if (!p.timestamps) return null;
      const d = decodeCookieTimestamp((ts.ecr - off) >>> 0);
      if ((d.sackOk && !p.sack) || (d.wscale >= 0 && !p.windowScaling)) return null;
      wscale = d.wscale;
      sackOk = d.sackOk;
      ecnOk = d.ecnOk && p.ecn !== 0; // cookie_ecn_ok
    }
    this.stats.cookiesAccepted++;
    // No SYN-ACK send time is known: the RTT sample can only come from the timestamp echo.
    // cookie_v4_check redoes tcp_select_initial_window with the cookie's MSS (no TS deduction).
    return {
      ep: { localAddr: laddr, localPort: seg.dstPort, remoteAddr: raddr, remotePort: seg.srcPort },
      iss: (seg.ack - 1) >>> 0,
      irs: (seg.seq - 1) >>> 0,
      peerWindow: seg.window,
      peerMss: mss,
      peerWscale: wscale,
      ourWscale: wscale >= 0 ? this.wscale : -1,
      sackOk,
      tsOk: ts !== undefined,
      tsRecent: ts !== undefined ? ts.val >>> 0 : 0,
      tsOffset: off,
      rcvWnd: initialWindow(p, mss),
      ecnOk,
    };
  }
}
