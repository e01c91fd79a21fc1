/**
 * tcp_info's send chronographs (Linux tcp_chrono_*): busy while data is queued or in flight,
 * sndbuf-limited while everything written is out, the congestion window has room and the writer
 * waits for buffer space, rwnd-limited while the peer's window holds data back. Active open,
 * peer MSS 1000, handshake at 100 ms.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { activeEstablished } from './harness.ts';

const ms = (t: {
  c: { tcpInfo(now: number): { busy_time: number; rwnd_limited: number; sndbuf_limited: number } };
  now: number;
}) => {
  const i = t.c.tcpInfo(t.now);
  return [i.busy_time / 1000, i.rwnd_limited / 1000, i.sndbuf_limited / 1000];
};

describe('send chronographs', () => {
  test('a tiny send buffer: sndbuf-limited from the ACK that empties the queue to the one that wakes the writer', () => {
    // Linux tcp_info/tcp-info-sndbuf-limited.pkt: SO_SNDBUF 20000, skb accounting, a blocking
    // write of 150000 at 200 ms, ACKs 10, 20, 30 and 50 ms later.
    const t = activeEstablished({
      peerOptions: 'mss 1000,nop,wscale 8',
      peerWindow: 10000,
      params: { skbTruesize: 1280, sndBuf: 20000, sndBufLock: true },
    });
    t.at(200 * MS);
    let written = t.c.send(150000, t.now);
    expect(written).toBeLessThan(150000);
    expect(ms(t)).toEqual([0, 0, 0]);
    for (const [dt, ack] of [
      [10, 10001],
      [10, 30001],
      [10, 70001],
    ] as const) {
      t.at(t.now + dt * MS);
      t.in(`. 1:1(0) ack ${ack} win 10000`);
      if (t.rec.takeEvents().includes('WRITABLE')) written += t.c.send(150000 - written, t.now);
    }
    // The ACK of 70001 at 230 ms leaves nothing unsent and cwnd 80 with room: sndbuf-limited from here.
    expect(written).toBeLessThan(150000);
    t.at(t.now + 20 * MS);
    expect(ms(t)).toEqual([50, 0, 20]);
    t.in('. 1:1(0) ack 95001 win 10000');
    expect(t.rec.takeEvents()).toContain('WRITABLE');
    written += t.c.send(150000 - written, t.now);
    expect(written).toBe(150000);
    // Woken: the clock goes back to busy; everything acknowledged stops it.
    t.at(t.now + 20 * MS);
    t.in('. 1:1(0) ack 150001 win 10000');
    t.at(t.now + 100 * MS);
    expect(ms(t)).toEqual([70, 0, 20]);
  });

  test('a window smaller than the data: rwnd-limited until the window opens', () => {
    const t = activeEstablished({ peerWindow: 3000 });
    t.at(200 * MS);
    expect(t.c.send(8000, t.now)).toBe(8000);
    expect(t.sent().length).toBe(3);
    t.at(t.now + 10 * MS);
    t.in('. 1:1(0) ack 3001 win 3000');
    t.at(t.now + 10 * MS);
    // The window opens wide: the rest goes, nothing holds it any more.
    t.in('. 1:1(0) ack 6001 win 60000');
    t.at(t.now + 10 * MS);
    t.in('. 1:1(0) ack 8001 win 60000');
    t.at(t.now + 50 * MS);
    expect(ms(t)).toEqual([30, 20, 0]);
  });
});
