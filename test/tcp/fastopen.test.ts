/**
 * TCP Fast Open (RFC 7413) as packet traces: the cookie Linux computes, the option on the wire,
 * the client's cookie request / SYN-data / fallback / plain SYN retry, and the server's child
 * made from a SYN with a valid cookie (data readable before the handshake completes, counted in
 * the Fast Open queue, not the SYN queue).
 */
import { describe, expect, test } from 'vitest';
import { TcpState, type Endpoints } from '../../src/tcp/api.ts';
import { Connection } from '../../src/tcp/connection.ts';
import type { HandshakeInfo } from '../../src/tcp/handshake.ts';
import { DstMetrics } from '../../src/tcp/dst-metrics.ts';
import { fastOpenCookie, parseFastOpenKeys, cookieHex, checkFastOpenCookie } from '../../src/tcp/fastopen-cookie.ts';
import type { FastOpenState } from '../../src/tcp/fastopen.ts';
import { Listener, type ListenerHost } from '../../src/tcp/listener.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { CookieSecret } from '../../src/tcp/syn-cookies.ts';
import { SEC } from '../../src/sim/time.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { describeOptions, parseOptions, writeOptions } from '../../src/wire/options.ts';
import { optionsLength, type Segment } from '../../src/wire/segment.ts';
import { EP, OUR_ISS, PEER_ISS, Recorder, brief, full, peer } from './harness.ts';

const ip = (s: string): number => parseIpv4(s)!;

describe('cookies (Linux __tcp_fastopen_cookie_gen_cipher: SipHash-2-4 of the addresses)', () => {
  test('the values in the upstream packetdrill suite', () => {
    const k = parseFastOpenKeys('a0bf63f7-ed803d81-cd641d30-cebc4a90')![0]!;
    expect(cookieHex(fastOpenCookie(ip('10.248.0.2'), ip('192.168.0.2'), k))).toBe('00abaaabe8e954c2');
    const d = parseFastOpenKeys('a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4')![0]!;
    expect(cookieHex(fastOpenCookie(ip('192.0.2.1'), ip('192.168.0.1'), d))).toBe('3021b9d889017eeb'); // -D TFO_COOKIE
    const z = parseFastOpenKeys('0-0-0-0')![0]!;
    expect(cookieHex(fastOpenCookie(ip('192.0.2.1'), ip('192.168.0.1'), z))).toBe('b7c12350a90dc8f5'); // -D TFO_COOKIE_ZERO
  });

  test('a cookie of the backup key validates as key 2; other cookies not at all', () => {
    const keys = parseFastOpenKeys('1-2-3-4,a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4')!;
    expect(keys).toHaveLength(2);
    const c = fastOpenCookie(ip('192.0.2.1'), ip('192.168.0.1'), keys[1]!);
    expect(checkFastOpenCookie(c, ip('192.0.2.1'), ip('192.168.0.1'), keys)).toBe(2);
    expect(checkFastOpenCookie(c, ip('192.0.2.2'), ip('192.168.0.1'), keys)).toBe(0);
    expect(parseFastOpenKeys('1-2-3')).toBeNull();
  });
});

describe('the option on the wire (tcp_options_write, tcp_parse_fastopen_option)', () => {
  const roundTrip = (o: Parameters<typeof writeOptions>[0]): string => {
    const b = new Uint8Array(40);
    const n = writeOptions(o, b, 0);
    expect(n).toBe(optionsLength(o));
    const back = parseOptions(b, 0, n);
    expect(back.ok && back.options?.fastOpen).toEqual(o.fastOpen);
    return describeOptions(b, 0, n, 0);
  };
  test('kind 34 pads with two nops; kind 254 carries the magic 0xF989', () => {
    expect(roundTrip({ mss: 1460, fastOpen: new Uint8Array(0) })).toBe('mss 1460,FO,nop,nop');
    expect(roundTrip({ fastOpen: Uint8Array.of(0xab, 0xcd, 0x12, 0x34) })).toBe('FO abcd1234,nop,nop');
    expect(roundTrip({ fastOpen: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), fastOpenExp: true })).toBe(
      'FOEXP 0102030405060708',
    );
    expect(roundTrip({ fastOpen: new Uint8Array(0), fastOpenExp: true })).toBe('FOEXP');
  });
  test('an odd or over-long cookie is ignored, as Linux does', () => {
    const b = Uint8Array.of(34, 5, 1, 2, 3, 1, 1, 1);
    const r = parseOptions(b, 0, 8);
    expect(r.ok && r.options).toBeNull();
  });
});

