/**
 * A listener's request limits and SYN-RECEIVED answers as Linux has them, as packet traces:
 * the last quarter of tcp_max_syn_backlog kept for proven peers (tcp_conn_request,
 * tcp_peer_is_proven), tcp_invalid_ratelimit on duplicate SYNs and out-of-window segments
 * (tcp_check_req, tcp_oow_rate_limited), the SYN-ACK's window with and without timestamps
 * (tcp_openreq_init_rwin), and the server's first RTT sample from the timestamp echo
 * (tcp_synack_rtt_meas).
 */
import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK } from '../../src/wire/segment.ts';
import { Connection } from '../../src/tcp/connection.ts';
import { DstMetrics } from '../../src/tcp/dst-metrics.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { CLIENT, ISS, SERVER, finalAck, line, makeListener, runTimers, seg, syn } from './listener-harness.ts';
import { Recorder as ConnRecorder } from './harness.ts';

const PROVEN = 0x0a000063; // 10.0.0.99: a past connection measured its RTT
const STRANGER = 0x0a000064;

/** 13 half-open requests from distinct sources: with tcp_max_syn_backlog 16, the reserve (4) starts at 13. */
function fillToReserve(listener: ReturnType<typeof makeListener>['listener'], now = 0): void {
  for (let i = 0; i < 13; i++) listener.onSegment(syn(20000 + i, 0), (0xc0a80000 + i) >>> 0, SERVER, now);
}

