/**
 * ICMP errors as Linux's tcp_v4_err takes them (icmp-error.ts), trace style: put a connection in
 * a state, deliver an ICMP error quoting one of its sequence numbers, assert the segments sent,
 * the state and the errno.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { TcpState } from '../../src/tcp/api.ts';
import { IcmpVerdict } from '../../src/tcp/icmp-error.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
} from '../../src/wire/icmp.ts';
import { activeEstablished, brief, fmtMs, full, synSent, type Trace } from './harness.ts';

/** Delivers an ICMP error quoting our sequence number `rel` (relative to our ISN); returns the verdict and what we sent. */
function icmp(t: Trace, type: number, code: number, rel: number, mtu = 0): { verdict: IcmpVerdict; out: string[] } {
  t.rec.now = t.now;
  const verdict = t.c.onIcmpError(type, code, mtu, (t.ourIss + rel) >>> 0, false, t.now);
  return { verdict, out: t.rec.take().map((s) => brief(s.seg, t.ourIss, t.peerIss)) };
}

describe('while connecting: a hard error (connect() fails with the ICMP errno, not ETIMEDOUT)', () => {
  for (const [name, type, code, errno] of [
    ['host unreachable', ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 'EHOSTUNREACH'],
    ['net unreachable', ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 'ENETUNREACH'],
    ['port unreachable', ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 'ECONNREFUSED'],
    ['admin prohibited', ICMP_DEST_UNREACH, 10, 'EHOSTUNREACH'],
    ['time exceeded', ICMP_TIME_EXCEEDED, 0, 'EHOSTUNREACH'],
  ] as const) {
    test(`SYN-SENT, ${name} quoting our SYN: closed with ${errno}, nothing sent`, () => {
      const t = synSent();
      t.at(30 * MS);
      expect(icmp(t, type, code, 0)).toEqual({ verdict: IcmpVerdict.HANDLED, out: [] });
      expect(t.c.state).toBe(TcpState.CLOSED);
      expect(t.rec.takeEvents()).toEqual([`ERROR:${errno}`, 'FREED']);
    });
  }

  test('a quoted sequence number outside SND.UNA..SND.NXT is ignored and counted (RFC 5927 4.1)', () => {
    const t = synSent();
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 2)).toEqual({ verdict: IcmpVerdict.OUT_OF_WINDOW, out: [] });
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, -1)).toEqual({ verdict: IcmpVerdict.OUT_OF_WINDOW, out: [] });
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    expect(t.rec.takeEvents()).toEqual([]);
    // the SYN is still retransmitted at 1 s
    expect(t.runTimers(1000 * MS)).toEqual(['1000 S 0:0(0)']);
  });

  test('frag-needed in SYN-SENT: a plain SYN fits, nothing is resent, the next SYN advertises MTU - 40', () => {
    const t = synSent();
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 0, 800)).toEqual({ verdict: IcmpVerdict.HANDLED, out: [] });
    expect(t.c.state).toBe(TcpState.SYN_SENT);
    t.at(1000 * MS);
    t.c.onTimer(t.now);
    expect(t.rec.take().map((s) => full(s.seg, t.ourIss, t.peerIss))).toEqual([
      'S 0:0(0) win 64240 <mss 760,sackOK,TS val 1000 ecr 0,nop,wscale 7>', // the window set at connect (tcp_connect_init)
    ]);
  });
});

describe('once synchronized: a soft error (RFC 1122 4.2.3.9)', () => {
  /** ESTABLISHED with 3000 bytes in flight (three 1000-byte segments at 100 ms; RTO 300 ms). */
  function inFlight(): Trace {
    const t = activeEstablished({ params: { dataRetries: 3 } });
    t.c.send(3000, t.now);
    expect(t.sent()).toEqual(['. 1:1001(1000) ack 1', 'P. 1001:2001(1000) ack 1', 'P. 2001:3001(1000) ack 1']);
    return t;
  }

  test('host unreachable keeps the connection; when it times out it reports EHOSTUNREACH instead of ETIMEDOUT', () => {
    const t = inFlight();
    t.at(150 * MS);
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 1001)).toEqual({ verdict: IcmpVerdict.HANDLED, out: [] });
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
    expect(t.rec.takeEvents()).toEqual([]);
    t.runTimers(60_000 * MS);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['ERROR:EHOSTUNREACH', 'FREED']);
  });

  test('an acceptable ACK clears the soft error: the timeout is ETIMEDOUT again', () => {
    const t = inFlight();
    icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 1);
    t.at(200 * MS);
    t.in('. 1:1(0) ack 1001 win 65535');
    t.runTimers(60_000 * MS);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  test('net/host unreachable about SND.UNA undoes one RTO backoff (RFC 6069, tcp_ld_RTO_revert)', () => {
    const t = inFlight();
    // RTO 300 ms: resends at 400 ms (RTO -> 600) and 1000 ms (RTO -> 1200, next at 2200 ms)
    expect(t.runTimers(1100 * MS)).toEqual(['400 . 1:1001(1000) ack 1', '1000 . 1:1001(1000) ack 1']);
    expect(fmtMs(t.c.deadline)).toBe('2200');
    icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 1);
    // one backoff undone: RTO 600 ms from the last send at 1000 ms
    expect(fmtMs(t.c.deadline)).toBe('1600');
    // a port unreachable, or one not about SND.UNA, reverts nothing
    const u = inFlight();
    u.runTimers(1100 * MS);
    icmp(u, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 1);
    icmp(u, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 1001);
    expect(fmtMs(u.c.deadline)).toBe('2200');
  });

  test('when the reverted RTO has already run out, the segment is resent at once', () => {
    const t = inFlight();
    t.runTimers(1700 * MS);
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 1).out).toEqual(['. 1:1001(1000) ack 1']);
  });
});

describe('fragmentation needed: path MTU discovery (RFC 1191, tcp_v4_mtu_reduced)', () => {
  test('the MSS drops to MTU - 40 and what was sent is resent in the new size, the window kept', () => {
    const t = activeEstablished();
    t.c.send(3000, t.now);
    t.sent();
    t.at(120 * MS);
    const r = icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1, 576);
    expect(r.verdict).toBe(IcmpVerdict.HANDLED);
    expect(t.c.mss).toBe(536);
    expect(r.out).toEqual([
      '. 1:537(536) ack 1',
      '. 537:1073(536) ack 1',
      '. 1073:1609(536) ack 1',
      '. 1609:2145(536) ack 1',
      '. 2145:2681(536) ack 1',
      'P. 2681:3001(320) ack 1',
    ]);
  });

  test('an MTU at or above the one in use, an out-of-window quote, or IP_PMTUDISC_DONT change nothing', () => {
    const t = activeEstablished();
    t.c.send(3000, t.now);
    t.sent();
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1, 1500).out).toEqual([]);
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 5000, 576)).toEqual({
      verdict: IcmpVerdict.OUT_OF_WINDOW,
      out: [],
    });
    t.c.setPmtuDisc(0);
    expect(icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1, 576).out).toEqual([]);
    expect(t.c.mss).toBe(1000);
  });

  test('an MTU below 552 is taken as 552 (ip_rt_min_pmtu)', () => {
    const t = activeEstablished();
    t.c.send(1000, t.now);
    t.sent();
    icmp(t, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1, 300);
    expect(t.c.mss).toBe(512);
  });
});
