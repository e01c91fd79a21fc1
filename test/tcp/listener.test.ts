import { describe, expect, it } from 'vitest';
import { SEC } from '../../src/sim/time.ts';
import { ACK, RST, SYN } from '../../src/wire/segment.ts';
import { ConnEvent } from '../../src/tcp/api.ts';
import { CLIENT, ISS, finalAck, line, makeListener, runTimers, seg, syn } from './listener-harness.ts';

describe('LISTEN processing (RFC 9293 3.10.7.2)', () => {
  it('answers a SYN with exactly one SYN-ACK carrying the negotiated options', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    const sent = out.take();
    expect(sent.map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    expect(sent[0]!.to).toBe(CLIENT);
    expect(sent[0]!.retransmit).toBe(false);
    // TSval = the host's per-connection offset + ms clock; wscale 7 as Linux (chosen for tcp_rmem max)
    expect(sent[0]!.seg.options).toEqual({
      mss: 1460,
      sackPermitted: true,
      timestamp: { val: 1_000_000, ecr: 100 },
      wscale: 7,
    });
    // Linux tcp_openreq_init_rwin: 65536 bytes of space in whole 1448-byte segments (MSS less the
    // 12-byte timestamp option) = 45 × 1448
    expect(sent[0]!.seg.window).toBe(65160);
    expect(out.states).toEqual(['a000002:40000 LISTEN>SYN_RCVD']);
    expect(listener.synQueueLen).toBe(1);
  });

  it('mirrors only what the peer offered: a bare SYN gets MSS only', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0, null), CLIENT, 0x0a000001, 0);
    expect(out.take()[0]!.seg.options).toEqual({ mss: 1460 });
  });

  it('ignores a RST and answers an ACK with <SEQ=SEG.ACK><CTL=RST>', () => {
    const { out, listener } = makeListener();
    listener.onSegment(seg(RST, 1, 0), CLIENT, 0x0a000001, 0);
    expect(out.take()).toEqual([]);
    listener.onSegment(seg(ACK, 1, 777), CLIENT, 0x0a000001, 0);
    expect(out.take().map(line)).toEqual(['R 777:777(0)']);
    expect(out.states).toEqual([]);
  });

  it('completes on the final ACK: the host builds the connection and gets the ACK (data on the third ACK)', () => {
    const { out, host, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    const synAck = out.take()[0]!.seg;
    const ack = finalAck(synAck, { timestamp: { val: 130, ecr: 0 } }, 100);
    listener.onSegment(ack, CLIENT, 0x0a000001, 30_000_000);
    expect(out.take()).toEqual([]);
    expect(host.children).toHaveLength(1);
    const h = host.children[0]!.h;
    expect(h).toMatchObject({
      iss: ISS,
      irs: 0,
      peerWindow: 65535,
      peerMss: 1460,
      peerWscale: 7,
      ourWscale: 7,
      sackOk: true,
      tsOk: true,
      tsRecent: 130,
      tsOffset: 1_000_000,
      synAckSentAt: 0,
      synAckRetransmitted: false,
    });
    expect(h.ep).toEqual({ localAddr: 0x0a000001, localPort: 80, remoteAddr: CLIENT, remotePort: 40000 });
    expect(host.children[0]!.acks[0]).toBe(ack);
    expect(out.notes).toEqual([ConnEvent.ACCEPTABLE]);
    expect(listener.synQueueLen).toBe(0);
    expect(listener.accept()).toBe(host.children[0]);
    expect(listener.accept()).toBeNull();
  });

  it('answers a duplicate SYN with the SYN-ACK again (marked as a retransmission)', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    out.take();
    out.now = 500_000_000;
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, out.now);
    const sent = out.take();
    expect(sent.map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    expect(sent[0]!.retransmit).toBe(true);
    expect(listener.synQueueLen).toBe(1);
    // the timer was restarted from the duplicate: next SYN-ACK at 1.5 s, not 1 s
    expect(listener.deadline).toBe(1.5 * SEC);
  });

  it('answers an ACK with a wrong ack number with RST and keeps the request', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    out.take();
    listener.onSegment(seg(ACK, 1, 12345), CLIENT, 0x0a000001, 0);
    expect(out.take().map(line)).toEqual(['R 12345:12345(0)']);
    expect(listener.synQueueLen).toBe(1);
  });

  it('ends a request on an in-window RST', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    out.take();
    listener.onSegment(seg(RST, 1, 0), CLIENT, 0x0a000001, 0);
    expect(out.take()).toEqual([]);
    expect(listener.synQueueLen).toBe(0);
    expect(out.states.at(-1)).toBe('a000002:40000 SYN_RCVD>CLOSED');
    expect(listener.stats.synReset).toBe(1);
  });
});

