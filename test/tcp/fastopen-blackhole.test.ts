/**
 * Active Fast Open blackhole detection (Linux tcp_fastopen_active_disable and friends,
 * net.ipv4.tcp_fastopen_blackhole_timeout_sec): three timeouts in a row on a connection that used
 * Fast Open, or a lone out-of-order FIN on one that received no data, pause active Fast Open
 * host-wide; while paused connects send plain SYNs; the pause doubles per repeat (at most 64×);
 * data received on the first connection after a pause resets the doubling.
 */
import { describe, expect, test } from 'vitest';
import { Connection } from '../../src/tcp/connection.ts';
import { DstMetrics } from '../../src/tcp/dst-metrics.ts';
import { FastOpenBlackhole } from '../../src/tcp/fastopen-blackhole.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { TcpState } from '../../src/tcp/api.ts';
import { SEC } from '../../src/sim/time.ts';
import type { Segment } from '../../src/wire/segment.ts';
import { EP, OUR_ISS, Recorder, brief, full, peer } from './harness.ts';

const TIMEOUT = 60 * SEC;
const params = (timeout = TIMEOUT) =>
  tcpParams('linux', { timers: 'exact', timestamps: false, fastOpenBlackholeTimeout: timeout });

/** One host: its destination metrics (the cookie cache) and its blackhole state. */
function host(timeout = TIMEOUT) {
  const metrics = new DstMetrics();
  const bh = new FastOpenBlackhole();
  const p = params(timeout);
  const connect = (bytes: number, now: number) => {
    const rec = Object.assign(new Recorder(), { fastOpenBlackhole: bh });
    rec.now = now;
    const c = Connection.connect(EP, p, OUR_ISS, now, rec, 0, metrics, bytes, 0);
    return { c, rec };
  };
  // a first visit caches a cookie
  connect(0, 0).c.onSegment(synAck(1, 'abcd1234'), 1);
  return { bh, connect };
}

function synAck(ack: number, cookie: string | null): Segment {
  const s = peer(`S. 0:0(0) ack ${ack} win 65535 <mss 1460,sackOK,nop,wscale 7>`);
  if (cookie !== null) s.options!.fastOpen = Uint8Array.from(cookie.match(/../g)!.map((h) => parseInt(h, 16)));
  return s;
}

/** Fires the connection's timers until `until`, returning the times (s) of what it sent. */
function runTimers(x: { c: Connection; rec: Recorder }, until: number): number[] {
  const times: number[] = [];
  for (let d = x.c.deadline; d <= until; d = x.c.deadline) {
    x.rec.now = d;
    x.c.onTimer(d);
    for (const _ of x.rec.take()) times.push(d / SEC);
  }
  return times;
}

describe('blackhole detection (tcp_fastopen_active_detect_blackhole)', () => {
  test('the third SYN-data timeout pauses active Fast Open: the next connect sends a plain SYN, no option, no data', () => {
    const h = host();
    const a = h.connect(500, 10 * SEC);
    expect(a.rec.take().map((s) => brief(s.seg))).toEqual(['S 0:500(500)']);
    expect(runTimers(a, 11 * SEC)).toEqual([11]); // first timeout (retransmits 0): a plain SYN
    expect(runTimers(a, 12 * SEC)).toEqual([12]); // second (retransmits 1)
    expect(h.bh.events).toBe(0);
    expect(runTimers(a, 13 * SEC)).toEqual([13]); // third (retransmits 2): paused
    expect(h.bh.events).toBe(1);
    const b = h.connect(500, 14 * SEC);
    expect(b.rec.take().map((s) => full(s.seg))).toEqual(['S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>']);
    expect(b.c.tcpInfo(14 * SEC).options & 32).toBe(0);
  });

  test('the pause lasts the timeout × 2^(pauses − 1); after it a connect uses Fast Open again', () => {
    const h = host();
    h.bh.disable(0);
    expect(
      h
        .connect(500, TIMEOUT - 1)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:0(0)']);
    expect(
      h
        .connect(500, TIMEOUT)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:500(500)']);
    h.bh.disable(0); // a second pause: twice as long
    expect(
      h
        .connect(500, 2 * TIMEOUT - 1)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:0(0)']);
    expect(
      h
        .connect(500, 2 * TIMEOUT)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:500(500)']);
    for (let i = 0; i < 10; i++) h.bh.disable(0); // capped at 64×
    expect(h.bh.verdict(TIMEOUT, 64 * TIMEOUT - 1)).toBe('off');
    expect(h.bh.verdict(TIMEOUT, 64 * TIMEOUT)).toBe('check');
  });

  test('data received on the first connection after a pause resets the back-off (syn_fastopen_ch)', () => {
    const h = host();
    h.bh.disable(0);
    h.bh.disable(0);
    const a = h.connect(500, 2 * TIMEOUT);
    a.rec.take();
    a.c.onSegment(synAck(501, null), 2 * TIMEOUT + 1);
    a.c.onSegment(peer('P. 1:101(100) ack 501 win 1000'), 2 * TIMEOUT + 2);
    expect(h.bh.times).toBe(2);
    a.c.close(2 * TIMEOUT + 3);
    expect(h.bh.times).toBe(0);
    expect(h.bh.events).toBe(2);
  });

  test('a connection that received no data and holds only a FIN out of order pauses Fast Open when it ends', () => {
    const h = host();
    const a = h.connect(500, 10 * SEC);
    a.rec.take();
    a.c.onSegment(synAck(501, null), 10 * SEC + 1);
    a.c.onSegment(peer('F. 101:101(0) ack 501 win 1000'), 10 * SEC + 2); // the peer's data before it was lost
    expect(a.c.state).toBe(TcpState.ESTABLISHED);
    a.c.close(10 * SEC + 3);
    expect(h.bh.events).toBe(1);
    expect(
      h
        .connect(500, 11 * SEC)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:0(0)']);
  });

  test("with the timeout at 0 (Linux's default) nothing pauses, though the events are counted", () => {
    const h = host(0);
    const a = h.connect(500, 10 * SEC);
    a.rec.take();
    runTimers(a, 13 * SEC);
    expect(h.bh.events).toBe(1);
    expect(
      h
        .connect(500, 14 * SEC)
        .rec.take()
        .map((s) => brief(s.seg)),
    ).toEqual(['S 0:500(500)']);
  });

  test('a connection without Fast Open never pauses it', () => {
    const h = host();
    const rec = Object.assign(new Recorder(), { fastOpenBlackhole: h.bh });
    const c = Connection.connect(EP, params(), OUR_ISS, 0, rec, 0, null);
    runTimers({ c, rec }, 20 * SEC);
    expect(h.bh.events).toBe(0);
  });
});
