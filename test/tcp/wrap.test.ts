/**
 * Sequence numbers (and timestamps) modulo 2^32 near the wrap (RFC 9293 3.4, RFC 7323 5.2):
 * connections whose ISNs sit just below 2^32, so data, SACK blocks, FIN, RST checks, PAWS and
 * the TIME-WAIT reopen rule all cross zero. Segments read relative to the ISNs, as packetdrill
 * does; a few absolute numbers are checked to show the wrap really happened.
 */
import { describe, expect, test } from 'vitest';
import { ConnEvent, TcpState } from '../../src/tcp/api.ts';
import { SegmentVerdict } from '../../src/tcp/connection.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import type { Segment } from '../../src/wire/segment.ts';
import { Pair, activeEstablished, passiveEstablished } from './harness.ts';

const TOP = 0xffffffff;

describe('sending across the wrap', () => {
  test('our ISS at 2^32 − 1: the first data byte is sequence 0, ACKs and retransmissions follow', () => {
    const t = activeEstablished({ iss: TOP, peerIss: TOP - 10 });
    t.c.send(3000, t.now);
    const sent = t.rec.take();
    expect(sent.map((s) => s.seg.seq)).toEqual([0, 1000, 2000]);
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 1001 win 65535')).toEqual([]);
    expect(t.c.sndUna).toBe(1000);
    expect(t.c.bytesAcked).toBe(1000);
    // The RTO resends from SND.UNA, past the wrap.
    expect(t.runTimers(2 * SEC)[0]).toMatch(/ P?\. 1001:2001\(1000\) ack 1$/);
    t.in('. 1:1(0) ack 3001 win 65535');
    expect(t.c.sendBuffered).toBe(0);
    expect(t.c.deadline).toBe(Infinity);
  });

  test('an ACK from before the wrap is a duplicate, one for data not sent is answered (RFC 9293)', () => {
    const t = activeEstablished({ iss: TOP - 500, profile: 'rfc9293' });
    t.c.send(2000, t.now);
    t.sent();
    expect(t.in('. 1:1(0) ack 1001 win 65535')).toEqual([]);
    expect(t.c.sndUna).toBe((TOP - 500 + 1001) >>> 0);
    expect(t.in('. 1:1(0) ack 5001 win 65535')).toEqual(['. 2001:2001(0) ack 1']);
    expect(t.c.sndUna).toBe((TOP - 500 + 1001) >>> 0);
  });
});

describe('receiving across the wrap', () => {
  test('in-order and out-of-order data, SACK blocks and the FIN straddle zero', () => {
    const t = passiveEstablished({ peerIss: TOP - 1500 });
    expect(t.inFull('. 1001:2001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1 win 502 <nop,nop,sack 1001:2001>']);
    expect(t.in('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 2001']);
    expect(t.c.rcvNxt).toBe(500); // (2^32 − 1 − 1500) + 1 + 2000, wrapped
    expect(t.c.readable).toBe(2000);
    t.at(t.now + 1 * SEC);
    // After data the FIN's ACK is delayed 40 ms (tcp_basic_server.pkt); it acknowledges past the wrap.
    expect(t.in('F. 2001:2001(0) ack 1 win 257')).toEqual([]);
    const finAt = t.now / MS;
    expect(t.runTimers(t.now + 100 * MS)).toEqual([`${finAt + 40} . 1:1(0) ack 2002`]);
    expect(t.c.state).toBe(TcpState.CLOSE_WAIT);
  });

  test('an old segment from before the wrap is acknowledged, not taken', () => {
    const t = passiveEstablished({ peerIss: TOP - 100 });
    t.in('P. 1:501(500) ack 1 win 257');
    expect(t.c.rcvNxt).toBe(400);
    t.at(t.now + 10 * MS);
    expect(t.in('P. 1:101(100) ack 1 win 257')).toEqual(['. 1:1(0) ack 501']);
    expect(t.c.readable).toBe(500);
  });

  test('RST: exact at RCV.NXT past the wrap resets; in the window it is challenged', () => {
    const t = passiveEstablished({ peerIss: TOP - 10 });
    t.in('P. 1:101(100) ack 1 win 257');
    expect(t.in('R 50:50(0) win 0')).toEqual([]); // behind RCV.NXT: out of window
    expect(t.in('R 300:300(0) win 0')).toEqual(['. 1:1(0) ack 101']);
    expect(t.in('R 101:101(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toContain('ERROR:ECONNRESET');
  });
});

describe('timestamps and TIME-WAIT across the wrap', () => {
  test('PAWS compares TSvals modulo 2^32: 5 is newer than 2^32 − 16, 2^32 − 256 is older', () => {
    const t = activeEstablished({ peerOptions: `mss 1000,TS val ${TOP - 15} ecr 0` });
    expect(t.in('P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 5 ecr 100>')).toEqual(['. 1:1(0) ack 101']);
    expect(t.c.tsRecent).toBe(5);
    t.at(t.now + 1 * SEC);
    expect(t.in(`P. 101:201(100) ack 1 win 65535 <nop,nop,TS val ${TOP - 255} ecr 100>`)).toEqual(['. 1:1(0) ack 101']);
    expect(t.c.readable).toBe(100);
  });

  test('a SYN just past the wrap is "higher" than RCV.NXT just below it: TIME-WAIT reopens', () => {
    const t = activeEstablished({ peerIss: TOP - 3 });
    t.c.close(t.now);
    t.in('F. 1:1(0) ack 2 win 65535');
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.c.rcvNxt).toBe(TOP - 1);
    // 2^32 − 3 + 10 wraps to 6: after RCV.NXT in sequence space.
    const r = t.inVerdict('S 10:10(0) win 65535');
    expect(r.verdict).toBe(SegmentVerdict.REOPEN);
  });
});

describe('a bulk transfer across the wrap between two engines', () => {
  test('1 MB with loss, both ISNs 300 kB below 2^32: every byte arrives once, in order', () => {
    const p = tcpParams('linux', { timers: 'exact' });
    const pair = new Pair(5 * MS, [p, p], [TOP - 300_000, TOP - 300_000]);
    pair.listen();
    let received = 0;
    pair.onAccept = (b) => {
      pair.rec[1].onNotify = (what) => {
        if (what === ConnEvent.READABLE)
          for (let n = b.recv(1 << 20, pair.now); n > 0; n = b.recv(1 << 20, pair.now)) received += n;
      };
    };
    const a = pair.connect(0);
    let toSend = 1_000_000;
    const pump = (): void => {
      if (toSend > 0) toSend -= Math.max(0, a.send(toSend, pair.now));
      if (toSend === 0 && a.state === TcpState.ESTABLISHED) a.close(pair.now);
    };
    pair.rec[0].onNotify = (what) => {
      if (what === ConnEvent.CONNECTED || what === ConnEvent.WRITABLE) pump();
    };
    let n = 0;
    pair.drop = (seg: Segment, from) => from === 0 && seg.len > 0 && n++ % 29 === 28;
    pair.run(600 * SEC);
    expect(received).toBe(1_000_000);
    expect(a.bytesAcked).toBe(1_000_000);
    expect(a.retransmissions).toBeGreaterThan(0);
    // The stream's end lies past zero: the wrap was crossed.
    expect(a.sndUna).toBe((TOP - 300_000 + 1 + 1_000_000 + 1) >>> 0);
    expect(a.sndUna).toBeLessThan(1_000_000);
    expect(pair.conn[1]!.eof).toBe(true);
  });
});
