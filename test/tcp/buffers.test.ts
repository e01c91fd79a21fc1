/**
 * Socket buffer sizing (src/tcp/buffers.ts): receive autotuning from what the application reads
 * per receiver RTT (Linux tcp_rcv_space_adjust), the send buffer growing to two congestion windows
 * (tcp_sndbuf_expand), and SO_RCVBUF / SO_SNDBUF locking both.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { passiveEstablished, PEER_ISS, type Trace } from './harness.ts';

/** The peer sends `n` segments of 1000 bytes from `from`, echoing our TSval `ecr`; the application reads them all. */
function deliver(t: Trace, from: number, n: number, ecr: number): number {
  for (let i = 0; i < n; i++) {
    const s = from + i * 1000;
    t.in(`. ${s}:${s + 1000}(1000) ack 1 win 257 <nop,nop,TS val ${ecr} ecr ${ecr}>`);
  }
  t.c.recv(1 << 30, t.now);
  t.sent();
  return from + n * 1000;
}

describe('receive buffer autotuning (tcp_rcv_space_adjust)', () => {
  test('grows once per receiver RTT when the application read more than the RTT before', () => {
    const t = passiveEstablished({ tsOk: true });
    expect(t.c.rcvBuf).toBe(131072); // tcp_rmem[1]
    t.at(200 * MS);
    let seq = deliver(t, 1, 10, 100); // TSecr 100 at 200 ms: receiver RTT 100 ms
    expect(t.c.rcvTuning!.rtt).toBe(100 * MS);
    expect(t.c.rcvBuf).toBe(131072); // less than one RTT since the measurement began
    t.at(300 * MS);
    seq = deliver(t, seq, 30, 200);
    // copied 40000 in the RTT > space 14600 (10 x advmss): rcvwin = 2 x 40000 + 16 x 1460 =
    // 103360, plus 2 x floor(103360 x (40000 - 14600) / 14600) = 359636; the buffer twice that.
    expect(t.c.rcvBuf).toBe(2 * (103360 + 359636));
    expect(t.c.rcvTuning!.space).toBe(40000);
    t.at(400 * MS);
    deliver(t, seq, 20, 300); // 20000 read: less than the 40000 before, no change
    expect(t.c.rcvBuf).toBe(2 * (103360 + 359636));
    expect(t.c.rcvTuning!.space).toBe(40000);
  });

  test('capped at tcp_rmem[2]', () => {
    const t = passiveEstablished({ tsOk: true, params: { rcvBufMax: 300000 } });
    t.at(200 * MS);
    const seq = deliver(t, 1, 10, 100);
    t.at(300 * MS);
    deliver(t, seq, 30, 200);
    expect(t.c.rcvBuf).toBe(300000);
  });

  test('SO_RCVBUF locks the size; tcp_moderate_rcvbuf 0 turns autotuning off', () => {
    for (const t of [
      passiveEstablished({ tsOk: true }),
      passiveEstablished({ tsOk: true, params: { moderateRcvbuf: false } }),
    ]) {
      if (t.c.params.moderateRcvbuf) t.c.setOption('rcvBuf', 131072, t.now);
      t.at(200 * MS);
      const seq = deliver(t, 1, 10, 100);
      t.at(300 * MS);
      deliver(t, seq, 30, 200);
      expect(t.c.rcvBuf).toBe(131072);
      expect(t.c.rcvTuning!.space).toBe(40000); // still measured, as Linux
    }
  });

  test('without timestamps the receiver RTT is the time to receive one window (tcp_rcv_rtt_measure)', () => {
    const t = passiveEstablished({ params: { rcvBuf: 8000 } }); // window 4000
    t.at(200 * MS);
    t.in('. 1:1001(1000) ack 1 win 257'); // the sample ends when RCV.NXT passes 1001 + RCV.WND
    t.c.recv(1 << 30, t.now);
    const until = t.c.rcvTuning!.rttSeq;
    t.at(230 * MS);
    for (let seq = 1001; t.c.rcvTuning!.rtt === 0 && seq < 20000; seq += 1000) {
      t.in(`. ${seq}:${seq + 1000}(1000) ack 1 win 257`);
      t.c.recv(1 << 30, t.now);
      if (t.c.rcvTuning!.rtt === 0) expect((t.c.rcvNxt - until) | 0).toBeLessThan(0);
    }
    expect((t.c.rcvNxt - until) | 0).toBeGreaterThanOrEqual(0);
    expect(t.c.rcvTuning!.rtt).toBe(30 * MS);
  });
});

describe('send buffer growth (tcp_sndbuf_expand)', () => {
  test('at ESTABLISHED the buffer holds two initial windows; it grows to two congestion windows while not cwnd-limited', () => {
    const t = passiveEstablished({ params: { sndBuf: 16384 } });
    expect(t.c.sndBuf).toBe(2 * 10 * 1000); // MSS 1000 here
    expect(t.c.send(100000, t.now)).toBe(20000);
    expect(t.sent()).toHaveLength(10);
    t.at(t.now + 100 * MS);
    // The ACK sends the two segments slow start allows (the buffer had them): 11 in flight
    // before the ACK, 9 after it, under cwnd 11: the buffer grows to two windows.
    expect(t.in('. 1:1(0) ack 1001 win 257')).toHaveLength(2);
    expect(t.c.sndBuf).toBe(2 * 11 * 1000);
    t.in('. 1:1(0) ack 3001 win 257');
    expect(t.c.sndBuf).toBe(2 * 13 * 1000);
  });

  test('SO_SNDBUF locks it', () => {
    const t = passiveEstablished({ params: { sndBuf: 16384 } });
    t.c.setOption('sndBuf', 16384, t.now);
    t.c.send(100000, t.now);
    t.at(t.now + 100 * MS);
    for (let i = 1; i <= 10; i++) t.in(`. 1:1(0) ack ${i * 1000 + 1} win 257`);
    expect(t.c.sndBuf).toBe(16384);
  });

  test('the rfc9293 profile keeps fixed buffers', () => {
    const t = passiveEstablished({ profile: 'rfc9293', params: { sndBuf: 16384 } });
    expect(t.c.sndBuf).toBe(16384);
  });
});

describe('a buffer smaller than the window it rounds up to (Linux tcp_try_rmem_schedule)', () => {
  test('a 4608-byte buffer with window scale 14 offers 16384 bytes; once it is over its size, data is dropped and ACKed at once', () => {
    // SO_RCVBUF 4608 (locked), tcp_rmem[2] 1 GiB: window scale 14, so the window (2304 bytes of
    // space) is rounded up to one unit of 16384 bytes, as __tcp_select_window's ALIGN.
    const t = passiveEstablished({ params: { rcvBuf: 4608, rcvBufLock: true, rcvBufMax: 2 ** 30 } });
    expect(t.c.rcvWscale).toBe(14);
    for (let i = 0; i < 5; i++) t.in(`P. ${1 + i * 1000}:${1001 + i * 1000}(1000) ack 1 win 257`);
    // Five segments taken: 4000 bytes were held (within the 4608) when the fifth came.
    expect([t.c.rcvNxt - PEER_ISS - 1, t.c.rcvq.readable]).toEqual([5000, 5000]);
    // The sixth finds the buffer over its size: dropped, and the ACK says so at once.
    expect(t.in('P. 5001:6001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 5001']);
    expect(t.c.rcvq.readable).toBe(5000);
  });
});
