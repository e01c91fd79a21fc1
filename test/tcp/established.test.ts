/**
 * The shared first step in synchronized states (RFC 9293 3.10.7.4, RFC 5961, RFC 7323 PAWS) and
 * receiving data: each test delivers peer segments to an ESTABLISHED connection and checks the
 * exact segments we sent in answer.
 */
import { describe, expect, test } from 'vitest';
import { TcpState } from '../../src/tcp/api.ts';
import { MS } from '../../src/sim/time.ts';
import { activeEstablished, passiveEstablished } from './harness.ts';

describe('segment acceptability and data', () => {
  test('a segment with no flags is dropped silently; with ACK it is taken (validate-established-no-flags.pkt)', () => {
    const t = passiveEstablished();
    t.at(110 * MS);
    expect(t.in('- 1:1001(1000) win 20000')).toEqual([]);
    expect(t.c.readable).toBe(0);
    expect(t.in('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1001']);
    expect(t.c.readable).toBe(1000);
  });

  test('data beyond the window is answered with an ACK and dropped', () => {
    const t = passiveEstablished();
    expect(t.in('P. 900000:901000(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1']);
    expect(t.c.readable).toBe(0);
    expect(t.c.rcvq.oooBytes).toBe(0);
  });

  test('an old duplicate is acknowledged at once', () => {
    const t = passiveEstablished();
    t.in('P. 1:101(100) ack 1 win 257');
    t.at(t.now + 5 * MS);
    expect(t.in('P. 1:101(100) ack 1 win 257')).toEqual(['. 1:1(0) ack 101']);
    expect(t.c.readable).toBe(100);
  });

  test('a segment overlapping RCV.NXT is trimmed to its new part', () => {
    const t = passiveEstablished();
    t.in('P. 1:101(100) ack 1 win 257');
    expect(t.in('P. 51:201(150) ack 1 win 257')).toEqual(['. 1:1(0) ack 201']);
    expect(t.c.readable).toBe(200);
    expect(t.c.bytesReceived).toBe(200);
  });

  test('out-of-order data: duplicate ACKs with SACK blocks, latest block first (RFC 2018 4), then joined', () => {
    const t = passiveEstablished();
    expect(t.inFull('. 1001:2001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1 win 502 <nop,nop,sack 1001:2001>']);
    expect(t.inFull('. 3001:4001(1000) ack 1 win 257')).toEqual([
      '. 1:1(0) ack 1 win 502 <nop,nop,sack 3001:4001 1001:2001>',
    ]);
    expect(t.c.readable).toBe(0);
    expect(t.c.rcvq.oooBytes).toBe(2000);
    // Filling the first hole: ACK at once (RFC 5681 4.2), the remaining block reported.
    // The window shrinks by what waits unread (64240 rounded up to the scale unit, minus 2000).
    expect(t.inFull('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 2001 win 489 <nop,nop,sack 3001:4001>']);
    expect(t.inFull('. 2001:3001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 4001 win 481']);
    expect(t.c.readable).toBe(4000);
    expect(t.c.bytesReceived).toBe(4000);
    expect(t.c.rcvq.hasOutOfOrder).toBe(false);
  });

  test('without SACK permitted no SACK blocks are sent', () => {
    const t = passiveEstablished({ sackOk: false });
    expect(t.inFull('. 1001:2001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1 win 502']);
  });

  test('a FIN received out of order ends the stream once the gap fills', () => {
    const t = passiveEstablished();
    t.in('F. 1001:1001(0) ack 1 win 257');
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
    // The gap is filled: ACK at once, FIN included (RFC 5681 4.2, Linux ICSK_ACK_NOW).
    expect(t.in('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1002']);
    expect(t.c.state).toBe(TcpState.CLOSE_WAIT);
    expect(t.c.eof).toBe(false);
    expect(t.c.recv(5000, t.now)).toBe(1000);
    expect(t.c.eof).toBe(true);
    expect(t.c.recv(5000, t.now)).toBe(0);
  });
});