describe('SYN-ACK retransmission (Linux tcp_synack_retries = 5)', () => {
  it('sends SYN-ACKs at 0, 1, 3, 7, 15, 31 s and drops the request at 63 s', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    runTimers(listener, out, 100 * SEC);
    const sent = out.take();
    expect(sent.map((s) => s.t / SEC)).toEqual([0, 1, 3, 7, 15, 31]);
    expect(sent.map((s) => s.retransmit)).toEqual([false, true, true, true, true, true]);
    expect(out.states).toEqual(['a000002:40000 LISTEN>SYN_RCVD', 'a000002:40000 SYN_RCVD>CLOSED']);
    expect(listener.synQueueLen).toBe(0);
    expect(listener.stats.synExpired).toBe(1);
    expect(listener.deadline).toBe(Infinity);
  });

  it('drops the request when its last timer fires at 63 s, not before', () => {
    const { out, listener } = makeListener();
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    runTimers(listener, out, 62.999 * SEC);
    expect(listener.synQueueLen).toBe(1);
    expect(listener.deadline).toBe(63 * SEC);
    runTimers(listener, out, 63 * SEC);
    expect(listener.synQueueLen).toBe(0);
  });

  it('rfc9293 profile: retransmits with backoff capped at 60 s and gives up at 180 s', () => {
    const { out, listener } = makeListener({}, 128, 'rfc9293');
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    runTimers(listener, out, 300 * SEC);
    expect(out.take().map((s) => s.t / SEC)).toEqual([0, 1, 3, 7, 15, 31, 63, 123]);
    expect(out.states.at(-1)).toBe('a000002:40000 SYN_RCVD>CLOSED');
  });
});

describe('queue sizing', () => {
  it('listen(128) keeps 129 requests in SYN_RCVD and drops the rest without cookies', () => {
    const { out, listener } = makeListener({ synCookies: false }, 128);
    for (let i = 0; i < 200; i++) listener.onSegment(syn(10000 + i, i), CLIENT + i, 0x0a000001, 0);
    expect(listener.synQueueLen).toBe(129);
    expect(listener.stats.synQueueCapacity).toBe(129);
    expect(listener.stats.acceptQueueCapacity).toBe(129);
    expect(listener.stats.synQueuePeak).toBe(129);
    expect(listener.stats.synDropFull).toBe(71);
    expect(listener.stats.synQueueDrops).toBe(71);
    expect(out.take()).toHaveLength(129);
  });

  it('caps the backlog at somaxconn', () => {
    const { listener } = makeListener({ somaxconn: 10, synCookies: false }, 1000);
    for (let i = 0; i < 50; i++) listener.onSegment(syn(10000 + i, i), CLIENT + i, 0x0a000001, 0);
    expect(listener.synQueueLen).toBe(11);
  });

  it('rfc9293 profile: one queue holds half-open and completed connections together', () => {
    const { out, host, listener } = makeListener({}, 2, 'rfc9293');
    for (let i = 0; i < 2; i++) {
      listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
      listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT + i, 0x0a000001, 0);
    }
    expect(host.children).toHaveLength(2);
    listener.onSegment(syn(20000, 0), CLIENT + 10, 0x0a000001, 0);
    expect(out.take()).toHaveLength(1); // third entry fits (2 + 1 = backlog + 1)
    listener.onSegment(syn(20001, 0), CLIENT + 11, 0x0a000001, 0);
    expect(out.take()).toEqual([]); // total would exceed backlog + 1
    expect(listener.stats.synDropFull).toBe(1);
    listener.accept();
    listener.onSegment(syn(20002, 0), CLIENT + 12, 0x0a000001, 0);
    expect(out.take()).toHaveLength(1);
  });
});

