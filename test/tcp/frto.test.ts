/**
 * The Loss state after an RTO (src/tcp/frto.ts, undo.ts): F-RTO (RFC 5682 3.1 as Linux
 * tcp_process_loss), Eifel undo by timestamps (RFC 3522, tcp_packet_delayed), the once-per-episode
 * window reduction of tcp_enter_loss. Packet traces on a passive connection with a 100 ms
 * handshake RTT, peer MSS 1000, SACK, exact timers and no tail loss probe, so the RTO fires at
 * 100 + 300 ms (SRTT 100 ms + 4 x RTTVAR 50 ms).
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { INFINITE_SSTHRESH } from '../../src/tcp/congestion/newreno.ts';
import { passiveEstablished } from './harness.ts';

/** 10 segments out at 100 ms, 10 more queued; the RTO fires at 400 ms and resends the head. */
function afterRto(params: Record<string, unknown> = {}, tsOk = false) {
  const t = passiveEstablished({ params: { tailLossProbe: false, ...params }, tsOk });
  t.c.send(20000, t.now);
  expect(t.sent()).toHaveLength(10);
  // With timestamps the option takes 12 bytes of the peer's 1000-byte MSS.
  expect(t.runTimers(400 * MS)).toEqual([tsOk ? '400 . 1:989(988) ack 1' : '400 . 1:1001(1000) ack 1']);
  expect([t.c.cc.cwnd, t.c.cc.ssthresh]).toEqual([1, 7]); // CUBIC: 10 x 0.7
  return t;
}

describe('F-RTO (tcp_frto = 2)', () => {
  test('spurious timeout: the first ACK sends two new segments, the next acknowledges originals: cwnd and ssthresh go back', () => {
    const t = afterRto();
    expect(t.c.frto).toBe(true);
    t.at(450 * MS);
    // Step 2b: SND.UNA moved, nothing never-retransmitted acknowledged yet: new data, not repairs
    // (cwnd grew to 2 in slow start on this ACK).
    // (one segment per packet: tcp_cwnd_test's half of cwnd)
    expect(t.in('. 1:1(0) ack 1001 win 257')).toEqual(['. 10001:11001(1000) ack 1', '. 11001:12001(1000) ack 1']);
    expect(t.c.cc.cwnd).toBe(2);
    // Step 3b: 1001:3001 was sent once, before the timeout, and is acknowledged: the timeout
    // was spurious. cwnd back to 10 (prior_cwnd), ssthresh back to infinity (slow start), then
    // slow start adds the 2 acknowledged: 12; 9 in flight, so 3 more go (a 2-segment packet and one).
    t.at(460 * MS);
    expect(t.in('. 1:1(0) ack 3001 win 257')).toEqual([
      '. 12001:13001(1000) ack 1',
      'P. 13001:14001(1000) ack 1',
      '. 14001:15001(1000) ack 1',
    ]);
    expect([t.c.cc.cwnd, t.c.cc.ssthresh, t.c.inLoss, t.c.spuriousRtos, t.c.rtxq.lostOut]).toEqual([
      12,
      INFINITE_SSTHRESH,
      false,
      1,
      0,
    ]);
  });

  test('real loss: a duplicate ACK SACKing the new data ends F-RTO, the lost segments are repaired', () => {
    const t = afterRto();
    t.at(450 * MS);
    expect(t.in('. 1:1(0) ack 1001 win 257')).toHaveLength(2);
    // Step 3a: the new segment arrived, the originals after the head did not.
    t.at(460 * MS);
    expect(t.in('. 1:1(0) ack 1001 win 257 <nop,nop,sack 10001:11001>')).toEqual(['. 1001:2001(1000) ack 1']);
    expect([t.c.frto, t.c.inLoss, t.c.cc.cwnd, t.c.cc.ssthresh, t.c.spuriousRtos]).toEqual([false, true, 2, 7, 0]);
  });

  test('off (tcp_frto = 0): the first ACK after the RTO repairs the next lost segments', () => {
    const t = afterRto({ frto: 0 });
    expect(t.c.frto).toBe(false);
    t.at(450 * MS);
    expect(t.in('. 1:1(0) ack 1001 win 257')).toEqual(['. 1001:2001(1000) ack 1', '. 2001:3001(1000) ack 1']);
    t.at(460 * MS);
    // Slow start from 2: cwnd 4, and nothing in flight (every unacknowledged segment is lost).
    // The repairs go as the packets the data first left in: 4001:6001 whole (PSH forced), 6001:7001
    // cut from its packet by the window (tcp_fragment).
    expect(t.in('. 1:1(0) ack 3001 win 257')).toEqual([
      '. 3001:4001(1000) ack 1',
      '. 4001:5001(1000) ack 1',
      'P. 5001:6001(1000) ack 1',
      '. 6001:7001(1000) ack 1',
    ]);
    expect([t.c.cc.cwnd, t.c.cc.ssthresh, t.c.inLoss, t.c.spuriousRtos]).toEqual([4, 7, true, 0]);
  });

  test('a backed-off RTO of the same episode keeps ssthresh (tcp_enter_loss reduces once)', () => {
    const t = afterRto();
    // No answer: the RTO doubles to 600 ms.
    expect(t.runTimers(1000 * MS)).toEqual(['1000 . 1:1001(1000) ack 1']);
    expect([t.c.cc.cwnd, t.c.cc.ssthresh, t.c.frto]).toEqual([1, 7, true]);
  });
});

describe('Eifel undo by timestamps (tcp_packet_delayed)', () => {
  test("an ACK echoing the original's timestamp (older than the first repair) undoes the timeout at once", () => {
    const t = afterRto({}, true);
    t.at(450 * MS);
    // TS ecr 100: sent at 100 ms, before the repair at 400 ms: the original arrived.
    t.in('. 1:1(0) ack 989 win 257 <nop,nop,TS val 5000 ecr 100>');
    expect([t.c.inLoss, t.c.cc.ssthresh, t.c.undos, t.c.spuriousRtos]).toEqual([false, INFINITE_SSTHRESH, 1, 0]);
    // cwnd back to 10 (prior_cwnd), then slow start adds the one acknowledged.
    expect(t.c.cc.cwnd).toBe(11);
  });

  test("an ACK echoing the repair's timestamp does not undo; F-RTO goes on", () => {
    const t = afterRto({}, true);
    t.at(450 * MS);
    expect(t.in('. 1:1(0) ack 989 win 257 <nop,nop,TS val 5000 ecr 400>')).toEqual([
      '. 9881:10869(988) ack 1',
      '. 10869:11857(988) ack 1',
    ]);
    expect([t.c.inLoss, t.c.cc.ssthresh, t.c.undos]).toEqual([true, 7, 0]);
  });
});