describe('RST and SYN in synchronized states (RFC 5961)', () => {
  test('a RST at exactly RCV.NXT resets: CLOSED, ECONNRESET, nothing sent', () => {
    const t = passiveEstablished();
    expect(t.in('R. 1:1(0) ack 1 win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeStates()).toEqual(['ESTABLISHED>CLOSED']);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ECONNRESET', 'FREED']);
    expect(t.c.takeError()).toBe('ECONNRESET');
    expect(t.c.takeError()).toBeNull();
  });

  test('an in-window RST that is not exact gets a challenge ACK, at most one per 500 ms', () => {
    const t = passiveEstablished();
    expect(t.in('R. 500:500(0) ack 1 win 0')).toEqual(['. 1:1(0) ack 1']);
    expect(t.in('R 700:700(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
    t.at(t.now + 500 * MS);
    expect(t.in('R 700:700(0) win 0')).toEqual(['. 1:1(0) ack 1']);
  });

  test('a RST outside the window is dropped without an answer', () => {
    const t = passiveEstablished();
    expect(t.in('R 10000000:10000000(0) win 0')).toEqual([]);
    expect(t.in('R 0:0(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
  });

  test('a SYN in ESTABLISHED gets a challenge ACK, in window or not', () => {
    const t = passiveEstablished();
    expect(t.in('S 1:1(0) win 1000')).toEqual(['. 1:1(0) ack 1']);
    t.at(t.now + 1000 * MS);
    expect(t.in('S 5000000:5000000(0) win 1000')).toEqual(['. 1:1(0) ack 1']);
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
  });

  test('after the peer FIN a RST at RCV.NXT − 1 is also accepted (Linux tcp_reset_check)', () => {
    const t = passiveEstablished();
    t.in('F. 1:1(0) ack 1 win 257');
    t.runTimers(t.now + 1000 * MS);
    expect(t.in('R. 1:1(0) ack 1 win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toContain('ERROR:EPIPE');
  });
});

describe('the ACK field', () => {
  test('an ACK for data never sent is dropped: silently in ESTABLISHED on Linux, answered with an ACK by RFC 9293', () => {
    // Linux tcp_rcv_established: tcp_ack() < 0 (ACK of unsent data) goes to discard, no ACK.
    const linux = passiveEstablished();
    expect(linux.in('P. 1:101(100) ack 5000 win 257')).toEqual([]);
    expect(linux.c.readable).toBe(0);
    const rfc = passiveEstablished({ profile: 'rfc9293' });
    expect(rfc.in('P. 1:101(100) ack 5000 win 257')).toEqual(['. 1:1(0) ack 1']);
    expect(rfc.c.readable).toBe(0);
  });

  test('an ACK older than SND.UNA − MAX.SND.WND is challenged (RFC 5961 5.2); a merely old one is ignored', () => {
    const t = passiveEstablished({ peerWscale: -1, peerWindow: 1000 });
    for (let i = 0; i < 3; i++) {
      t.c.send(1000, t.now);
      t.sent();
      t.at(t.now + 10 * MS);
      t.in(`. 1:1(0) ack ${(i + 1) * 1000 + 1} win 1000`);
    }
    expect(t.c.sndUna).toBe((t.c.iss + 3001) >>> 0);
    t.at(t.now + 1000 * MS);
    expect(t.in('P. 1:101(100) ack 1 win 1000')).toEqual(['. 3001:3001(0) ack 1']);
    expect(t.c.readable).toBe(0);
    expect(t.in('P. 1:101(100) ack 2500 win 1000')).toEqual(['. 3001:3001(0) ack 101']);
    expect(t.c.readable).toBe(100);
  });

  test('the window is only taken from segments newer than the last update (SND.WL1/WL2)', () => {
    const t = passiveEstablished();
    t.in('P. 1:101(100) ack 1 win 100');
    expect(t.c.sndWnd).toBe(100 * 128);
    t.in('. 1:1(0) ack 1 win 50'); // older SEQ: no update
    expect(t.c.sndWnd).toBe(100 * 128);
    t.in('. 101:101(0) ack 1 win 60');
    expect(t.c.sndWnd).toBe(60 * 128);
  });
});

describe('PAWS (RFC 7323 5)', () => {
  test('a segment with an older timestamp is dropped and answered with an ACK', () => {
    const t = activeEstablished({ peerOptions: 'mss 1000,TS val 1000 ecr 0' });
    t.at(200 * MS);
    expect(t.in('P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 1010 ecr 100>')).toEqual(['. 1:1(0) ack 101']);
    expect(t.c.tsRecent).toBe(1010);
    t.at(300 * MS);
    expect(t.inFull('P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 900 ecr 100>')).toEqual([
      '. 1:1(0) ack 101 win 65392 <nop,nop,TS val 300 ecr 1010>',
    ]);
    expect(t.c.readable).toBe(100);
    // A RST is not subject to PAWS.
    expect(t.in('R. 101:101(0) ack 1 win 0 <nop,nop,TS val 900 ecr 100>')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('TS.Recent only follows segments starting at or before the last ACK sent', () => {
    const t = activeEstablished({ peerOptions: 'mss 1000,TS val 1000 ecr 0' });
    t.in('. 1001:2001(1000) ack 1 win 65535 <nop,nop,TS val 1020 ecr 100>'); // out of order
    expect(t.c.tsRecent).toBe(1000);
    t.in('. 1:1001(1000) ack 1 win 65535 <nop,nop,TS val 1030 ecr 100>');
    expect(t.c.tsRecent).toBe(1030);
  });
});