/** A client with its own destination metrics; the peer's SYN-ACK carries `cookie`. */
function client(
  metrics: DstMetrics,
  bytes: number,
  flags = 0,
  params = tcpParams('linux', { timers: 'exact', timestamps: false }),
) {
  const rec = new Recorder();
  const c = Connection.connect(EP, params, OUR_ISS, 0, rec, 0, metrics, bytes, flags);
  return { c, rec };
}

const synAck = (ack: number, cookie: string | null, mss = 1460): Segment => {
  const s = peer(`S. 0:0(0) ack ${ack} win 65535 <mss ${mss},sackOK,nop,wscale 7>`);
  if (cookie !== null) s.options!.fastOpen = Uint8Array.from(cookie.match(/../g)!.map((h) => parseInt(h, 16)));
  return s;
};

describe('client (tcp_send_syn_data, tcp_rcv_fastopen_synack)', () => {
  test('first visit asks for a cookie; the next SYN carries data and the cookie, and the SYN-ACK acknowledges it', () => {
    const m = new DstMetrics();
    const a = client(m, 0);
    expect(a.rec.take().map((s) => full(s.seg))).toEqual([
      'S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO,nop,nop>',
    ]);
    a.c.onSegment(synAck(1, 'abcd1234'), 10_000_000);
    expect(a.rec.take().map((s) => brief(s.seg))).toEqual(['. 1:1(0) ack 1']);
    expect(m.lookup(EP.localAddr, EP.remoteAddr, 0)!.fastOpen!.cookie).toEqual(Uint8Array.of(0xab, 0xcd, 0x12, 0x34));

    const b = client(m, 1000);
    expect(b.rec.take().map((s) => full(s.seg))).toEqual([
      'S 0:1000(1000) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO abcd1234,nop,nop>',
    ]);
    b.c.onSegment(synAck(1001, null), 10_000_000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['. 1001:1001(0) ack 1']);
    expect(b.c.state).toBe(TcpState.ESTABLISHED);
    expect(b.c.tcpInfo(10_000_000).options & 32).toBe(32); // TCPI_OPT_SYN_DATA
  });

  test('SYN-data is at most the cached MSS less 40 bytes of option space; the rest waits for the handshake', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, 'abcd1234', 940), 1);
    const b = client(m, 1900);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['S 0:900(900)']);
    b.c.onSegment(synAck(901, null), 20_000_000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['P. 901:1901(1000) ack 1']);
  });

  test('fallback: a SYN-ACK that acknowledges only the SYN gets the data again, as a retransmission', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, '1234abcd'), 1);
    const b = client(m, 700);
    b.rec.take();
    b.c.onSegment(synAck(1, null, 1040), 20_000_000);
    const out = b.rec.take();
    expect(out.map((s) => brief(s.seg))).toEqual(['P. 1:701(700) ack 1']);
    expect(out[0]!.retransmit).toBe(true);
    expect(b.c.tcpInfo(20_000_000).options & 32).toBe(0);
  });

  test('after the fallback resend, new data goes in TSO packets with PSH, its short tail is not held by Nagle, and tcpi_retrans counts the resent segment', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, '1234abcd'), 1);
    const b = client(m, 700);
    b.rec.take();
    b.c.onSegment(synAck(1, null), 20_000_000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['P. 1:701(700) ack 1']);
    // Minshall's check looks at the last short segment of *new* data (tcp_minshall_update runs in
    // tcp_write_xmit only): the resent 700 bytes do not hold the 80-byte tail back.
    expect(b.c.send(3000, 20_000_000)).toBe(3000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual([
      '. 701:2161(1460) ack 1',
      'P. 2161:3621(1460) ack 1',
      'P. 3621:3701(80) ack 1',
    ]);
    expect(b.c.tcpInfo(20_000_000).retrans).toBe(1); // Linux tcpi_retrans = retrans_out
  });

  test('a partial SYN-ACK with a smaller MSS: the rest of the SYN data goes again in segments of that MSS, and is retransmitted per segment', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, '1234abcd'), 1);
    const b = client(m, 1420);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['S 0:1420(1420)']);
    b.c.onSegment(synAck(101, null, 1000), 10_000_000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['. 101:1101(1000) ack 1', 'P. 1101:1421(320) ack 1']);
    expect([b.c.tcpInfo(10_000_000).retrans, b.c.tcpInfo(10_000_000).unacked]).toEqual([2, 2]);
    // the retransmission timer resends the head segment, 1000 bytes, not the whole 1320
    const at = b.c.deadline;
    b.rec.now = at;
    b.c.onTimer(at);
    expect(b.rec.take().map((s) => brief(s.seg))[0]).toBe('. 101:1101(1000) ack 1');
  });

  test('a SYN-data timeout retransmits a plain SYN: no option, no data', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, 'abcd1234'), 1);
    const b = client(m, 2000);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['S 0:1420(1420)']);
    b.rec.now = 1 * SEC;
    b.c.onTimer(1 * SEC);
    expect(b.rec.take().map((s) => full(s.seg))).toEqual(['S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>']);
  });

  test('TCP_FASTOPEN_CONNECT with a cookie: no SYN until the first write, which goes in it', () => {
    const m = new DstMetrics();
    client(m, 0).c.onSegment(synAck(1, 'abcd1234'), 1);
    const b = client(m, 0, 1 /* FO_DEFER */);
    expect(b.rec.take()).toEqual([]);
    expect(b.c.fastOpenDeferred).toBe(true);
    expect(b.c.send(300, 5)).toBe(300);
    expect(b.rec.take().map((s) => brief(s.seg))).toEqual(['S 0:300(300)']);
  });
});