describe('accept queue overflow', () => {
  function fillAcceptQueue(abortOnOverflow: boolean) {
    const fx = makeListener({ abortOnOverflow, synCookies: false }, 1);
    const { out, listener } = fx;
    for (let i = 0; i < 2; i++) {
      listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
      listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT + i, 0x0a000001, 0);
    }
    expect(listener.acceptQueueLen).toBe(2); // backlog 1 holds 2
    listener.onSegment(syn(30000, 0), CLIENT + 5, 0x0a000001, 0);
    return fx;
  }

  it('drops new SYNs while the accept queue is full', () => {
    const { out, listener } = fillAcceptQueue(false);
    expect(out.take()).toEqual([]);
    expect(listener.stats.acceptDropSyn).toBe(1);
  });

  it('abortOnOverflow false: drops the final ACK, retransmits the SYN-ACK, completes once there is room', () => {
    const { out, host, listener } = makeListener({ synCookies: false }, 2);
    for (let i = 0; i < 3; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    const acks = out.take().map((s) => finalAck(s.seg));
    listener.onSegment(acks[0]!, CLIENT, 0x0a000001, 0);
    listener.onSegment(acks[1]!, CLIENT + 1, 0x0a000001, 0);
    listener.onSegment(syn(10003, 0), CLIENT + 3, 0x0a000001, 0);
    const last = finalAck(out.take()[0]!.seg);
    listener.onSegment(acks[2]!, CLIENT + 2, 0x0a000001, 0);
    expect(listener.acceptQueueLen).toBe(3); // backlog 2 holds 3
    listener.onSegment(last, CLIENT + 3, 0x0a000001, 0);
    expect(out.take()).toEqual([]);
    expect(host.children).toHaveLength(3);
    expect(listener.stats.acceptDropAck).toBe(1);
    expect(listener.synQueueLen).toBe(1);
    runTimers(listener, out, 1 * SEC);
    expect(out.take().map(line)).toEqual([`S. ${ISS}:${ISS}(0) ack 1`]);
    listener.accept();
    listener.onSegment(last, CLIENT + 3, 0x0a000001, 1.01 * SEC);
    expect(host.children).toHaveLength(4);
    expect(host.children[3]!.h.synAckRetransmitted).toBe(true);
  });

  it('abortOnOverflow true: answers the final ACK with RST and forgets the request', () => {
    const { out, host, listener } = makeListener({ synCookies: false, abortOnOverflow: true }, 1);
    for (let i = 0; i < 2; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    const acks = out.take().map((s) => finalAck(s.seg));
    listener.onSegment(acks[0]!, CLIENT, 0x0a000001, 0);
    listener.onSegment(syn(10002, 0), CLIENT + 2, 0x0a000001, 0);
    acks.push(finalAck(out.take()[0]!.seg));
    listener.onSegment(acks[1]!, CLIENT + 1, 0x0a000001, 0);
    listener.onSegment(acks[2]!, CLIENT + 2, 0x0a000001, 0);
    expect(out.take().map(line)).toEqual([`R ${ISS + 1}:${ISS + 1}(0)`]);
    expect(host.children).toHaveLength(2);
    expect(listener.synQueueLen).toBe(0);
    expect(listener.stats.acceptAbort).toBe(1);
    expect(out.states.at(-1)).toBe('a000004:10002 SYN_RCVD>CLOSED');
  });

  it('accept() returns connections oldest first', () => {
    const { out, host, listener } = makeListener();
    for (let i = 0; i < 3; i++) {
      listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
      listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT + i, 0x0a000001, 0);
    }
    expect([listener.accept(), listener.accept(), listener.accept()]).toEqual(host.children);
  });
});

