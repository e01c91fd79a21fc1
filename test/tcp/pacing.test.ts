/**
 * Pacing (src/tcp/pacing.ts, Linux's earliest-departure-time model, tcp_update_skb_after_send):
 * packet traces on a passive connection with a 100 ms handshake RTT (SRTT 100 ms), peer MSS
 * 1000, exact timers, so TSO packets of tcp_min_tso_segs (2) segments. The pacing rate is
 * tcp_update_pacing_rate's: 200 % of cwnd·MSS/SRTT in the first half of slow start.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { pacingRate } from '../../src/tcp/tso.ts';
import { passiveEstablished } from './harness.ts';

/** 40 kB written at 100 ms: the initial window (five packets of two segments) goes out. */
function burst(pacing: 'off' | 'fq' | 'internal') {
  const t = passiveEstablished({ params: { pacing } });
  t.c.send(40000, t.now);
  return t;
}

describe('pacing (tcp.pacing: fq)', () => {
  test('the first 10 segments are not paced; the 5th packet moves the departure clock by its time at the pacing rate', () => {
    const t = burst('fq');
    expect(t.sent()).toEqual([
      '. 1:1001(1000) ack 1',
      'P. 1001:2001(1000) ack 1',
      '. 2001:3001(1000) ack 1',
      'P. 3001:4001(1000) ack 1',
      '. 4001:5001(1000) ack 1',
      'P. 5001:6001(1000) ack 1',
      '. 6001:7001(1000) ack 1',
      'P. 7001:8001(1000) ack 1',
      '. 8001:9001(1000) ack 1',
      'P. 9001:10001(1000) ack 1',
    ]);
    // 200 % x 10 x 1000 B / 100 ms = 200 kB/s; 2000 B take 10 ms, with no credit (the clock was now).
    expect(pacingRate(t.c as never)).toBe(200_000);
    expect(t.c.wstamp).toBe(110 * MS);
    expect(t.c.paceAt).toBe(Infinity);
  });

  test('an ACK opening room for two packets: the first goes now (half its time forgiven as credit), the second at its departure time', () => {
    const t = burst('fq');
    t.sent();
    t.at(200 * MS);
    // cwnd 12, 8 in flight: room for two packets. Rate 240 kB/s: 2000 B = 8.333 ms, of which half
    // is credit for the 90 ms the clock lagged (len_ns -= min(len_ns / 2, credit)).
    expect(t.in('. 1:1(0) ack 2001 win 257')).toEqual(['. 10001:11001(1000) ack 1', 'P. 11001:12001(1000) ack 1']);
    expect(t.c.cc.cwnd).toBe(12);
    expect(t.c.paceAt).toBe(200 * MS + 4_166_667);
    expect(t.runTimers(300 * MS)).toEqual(['204.167 . 12001:13001(1000) ack 1', '204.167 P. 13001:14001(1000) ack 1']);
    // Then the full 8.333 ms: the clock had no lag to forgive.
    expect(t.c.wstamp).toBe(200 * MS + 4_166_667 + 8_333_333);
    // The window is full: no timer waits.
    expect(t.c.paceAt).toBe(Infinity);
    // The next ACK at 210 ms (cwnd 14) finds the clock at 212.5 ms: the packet waits for it.
    t.at(210 * MS);
    expect(t.in('. 1:1(0) ack 4001 win 257')).toEqual([]);
    expect(t.runTimers(212 * MS)).toEqual([]);
    expect(t.runTimers(213 * MS)).toEqual(['212.5 . 14001:15001(1000) ack 1', '212.5 P. 15001:16001(1000) ack 1']);
  });

  test('internal pacing (SK_PACING_NEEDED) holds packets the same way', () => {
    const t = burst('internal');
    t.sent();
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 2001 win 257')).toHaveLength(2);
    expect(t.runTimers(300 * MS)).toEqual(['204.167 . 12001:13001(1000) ack 1', '204.167 P. 13001:14001(1000) ack 1']);
  });

  test('without pacing (the linux profile default) the same ACK sends both packets at once', () => {
    const t = burst('off');
    t.sent();
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 2001 win 257')).toEqual([
      '. 10001:11001(1000) ack 1',
      'P. 11001:12001(1000) ack 1',
      '. 12001:13001(1000) ack 1',
      'P. 13001:14001(1000) ack 1',
    ]);
    expect([t.c.wstamp, t.c.paceAt]).toEqual([0, Infinity]);
  });
});