describe('tcp_max_syn_backlog: the last quarter is for proven peers (cookies off)', () => {
  function setup(overrides = {}) {
    const metrics = new DstMetrics();
    metrics.getOrCreate(SERVER, PROVEN, 0).rtt = 20 * MS;
    const l = makeListener({ synCookies: false, maxSynBacklog: 16, ...overrides }, 128, 'linux', metrics);
    return { ...l, metrics };
  }

  it('drops a SYN from an unproven peer once fewer than max_syn_backlog / 4 slots remain, and sends nothing', () => {
    const { out, listener } = setup();
    fillToReserve(listener);
    expect(out.take()).toHaveLength(13);
    out.states = [];
    listener.onSegment(syn(40000, 0), STRANGER, SERVER, 0);
    expect(out.take()).toEqual([]);
    expect(out.states).toEqual([]);
    expect(listener.synQueueLen).toBe(13);
    expect(listener.stats.synDropUnproven).toBe(1);
    expect(listener.stats.synQueueDrops).toBe(1);
  });

  it('accepts a SYN from a proven peer in the reserve: SYN-ACK as usual', () => {
    const { out, listener } = setup();
    fillToReserve(listener);
    out.take();
    listener.onSegment(syn(40000, 0), PROVEN, SERVER, 0);
    expect(out.take().map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    expect(listener.synQueueLen).toBe(14);
    expect(listener.stats.synDropUnproven).toBe(0);
  });

  it('a cached entry without an RTT (the connection failed to measure one) proves nothing', () => {
    const { out, listener, metrics } = setup();
    metrics.getOrCreate(SERVER, PROVEN, 0).rtt = 0;
    fillToReserve(listener);
    out.take();
    listener.onSegment(syn(40000, 0), PROVEN, SERVER, 0);
    expect(out.take()).toEqual([]);
  });

  it('below the reserve everyone is answered; with cookies on (tcp_syncookies 1) the rule never applies', () => {
    const a = setup();
    for (let i = 0; i < 12; i++) a.listener.onSegment(syn(20000 + i, 0), (0xc0a80000 + i) >>> 0, SERVER, 0);
    a.out.take();
    a.listener.onSegment(syn(40000, 0), STRANGER, SERVER, 0); // 16 - 12 = 4, not < 4
    expect(a.out.take()).toHaveLength(1);
    const b = setup({ synCookies: true });
    fillToReserve(b.listener);
    b.out.take();
    b.listener.onSegment(syn(40000, 0), STRANGER, SERVER, 0);
    expect(b.out.take()).toHaveLength(1);
    expect(b.listener.synQueueLen).toBe(14);
  });

  it('ip tcp_metrics flush: the proven peer is a stranger again', () => {
    const { out, listener, metrics } = setup();
    metrics.flush();
    fillToReserve(listener);
    out.take();
    listener.onSegment(syn(40000, 0), PROVEN, SERVER, 0);
    expect(out.take()).toEqual([]);
    expect(listener.stats.synDropUnproven).toBe(1);
  });

  it('an entry not updated for an hour is emptied when read (tcpm_check_stamp)', () => {
    const { out, listener } = setup();
    const t = 3601 * SEC;
    fillToReserve(listener, t);
    out.take();
    listener.onSegment(syn(40000, 0), PROVEN, SERVER, t);
    expect(out.take()).toEqual([]);
  });

  it('with the linux defaults (4096) a listen(128) queue never reaches the reserve', () => {
    const { out, listener } = makeListener({ synCookies: false }, 128);
    expect(tcpParams('linux').maxSynBacklog).toBe(4096);
    for (let i = 0; i < 200; i++) listener.onSegment(syn(20000 + i, 0), (0xc0a80000 + i) >>> 0, SERVER, 0);
    expect(out.take()).toHaveLength(129);
    expect(listener.stats.synDropFull).toBe(71);
    expect(listener.stats.synDropUnproven).toBe(0);
  });
});

describe('tcp_invalid_ratelimit: a request answers at most once per 500 ms', () => {
  it('duplicate SYNs: answered, then silent (timer untouched) until 500 ms after the last answer', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    out.take();
    const dup = (t: number) => {
      out.now = t;
      listener.onSegment(syn(40000, 0), CLIENT, SERVER, t);
      return out.take().map(line);
    };
    expect(dup(100 * MS)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    expect(listener.deadline).toBe(1100 * MS);
    expect(dup(300 * MS)).toEqual([]);
    expect(dup(599 * MS)).toEqual([]);
    expect(listener.deadline).toBe(1100 * MS);
    expect(dup(600 * MS)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    expect(listener.deadline).toBe(1600 * MS);
    expect(listener.stats.oowRateLimited).toBe(2);
  });

  it('out-of-window segments: pure ACKs share the limit with duplicate SYNs; data without SYN is always answered', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    out.take();
    const far = (t: number, len = 0) =>
      listener.onSegment(seg(ACK, 200_000, ISS + 1, null, 40000, len), CLIENT, SERVER, t);
    far(100 * MS);
    expect(out.take().map(line)).toEqual([`. ${ISS + 1}:${ISS + 1}(0) ack 1`]);
    far(200 * MS);
    expect(out.take()).toEqual([]);
    far(250 * MS, 100);
    expect(out.take().map(line)).toEqual([`. ${ISS + 1}:${ISS + 1}(0) ack 1`]);
    // 200 ms after the last limited answer (answering data does not restart the interval)
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 300 * MS);
    expect(out.take()).toEqual([]);
    far(800 * MS);
    expect(out.take()).toHaveLength(1);
  });

  it('0 (the rfc9293 profile) answers every one', () => {
    const { out, listener } = makeListener({}, 128, 'rfc9293');
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    out.take();
    for (let i = 1; i <= 3; i++) listener.onSegment(syn(40000, 0), CLIENT, SERVER, i * 10 * MS);
    expect(out.take()).toHaveLength(3);
  });
});

describe('the SYN-ACK window (tcp_openreq_init_rwin)', () => {
  it('65160 with timestamps (45 × 1448), 64240 without (44 × 1460); the connection keeps it', () => {
    const { out, host, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    listener.onSegment(syn(40001, 0, { mss: 1460 }), CLIENT, SERVER, 0);
    const [withTs, without] = out.take();
    expect(withTs!.seg.window).toBe(65160);
    expect(without!.seg.window).toBe(64240);
    listener.onSegment(finalAck(withTs!.seg, { timestamp: { val: 101, ecr: 1_000_000 } }), CLIENT, SERVER, 10 * MS);
    listener.onSegment(finalAck(without!.seg), CLIENT, SERVER, 10 * MS);
    expect(host.children.map((c) => c.h.rcvWnd)).toEqual([65160, 64240]);
  });

  it('the window bounds what a request accepts: 65160 with timestamps', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    out.take();
    // RCV.NXT = 1: sequence 1 + 65160 is the first byte beyond the window
    listener.onSegment(seg(ACK, 1 + 65160, ISS + 1, null, 40000, 10), CLIENT, SERVER, 0);
    expect(out.take()).toHaveLength(1);
    listener.onSegment(seg(ACK, 65160, ISS + 1, null, 40000, 10), CLIENT, SERVER, 0);
    expect(out.take()).toEqual([]);
  });

  it('a cookie SYN-ACK carries the same windows', () => {
    const { out, listener } = makeListener({ synCookies: 'always' });
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    listener.onSegment(syn(40001, 0, { mss: 1460 }), CLIENT, SERVER, 0);
    expect(out.take().map((s) => s.seg.window)).toEqual([65160, 64240]);
  });
});

