/**
 * Loss recovery with SACK (src/tcp/sack-recovery.ts): RFC 6675 repairs every lost hole in one
 * round trip where NewReno repairs one per round trip, with the window set by PRR (RFC 6937).
 * Packet traces in the style of the upstream fast_recovery / prr scripts (peer MSS 1000).
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { SackScoreboard } from '../../src/tcp/sack-scoreboard.ts';
import { passiveEstablished } from './harness.ts';

describe('the scoreboard', () => {
  test('merges blocks, prunes at SND.UNA, finds holes and the lost prefix (IsLost: > 2 MSS SACKed above)', () => {
    const sb = new SackScoreboard();
    expect(
      sb.update(
        [
          [4001, 5001],
          [6001, 7001],
        ],
        1,
        10001,
      ),
    ).toBe(2000);
    expect(
      sb.update(
        [
          [5001, 6001],
          [0, 1],
          [9001, 12001],
        ],
        1,
        10001,
      ),
    ).toBe(1000); // below SND.UNA and beyond SND.MAX: ignored
    expect(sb.ranges).toEqual([4001, 7001]);
    expect(sb.lostEnd(1, 1000, 3)).toBe(4001); // 3000 SACKed above 1..4001
    expect(sb.nextHole(1, 4001)).toEqual([1, 4001]);
    expect(sb.nextHole(4001, 10001)).toEqual([7001, 10001]);
    expect(sb.unsackedIn(1, 10001)).toBe(7000);
    sb.prune(5001);
    expect(sb.ranges).toEqual([5001, 7001]);
    expect(sb.sackedBytes).toBe(2000);
    expect(sb.lostEnd(5001, 1000, 3)).toBe(5001); // 2000 is not more than 2 MSS: nothing lost
  });
});

describe('RFC 6675 recovery with PRR (cf. prr-ss-30pkt-lost1_4.pkt)', () => {
  test('four lost segments are all resent as SACKs arrive, then cwnd = ssthresh', () => {
    const t = passiveEstablished({ params: { congestion: 'reno' } });
    t.c.send(10000, t.now);
    expect(t.sent()).toHaveLength(10);
    t.at(t.now + 10 * MS);
    // Segments 1-4 lost: each later arrival SACKs one more.
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:5001>')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:6001>')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:7001>')).toEqual(['. 1:1001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.cc.ssthresh).toBe(5); // reno: half of the 10 in flight
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:8001>')).toEqual(['. 1001:2001(1000) ack 1']);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:9001>')).toEqual(['. 2001:3001(1000) ack 1']);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 4001:10001>')).toEqual(['. 3001:4001(1000) ack 1']);
    expect(t.c.retransmissions).toBe(4);
    t.at(t.now + 10 * MS);
    t.in('. 1:1(0) ack 1001 win 257 <nop,nop,sack 4001:10001>');
    t.in('. 1:1(0) ack 2001 win 257 <nop,nop,sack 4001:10001>');
    t.in('. 1:1(0) ack 3001 win 257 <nop,nop,sack 4001:10001>');
    t.in('. 1:1(0) ack 10001 win 257');
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.cc.cwnd).toBe(5); // tcp_end_cwnd_reduction: ssthresh
    expect(t.c.retransmissions).toBe(4);
  });

  test('without SACK the same losses take NewReno one partial ACK per hole', () => {
    const t = passiveEstablished({ sackOk: false, params: { congestion: 'reno' } });
    t.c.send(10000, t.now);
    t.sent();
    t.at(t.now + 10 * MS);
    for (let i = 0; i < 6; i++) t.in('. 1:1(0) ack 1 win 257');
    expect(t.c.retransmissions).toBe(1); // only the head, until a partial ACK shows the next hole
  });

  test('CUBIC reduces to 0.7 of cwnd', () => {
    const t = passiveEstablished();
    t.c.send(10000, t.now);
    t.sent();
    t.at(t.now + 10 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:5001>');
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.cc.ssthresh).toBe(7); // 10 x 717 / 1024
  });
});

describe('retransmissions leave as the TSO packets the data first left in (Linux tcp_retransmit_skb)', () => {
  test('lost segments that shared a packet go out again together, PSH on the last; a SACK cuts a packet', () => {
    const t = passiveEstablished();
    t.c.send(10000, t.now);
    // TSO packets of two segments (tcp_tso_autosize at this pacing rate): PSH on each packet's last.
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
    t.at(t.now + 10 * MS);
    // 1:3001 and 4001:5001 lost. 1:2001 was one packet: resent as one (PSH forced, __tcp_transmit_skb);
    // 2001:3001 shared its packet with the SACKed 3001:4001, 4001:5001 with the SACKed 5001:6001:
    // each is an skb of its own now (tcp_sacktag's tcp_fragment) and leaves alone, without PSH.
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 3001:4001 5001:10001>')).toEqual([
      '. 1:1001(1000) ack 1',
      'P. 1001:2001(1000) ack 1',
      '. 2001:3001(1000) ack 1',
      '. 4001:5001(1000) ack 1',
    ]);
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.retransmissions).toBe(4);
  });

  test('a cumulative ACK into a packet leaves its rest one skb (cf. sack-route-refresh-ip-tos.pkt)', () => {
    const t = passiveEstablished();
    t.c.send(10000, t.now);
    t.sent();
    t.at(t.now + 10 * MS);
    // 1:1001 acknowledged along with the SACKs: no reordering (tcp_ack's prior_fack is SND.UNA,
    // not the SACK this ACK brings), so 1001:5001 is lost at once. 1001:2001, the rest of the
    // packet the ACK cut (tcp_trim_head), leaves alone; 2001:4001 was one packet and leaves as one;
    // 4001:5001 lost its packet's other half to the SACK.
    expect(t.in('. 1:1(0) ack 1001 win 257 <nop,nop,sack 5001:10001>')).toEqual([
      '. 1001:2001(1000) ack 1',
      '. 2001:3001(1000) ack 1',
      'P. 3001:4001(1000) ack 1',
      '. 4001:5001(1000) ack 1',
    ]);
    expect(t.c.reordSeen).toBe(0);
  });
});
