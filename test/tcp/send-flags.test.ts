/**
 * What a write says about how its bytes are cut into segments: MSG_EOR ends a record no later
 * segment joins (Linux TCP_SKB_CB(skb)->eor), MSG_MORE and TCP_CORK hold a partial tail,
 * TCP_NODELAY pushes past the cork (TCP_NAGLE_PUSH), and PSH marks the tail of each write
 * without MSG_MORE (tcp_mark_push). Passive connection, peer MSS 1000, IW10.
 */
import { describe, expect, test } from 'vitest';
import { SEND_EOR, SEND_MORE } from '../../src/tcp/api.ts';
import { MS } from '../../src/sim/time.ts';
import { passiveEstablished } from './harness.ts';

describe('MSG_EOR records', () => {
  test('data written after a record never shares a segment with it; the record end carries PSH', () => {
    const t = passiveEstablished();
    t.c.send(400, t.now, SEND_EOR);
    t.c.send(400, t.now, SEND_EOR);
    t.c.send(1500, t.now);
    // Each record goes alone; the next write starts a fresh segment at 801, and its 500-byte
    // tail waits for Nagle (a small segment is unacknowledged).
    expect(t.sent()).toEqual(['P. 1:401(400) ack 1', 'P. 401:801(400) ack 1', 'P. 801:1801(1000) ack 1']);
  });

  test('without MSG_EOR the same writes coalesce into full segments', () => {
    const t = passiveEstablished();
    t.c.send(400, t.now);
    t.c.send(400, t.now);
    t.c.send(1500, t.now);
    // The first write goes alone (nothing in flight); the second joins the third in a full segment,
    // a one-segment packet that is not the tail of a write: no PSH (Nagle holds the 900-byte tail).
    expect(t.sent()).toEqual(['P. 1:401(400) ack 1', '. 401:1401(1000) ack 1']);
    const u = passiveEstablished();
    u.c.setCork(true, u.now);
    u.c.send(400, u.now);
    u.c.send(400, u.now);
    u.c.send(1500, u.now);
    u.c.setCork(false, u.now);
    // Corked, full segments still go (the last of a burst carries PSH); uncorking sends the tail.
    expect(u.sent()).toEqual(['. 1:1001(1000) ack 1', 'P. 1001:2001(1000) ack 1', 'P. 2001:2301(300) ack 1']);
  });

  test('a retransmission stops at the record end too', () => {
    const t = passiveEstablished();
    t.c.send(600, t.now, SEND_EOR);
    t.c.send(2000, t.now);
    expect(t.sent()).toEqual(['P. 1:601(600) ack 1', '. 601:1601(1000) ack 1', 'P. 1601:2601(1000) ack 1']);
    // After the tail loss probe, the RTO resends from SND.UNA: the first segment still ends at the record.
    const resent = t.runTimers(t.now + 2000 * MS).map((l) => l.replace(/^\S+ /, ''));
    expect(resent.slice(0, 2)).toEqual(['P. 1601:2601(1000) ack 1', 'P. 1:601(600) ack 1']);
  });
});

describe('TCP_CORK, MSG_MORE and TCP_NODELAY', () => {
  test('a corked partial segment waits with nothing in flight; uncorking sends it with PSH', () => {
    const t = passiveEstablished();
    t.c.setCork(true, t.now);
    t.c.send(40, t.now);
    t.c.send(40, t.now);
    expect(t.sent()).toEqual([]);
    t.c.setCork(false, t.now);
    expect(t.sent()).toEqual(['P. 1:81(80) ack 1']);
  });

  test('TCP_NODELAY pushes corked data (Linux TCP_NAGLE_PUSH)', () => {
    const t = passiveEstablished();
    t.c.setCork(true, t.now);
    t.c.send(40, t.now);
    t.c.setNoDelay(true, t.now);
    expect(t.sent()).toEqual(['P. 1:41(40) ack 1']);
  });

  test('MSG_MORE holds the partial tail, without PSH; the persist timer releases it (tcp_write_wakeup)', () => {
    const t = passiveEstablished();
    t.c.setNoDelay(true, t.now);
    t.c.send(2500, t.now, SEND_MORE);
    // The two full segments leave as one TSO packet, which carries PSH whatever MSG_MORE says
    // (Linux __tcp_transmit_skb; nagle/sendmsg_msg_more.pkt sees the header of its last packet).
    expect(t.sent()).toEqual(['. 1:1001(1000) ack 1', 'P. 1001:2001(1000) ack 1']);
    // The ACK lets the held 500 bytes go (the socket's own mode is NODELAY), still without PSH.
    t.at(t.now + 10 * MS);
    expect(t.in('. 1:1(0) ack 2001 win 257')).toEqual(['. 2001:2501(500) ack 1']);
    const u = passiveEstablished();
    u.c.send(40, u.now, SEND_MORE);
    expect(u.sent()).toEqual([]);
    // The probe timer (max(RTO, 200 ms) = 300 ms after the 100 ms handshake) sends it with PSH.
    expect(u.runTimers(u.now + 350 * MS)).toEqual(['400 P. 1:41(40) ack 1']);
  });

  test('a write without MSG_MORE after MSG_MORE ones sends everything with PSH', () => {
    const t = passiveEstablished();
    t.c.send(100, t.now, SEND_MORE);
    t.c.send(160, t.now, SEND_MORE);
    expect(t.sent()).toEqual([]);
    t.c.send(5, t.now);
    expect(t.sent()).toEqual(['P. 1:266(265) ack 1']);
  });
});

