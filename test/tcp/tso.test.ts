/**
 * TSO packet sizes (src/tcp/tso.ts) against the numbers Linux's formulas give: tcp_update_pacing_rate,
 * tcp_tso_autosize (with the tcp_tso_rtt_log bonus on short paths) and tcp_cwnd_test's quota.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { pacingRate, tsoMaxSegs, tsoPacketSegs } from '../../src/tcp/tso.ts';
import { passiveEstablished } from './harness.ts';

describe('TSO autosizing (tcp_tso_autosize)', () => {
  test('100 ms RTT, cwnd 10, MSS 1000: 200 kB/s in slow start, 195 bytes per ms, so tcp_min_tso_segs (2)', () => {
    const t = passiveEstablished({ rtt: 100 * MS });
    expect(t.c.cc.cwnd).toBe(10);
    // 1000 B x 10 / 0.1 s x 200 %.
    expect(pacingRate(t.c)).toBeCloseTo(200_000, 6);
    expect(tsoMaxSegs(t.c)).toBe(2);
  });

  test('a 1 ms path earns the tcp_tso_rtt_log bonus: 65536 >> (1000 us >> 9 = 1) bytes more', () => {
    const t = passiveEstablished({ rtt: 1 * MS });
    // 20 MB/s >> 10 = 19531 bytes, plus 32768: 52299 bytes, 52 segments of 1000.
    expect(tsoMaxSegs(t.c)).toBe(52);
  });

  test('the packet quota is half of cwnd, what cwnd leaves, and the autosize, at least one segment', () => {
    const t = passiveEstablished({ rtt: 1 * MS });
    expect(tsoPacketSegs(t.c, 0, 0)).toBe(5); // half of 10
    expect(tsoPacketSegs(t.c, 7, 0)).toBe(3); // 10 - 7
    expect(tsoPacketSegs(t.c, 10, 0)).toBe(1);
    expect(tsoPacketSegs(t.c, 9, 1)).toBe(2); // a limited-transmit allowance counts
    const slow = passiveEstablished({ rtt: 100 * MS });
    expect(tsoPacketSegs(slow.c, 0, 0)).toBe(2); // tcp_min_tso_segs
  });
});