/** A listener whose host makes real connections for Fast Open children. */
function server(
  params = tcpParams('linux', {
    timers: 'exact',
    timestamps: false,
    fastOpen: 3,
    fastOpenQueue: 2,
    fastOpenKey: 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4',
  }),
) {
  const rec = new Recorder();
  const children: Connection[] = [];
  const host: ListenerHost<Connection> = {
    initialSeq: () => OUR_ISS,
    tsOffset: () => 0,
    completeHandshake: (h: HandshakeInfo, ack: Segment, now: number) => {
      const c = Connection.fromHandshake(h, params, now, rec, null, ack);
      children.push(c);
      return c;
    },
    fastOpenChild: (h: HandshakeInfo, syn: Segment, fo: FastOpenState, now: number) => {
      const c = Connection.fromFastOpen(h, syn, fo, params, now, rec);
      children.push(c);
      return c;
    },
    abortChild: () => {},
  };
  const l = new Listener<Connection>({
    localAddr: EP.localAddr,
    localPort: EP.localPort,
    backlog: 8,
    params,
    out: rec,
    host,
    secret: new CookieSecret(1, 2, 3, 4),
  });
  return { l, rec, children };
}

/** A client SYN (from EP's remote side toward the listener). */
function syn(len: number, cookie: Uint8Array | null, port = EP.remotePort): Segment {
  const s = peer(`S 0:${len}(${len}) win 65535 <mss 1460,sackOK,nop,wscale 7>`);
  s.srcPort = port;
  if (cookie !== null) s.options!.fastOpen = cookie;
  return s;
}