describe('TCP_NOTSENT_LOWAT', () => {
  test('send() takes nothing while the unsent bytes reach the mark; POLLOUT needs twice the room', () => {
    const t = passiveEstablished();
    t.c.setNotsentLowat(4000);
    // IW10 sends 10000 bytes; 4000 more wait unsent, which reaches the mark.
    expect(t.c.send(14000, t.now)).toBe(14000);
    t.sent();
    expect(t.c.unsentBytes).toBe(4000);
    expect(t.c.send(1000, t.now)).toBe(0);
    expect(t.c.pollWritable).toBe(false);
    t.at(t.now + 10 * MS);
    t.in('. 1:1(0) ack 2001 win 257');
    // cwnd 12: 4000 more go out, none left unsent: writable again.
    expect(t.c.unsentBytes).toBe(0);
    expect(t.c.pollWritable).toBe(true);
  });
});

describe('TSO packets and PSH (Linux __tcp_transmit_skb, tcp_cwnd_test, tcp_tso_autosize)', () => {
  test('a burst leaves in packets of at most half of cwnd and tcp_min_tso_segs; each ends with PSH', () => {
    // slow-start-after-idle.pkt: cwnd 10, tcp_min_tso_segs 10, a 100 ms RTT (pacing too slow to
    // raise the autosize): two packets of five segments.
    const t = passiveEstablished({ rtt: 100 * MS, params: { minTsoSegs: 10 } });
    t.c.send(26000, t.now);
    expect(t.sent().filter((l) => l.startsWith('P.'))).toEqual([
      'P. 4001:5001(1000) ack 1',
      'P. 9001:10001(1000) ack 1',
    ]);
  });

  test('a one-segment packet carries no PSH unless it ends the write', () => {
    // cwnd 2: half of it is one segment per packet (cubic-rto-ss-ca-cwnd-bump.pkt after the RTO).
    const t = passiveEstablished({ params: { initCwnd: 2 } });
    t.c.send(2500, t.now);
    expect(t.sent()).toEqual(['. 1:1001(1000) ack 1', '. 1001:2001(1000) ack 1']);
    t.at(t.now + 10 * MS);
    expect(t.in('. 1:1(0) ack 2001 win 257')).toEqual(['P. 2001:2501(500) ack 1']);
  });
});

describe('slow start after idle (RFC 5681 4.1, net.ipv4.tcp_slow_start_after_idle)', () => {
  const idleThenWrite = (slowStartAfterIdle: boolean): number => {
    const t = passiveEstablished({ rtt: 100 * MS, params: { slowStartAfterIdle } });
    t.c.send(20000, t.now);
    t.sent();
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 10001 win 257');
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 20001 win 257');
    // The second round was not cwnd-limited (10 segments left for 20): cwnd stays 20.
    expect(t.c.cc.cwnd).toBe(20);
    t.at(t.now + 2000 * MS); // idle far longer than the RTO
    t.c.send(40000, t.now);
    return t.sent().length;
  };

  test('on (Linux default): the idle connection restarts from the initial window', () => {
    expect(idleThenWrite(true)).toBe(10);
  });

  test("off (the packetdrill suite's defaults.sh): cwnd survives the idle period", () => {
    expect(idleThenWrite(false)).toBe(20);
  });
});