describe('young/old pruning (reqsk_timer_handler)', () => {
  it('a queue over half full of requests that never got an ACK expires old ones until it is half full', () => {
    const { out, listener } = makeListener({ synCookies: false }, 16);
    for (let i = 0; i < 17; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    // at 1 s all are young (first timeout): full retries; from then on none is young, so the
    // threshold falls to 2 and, at 7 s, old entries expire while 2·qlen > max(8, backlog)
    runTimers(listener, out, 7 * SEC);
    expect(listener.stats.synExpired).toBe(9);
    expect(listener.stats.synPruned).toBe(9);
    expect(listener.synQueueLen).toBe(8);
    expect(out.states.filter((s) => s.endsWith('SYN_RCVD>CLOSED'))).toHaveLength(9);
    out.take();
    // the 8 left have the normal schedule again: SYN-ACKs at 7, 15, 31 s, gone at 63 s
    runTimers(listener, out, 100 * SEC);
    expect(listener.stats.synExpired).toBe(17);
    expect(listener.stats.synPruned).toBe(9);
    expect(listener.deadline).toBe(Infinity);
  });

  it('keeps full retries while the queue is at most half full (max(8, backlog))', () => {
    const { out, listener } = makeListener({ synCookies: false }, 16);
    for (let i = 0; i < 8; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    runTimers(listener, out, 100 * SEC);
    expect([...new Set(out.take().map((s) => s.t / SEC))]).toEqual([0, 1, 3, 7, 15, 31]);
    expect(listener.stats.synPruned).toBe(0);
  });

  it('enough young entries keep the threshold up (qlen < 2^k · young)', () => {
    const { out, listener } = makeListener({ synCookies: false }, 16);
    for (let i = 0; i < 12; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    // 5 young arrivals at 2.5 s: at 3 s qlen 17, young 5 → 17 >= 10, 17 < 20: thresh 4
    for (let i = 12; i < 17; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 2.5 * SEC);
    runTimers(listener, out, 3 * SEC);
    expect(listener.stats.synExpired).toBe(0);
    expect(listener.synQueueLen).toBe(17);
  });

  it('can be switched off (synQueuePruning false)', () => {
    const { out, listener } = makeListener({ synCookies: false, synQueuePruning: false }, 16);
    for (let i = 0; i < 17; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    runTimers(listener, out, 62 * SEC);
    expect(listener.synQueueLen).toBe(17);
  });
});

describe('a SYN flood against the listener', () => {
  it('keeps memory bounded by the backlog and one deadline for all requests', () => {
    // tcp_max_syn_backlog above the backlog: the queue fills to backlog + 1 (no proven-peer reserve)
    const { out, listener } = makeListener({ synCookies: false, maxSynBacklog: 65536 }, 4096);
    let t = 0;
    for (let i = 0; i < 100_000; i++) {
      t = i * 10_000; // 100k SYN/s
      if (listener.deadline <= t) runTimers(listener, out, t);
      listener.onSegment(syn(1024 + (i % 60000), i * 7919), (0xc6120000 + i) >>> 0, 0x0a000001, t);
      if (i % 1000 === 0) out.take();
    }
    expect(listener.synQueueLen).toBe(4097);
    expect(listener.stats.synQueuePeak).toBe(4097);
    expect(listener.stats.synDropFull).toBeGreaterThan(90_000);
    expect(Number.isFinite(listener.deadline)).toBe(true);
    // the table never grew past the queue size
    expect((listener as unknown as { table: { raddr: Uint32Array } }).table.raddr.length).toBeLessThanOrEqual(4097);
  });
});

describe('close()', () => {
  it('forgets requests and aborts connections nobody accepted', () => {
    const { out, host, listener } = makeListener();
    listener.onSegment(syn(10000, 0), CLIENT, 0x0a000001, 0);
    listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT, 0x0a000001, 0);
    listener.onSegment(syn(10001, 0), CLIENT + 1, 0x0a000001, 0);
    listener.close(0);
    expect(host.children[0]!.aborted).toBe(true);
    expect(listener.synQueueLen).toBe(0);
    expect(out.states.at(-1)).toBe('a000003:10001 SYN_RCVD>CLOSED');
    listener.onSegment(syn(10002, 0), CLIENT + 2, 0x0a000001, 0);
    expect(out.take().filter((s) => s.seg.flags & SYN && s.seg.dstPort === 10002)).toEqual([]);
  });
});

describe('a SYN handed over by a TIME-WAIT connection (Linux tcp_conn_request with isn)', () => {
  it('becomes a real request with the ISS TIME-WAIT chose, even when every other SYN gets a cookie', () => {
    const { out, listener } = makeListener({ synCookies: 'always' });
    listener.onSegment(syn(40000, 0), CLIENT, 0x0a000001, 0);
    expect(listener.synQueueLen).toBe(0); // a cookie
    out.take();
    listener.onSegment(syn(40001, 0), CLIENT, 0x0a000001, 0, 777_777);
    expect(out.take().map(line)).toEqual(['S. 777777:777777(0) ack 1']);
    expect(listener.synQueueLen).toBe(1);
    expect(listener.stats.cookiesSent).toBe(1);
  });

  it('in the one-queue (rfc9293) mode it is taken while the queue counts as full', () => {
    const { out, listener } = makeListener({}, 1, 'rfc9293');
    for (let i = 0; i < 2; i++) listener.onSegment(syn(10000 + i, 0), CLIENT + i, 0x0a000001, 0);
    listener.onSegment(finalAck(out.take()[0]!.seg), CLIENT, 0x0a000001, 0); // one completed, one half-open: full
    out.take();
    listener.onSegment(syn(20000, 0), CLIENT + 5, 0x0a000001, 0);
    expect(out.take()).toEqual([]);
    listener.onSegment(syn(20001, 0), CLIENT + 6, 0x0a000001, 0, 4242);
    expect(out.take().map(line)).toEqual(['S. 4242:4242(0) ack 1']);
  });
});