describe('server (tcp_try_fastopen, tcp_fastopen_create_child)', () => {
  const key = parseFastOpenKeys('a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4')![0]!;
  const valid = fastOpenCookie(EP.remoteAddr, EP.localAddr, key);

  test('a cookie request gets the cookie in the SYN-ACK, and a normal request', () => {
    const s = server();
    s.l.onSegment(syn(0, new Uint8Array(0)), EP.remoteAddr, EP.localAddr, 0);
    expect(s.rec.take().map((x) => full(x.seg).replace(/ win \d+/, ''))).toEqual([
      `S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO ${cookieHex(valid)},nop,nop>`,
    ]);
    expect(s.l.synQueueLen).toBe(1);
    expect(s.l.fastOpen!.queue.qlen).toBe(0);
  });

  test('SYN-data with a valid cookie: a child in SYN_RCVD, its data readable and acknowledged by the SYN-ACK, accept() before the handshake completes', () => {
    const s = server();
    s.l.onSegment(syn(10, valid), EP.remoteAddr, EP.localAddr, 0);
    expect(s.rec.take().map((x) => brief(x.seg))).toEqual(['S. 0:0(0) ack 11']);
    expect(s.l.synQueueLen).toBe(0);
    expect(s.l.fastOpen!.queue.qlen).toBe(1);
    const child = s.l.accept()!;
    expect(child.state).toBe(TcpState.SYN_RCVD);
    expect(child.readable).toBe(10);
    // the child answers before the final ACK
    expect(child.send(100, 1)).toBe(100);
    expect(s.rec.take().map((x) => brief(x.seg))).toEqual(['P. 1:101(100) ack 11']);
    child.onSegment(peer('. 11:11(0) ack 1 win 1000'), 2);
    expect(child.state).toBe(TcpState.ESTABLISHED);
    expect(s.l.fastOpen!.queue.qlen).toBe(0);
  });

  test('the child counts the peer window and its packets in flight from ISS + 1, as Linux (tcp_create_openreq_child: snd_una = ISS + 1)', () => {
    const s = server();
    const seg = peer('S 0:10(10) win 10000 <mss 1000,sackOK,nop,wscale 7>');
    seg.options!.fastOpen = valid;
    s.l.onSegment(seg, EP.remoteAddr, EP.localAddr, 0);
    s.rec.take();
    const child = s.l.accept()!;
    // the SYN's window (10000, unscaled) from ISS + 1: all ten 1000-byte segments fit, and the
    // initial cwnd of 10 packets is not charged for the unacknowledged SYN-ACK
    expect(child.send(15000, 1)).toBe(15000);
    const sent = s.rec.take().map((x) => brief(x.seg));
    expect(sent.length).toBe(10);
    expect(sent[9]).toBe('P. 9001:10001(1000) ack 11');
  });

  test("an ECN-setup SYN-data: the child's SYN-ACK says SE. and its data goes ECT(0) (tcp_ecn=2, passive ECN)", () => {
    const s = server(
      tcpParams('linux', {
        timers: 'exact',
        timestamps: false,
        fastOpen: 3,
        fastOpenQueue: 2,
        fastOpenKey: 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4',
        ecn: 2,
      }),
    );
    const seg = peer('SEW 0:10(10) win 65535 <mss 1460,sackOK,nop,wscale 7>');
    seg.options!.fastOpen = valid;
    s.l.onSegment(seg, EP.remoteAddr, EP.localAddr, 0);
    expect(s.rec.take().map((x) => brief(x.seg))).toEqual(['SE. 0:0(0) ack 11']);
    const child = s.l.accept()!;
    expect(child.ecnOk).toBe(true);
    child.send(100, 1);
    expect(s.rec.take().map((x) => [brief(x.seg), x.ecn])).toEqual([['P. 1:101(100) ack 11', 2 /* ECT(0) */]]);
  });

  test('a wrong cookie: the data is dropped, the SYN-ACK acknowledges the SYN and brings a valid cookie', () => {
    const s = server();
    s.l.onSegment(syn(10, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), EP.remoteAddr, EP.localAddr, 0);
    expect(s.rec.take().map((x) => full(x.seg).replace(/ win \d+/, ''))).toEqual([
      `S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO ${cookieHex(valid)},nop,nop>`,
    ]);
    expect(s.l.fastOpen!.refused).toBe(1);
  });

  test('the Fast Open queue is bounded apart from the SYN queue: past it, SYN-data falls back to a normal request', () => {
    const s = server();
    for (let i = 0; i < 3; i++) s.l.onSegment(syn(10, valid, 1000 + i), EP.remoteAddr, EP.localAddr, 0);
    expect(s.l.fastOpen!.queue.qlen).toBe(2);
    expect(s.l.fastOpen!.overflow).toBe(1);
    expect(s.l.synQueueLen).toBe(1);
    expect(s.rec.take().map((x) => brief(x.seg))).toEqual(['S. 0:0(0) ack 11', 'S. 0:0(0) ack 11', 'S. 0:0(0) ack 1']);
  });

  test('the child retransmits its SYN-ACK on its own timer, tcp_synack_retries + 1 times', () => {
    const s = server(
      tcpParams('linux', {
        timers: 'exact',
        timestamps: false,
        fastOpen: 3,
        fastOpenQueue: 2,
        fastOpenKey: 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4',
        synAckRetries: 1,
      }),
    );
    s.l.onSegment(syn(10, valid), EP.remoteAddr, EP.localAddr, 0);
    const child = s.children[0]!;
    s.rec.take();
    const times: number[] = [];
    for (let i = 0; i < 5 && child.deadline !== Infinity; i++) {
      const t = child.deadline;
      s.rec.now = t;
      child.onTimer(t);
      for (const x of s.rec.take()) times.push(t / SEC), expect(brief(x.seg)).toBe('S. 0:0(0) ack 11');
    }
    expect(times).toEqual([1, 3]);
    expect(child.state).toBe(TcpState.CLOSED);
    expect(s.l.fastOpen!.queue.qlen).toBe(0);
  });
});

void ({} as Endpoints);
void PEER_ISS;