describe("the server's first RTT sample (tcp_synack_rtt_meas)", () => {
  const params = tcpParams('linux');

  it('after a retransmitted SYN-ACK: from the timestamp the final ACK echoes, not a 3 s RTO', () => {
    const { out, host, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 0);
    out.take(); // the first SYN-ACK is lost
    runTimers(listener, out, 1 * SEC);
    const again = out.take()[0]!;
    expect(again.retransmit).toBe(true);
    const ts = again.seg.options!.timestamp!;
    expect(ts.val).toBe(1_000_000 + 1000);
    const ack = finalAck(again.seg, { timestamp: { val: 1200, ecr: ts.val } });
    listener.onSegment(ack, CLIENT, SERVER, 1100 * MS);
    const h = host.children[0]!.h;
    expect(h.synAckRetransmitted).toBe(true);
    const c = Connection.fromHandshake(h, params, 1100 * MS, new ConnRecorder(), null, ack);
    expect(c.srtt).toBe(100 * MS);
    expect(c.rto).toBe(300 * MS); // 100 + max(4 × 50, 200) ms
    // without timestamps nothing can be measured: RFC 6298 5.7's 3 s
    const bare = Connection.fromHandshake(
      { ...h, tsOk: false },
      params,
      1100 * MS,
      new ConnRecorder(),
      null,
      finalAck(again.seg),
    );
    expect(bare.srtt).toBe(0);
    expect(bare.rto).toBe(3 * SEC);
  });

  it('after a cookie: from the echo of the cookie SYN-ACK timestamp (a cookie keeps no send time)', () => {
    const { out, listener } = makeListener({ synCookies: 'always' });
    const children: Connection[] = [];
    (
      listener as unknown as { host: { completeHandshake: (h: never, a: never, n: number) => unknown } }
    ).host.completeHandshake = (h, a, n) => {
      const c = Connection.fromHandshake(h, params, n, new ConnRecorder(), null, a);
      children.push(c);
      return c;
    };
    out.now = 1 * SEC;
    listener.onSegment(syn(40000, 0), CLIENT, SERVER, 1 * SEC);
    const synAck = out.take()[0]!.seg;
    const echoed = synAck.options!.timestamp!.val;
    const ack = finalAck(synAck, { timestamp: { val: 1050, ecr: echoed } });
    listener.onSegment(ack, CLIENT, SERVER, 1050 * MS);
    expect(children).toHaveLength(1);
    // cookie_init_timestamp puts the options in the low 6 bits and never runs ahead of the clock
    const ms = (1_000_000 + 1050 - echoed) >>> 0;
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(ms).toBeLessThan(50 + 64);
    expect(children[0]!.srtt).toBe(ms * MS);
    expect(children[0]!.rto).toBe(ms * MS + Math.max(2 * ms * MS, 200 * MS));
  });

  it('a cookie without timestamps: no sample, 3 s as Linux tcp_init_metrics falls back', () => {
    const { out, listener } = makeListener({ synCookies: 'always' });
    let child: Connection | null = null;
    (
      listener as unknown as { host: { completeHandshake: (h: never, a: never, n: number) => unknown } }
    ).host.completeHandshake = (h, a, n) =>
      (child = Connection.fromHandshake(h, params, n, new ConnRecorder(), null, a));
    listener.onSegment(syn(40000, 0, { mss: 1460 }), CLIENT, SERVER, 0);
    const synAck = out.take()[0]!.seg;
    listener.onSegment(finalAck(synAck), CLIENT, SERVER, 50 * MS);
    expect(child!.srtt).toBe(0);
    expect(child!.rto).toBe(3 * SEC);
  });
});
