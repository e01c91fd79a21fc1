/**
 * The send buffer charged per skb (tcp.skbTruesize, Linux sk_wmem_queued): a write fills skbs of
 * size_goal and asks sk_stream_memory_free only when it needs a new one; a full skb at the head
 * goes at once and the part the window leaves becomes a new skb the write goes on filling; the
 * writer is woken after the ACK's own sends (tcp_check_space). The scenarios are Linux's
 * notsent_lowat/notsent-lowat-setsockopt.pkt and blocking/blocking-write.pkt, packet by packet.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { passiveEstablished } from './harness.ts';

/** Segments sent, joined into the bursts a TSO sender would show: "first:end(len)". */
function bursts(lines: string[]): string[] {
  const out: string[] = [];
  let start = -1;
  let end = -1;
  for (const l of lines) {
    const m = /(\d+):(\d+)\((\d+)\)/.exec(l)!;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (start >= 0 && a === end) end = b;
    else {
      if (start >= 0) out.push(`${start}:${end}`);
      start = a;
      end = b;
    }
  }
  if (start >= 0) out.push(`${start}:${end}`);
  return out;
}

describe('skb accounting (tcp.skbTruesize 1280)', () => {
  test('TCP_NOTSENT_LOWAT is checked per new skb: a write of 59000 takes 26000, POLLOUT waits for unsent < 2000', () => {
    // Peer window 257 << 7 = 32896: size_goal 16000. The first skb goes as far as IW10 allows
    // (10000), the 6000 left is refilled to 16000, then unsent 16000 >= 4000 stops the write.
    const t = passiveEstablished({ rtt: 10 * MS, params: { skbTruesize: 1280 } });
    t.c.setNotsentLowat(4000);
    expect(t.c.send(59000, t.now)).toBe(26000);
    expect(bursts(t.sent())).toEqual(['1:10001']);
    expect(t.c.unsentBytes).toBe(16000);
    expect(t.c.pollWritable).toBe(false);
    t.rec.takeEvents();
    // Each ACK of 2000 lets 4000 more go (slow start); POLLOUT comes once the unsent bytes,
    // doubled, fall under 4000, which is after the ACK of 8001 has let the last 4000 go.
    const expectations: [number, string, boolean][] = [
      [2001, '10001:14001', false],
      [4001, '14001:18001', false],
      [6001, '18001:22001', false],
      [8001, '22001:26001', true],
    ];
    for (const [ack, burst, writable] of expectations) {
      t.at(t.now + 10 * MS);
      expect(bursts(t.in(`. 1:1(0) ack ${ack} win 257`))).toEqual([burst]);
      expect(t.rec.takeEvents().includes('WRITABLE'), `WRITABLE after ack ${ack}`).toBe(writable);
    }
  });

  test('a blocked write wakes when sk_wmem_queued is at most 2/3 of sk_sndbuf, skb heads counted', () => {
    // SO_SNDBUF 21000 (42000), peer window 50000 unscaled: size_goal 25000. The write queues
    // 60000 (the third skb starts at 35000 + 2 heads < 42000) and blocks for the last 1000.
    const t = passiveEstablished({
      peerWscale: -1,
      peerWindow: 50000,
      params: { skbTruesize: 1280, sndBuf: 42000, sndBufLock: true },
    });
    expect(t.c.send(61000, t.now)).toBe(60000);
    expect(bursts(t.sent())).toEqual(['1:10001']);
    t.rec.takeEvents();
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 10001 win 50000');
    expect(t.rec.takeEvents()).not.toContain('WRITABLE');
    // 30000 bytes in 2 skbs (+2560): 32560 > 28000, no wake-up; payload bytes alone would wake here.
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 30001 win 50000');
    expect(t.rec.takeEvents()).not.toContain('WRITABLE');
    // 24000 in 1 skb (+1280): 25280 <= 28000.
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 36001 win 50000');
    expect(t.rec.takeEvents()).toContain('WRITABLE');
    expect(t.c.send(1000, t.now)).toBe(1000);
  });

  test('forced push: an skb that ends more than half the largest window past the last PSH carries one (tcp_mark_push)', () => {
    // Window 32896: size_goal 16000, forced push past 16448 bytes. Skbs end at 16001 (not
    // forced), 26001 (25000 since the start: PSH, pushed_seq 26001), 42001 (16000: no), 58001.
    const t = passiveEstablished({ rtt: 20 * MS, params: { skbTruesize: 1280, sndBuf: 50000 } });
    expect(t.c.send(59000, t.now)).toBe(58000);
    expect(bursts(t.sent())).toEqual(['1:10001']);
    t.at(t.now + 20 * MS);
    const out = t.in('. 1:1(0) ack 10001 win 257');
    expect(bursts(out)).toEqual(['10001:30001']);
    // PSH on the last segment of each TSO packet: two segments each here (tcp_tso_segs at
    // tcp_min_tso_segs 2), split where skbs end (16001, and 26001 where the forced push marked one).
    expect(out.filter((l) => l.startsWith('P.')).map((l) => l.split(' ')[1])).toEqual([
      '11001:12001(1000)',
      '13001:14001(1000)',
      '15001:16001(1000)',
      '17001:18001(1000)',
      '19001:20001(1000)',
      '21001:22001(1000)',
      '23001:24001(1000)',
      '25001:26001(1000)',
      '27001:28001(1000)',
      '29001:30001(1000)',
    ]);
  });

  test('TSO deferral: the rest of a split skb goes, the next skb waits for a later ACK and the buffer grows (tcp_tso_should_defer)', () => {
    // Linux notsent_lowat/notsent-lowat-default.pkt: skbs 1:10001 (sent), 10001:26001,
    // 26001:42001, 42001:58001; RTT 20 ms.
    const t = passiveEstablished({ rtt: 20 * MS, params: { skbTruesize: 1280, sndBuf: 50000 } });
    expect(t.c.send(59000, t.now)).toBe(58000);
    expect(bursts(t.sent())).toEqual(['1:10001']);
    t.rec.takeEvents();
    t.at(t.now + 20 * MS);
    // cwnd 20: the whole 16-segment skb, then 4 segments of the next one (its head was sent in
    // this same round: the next ACK is a whole RTT away, so Linux does not wait for it).
    expect(bursts(t.in('. 1:1(0) ack 10001 win 257'))).toEqual(['10001:30001']);
    expect(t.c.pollWritable).toBe(false); // 20 of 20 in flight: cwnd-limited, the buffer stays 50000
    t.at(t.now + 20 * MS);
    // cwnd 27, 13 in flight: the 12 segments left of skb 26001:42001 go; the skb after it would
    // need 16 and only 2 fit, and the oldest segment left 20 ms (an RTT) ago: it waits. With
    // 25 of 27 in flight the buffer grows (2 x 27 x 2304) and the writer is woken.
    expect(bursts(t.in('. 1:1(0) ack 17001 win 257'))).toEqual(['30001:42001']);
    expect(t.rec.takeEvents()).toContain('WRITABLE');
    // tcp_tso_win_divisor 100: 2 segments are more than 1/100 of the window, so they would go.
    const u = passiveEstablished({ rtt: 20 * MS, params: { skbTruesize: 1280, sndBuf: 50000, tsoWinDivisor: 100 } });
    u.c.send(59000, u.now);
    u.sent();
    u.at(u.now + 20 * MS);
    u.in('. 1:1(0) ack 10001 win 257');
    u.at(u.now + 20 * MS);
    expect(bursts(u.in('. 1:1(0) ack 17001 win 257'))).toEqual(['30001:44001']);
  });

  test('skbTruesize 0 keeps payload-byte accounting: the same write takes the free bytes', () => {
    const t = passiveEstablished({ peerWscale: -1, peerWindow: 50000, params: { sndBuf: 42000, sndBufLock: true } });
    expect(t.c.send(61000, t.now)).toBe(42000);
  });
});
