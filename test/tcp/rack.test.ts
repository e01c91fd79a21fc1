/**
 * RACK-TLP (src/tcp/rack.ts, RFC 8985 as Linux's tcp_recovery.c): packet traces on a passive
 * connection with a 100 ms handshake RTT (min_rtt 100 ms), peer MSS 1000, exact timers. Each
 * puts the connection in a state, delivers one segment or runs the timers, and checks exactly
 * what went out.
 */
import { describe, expect, test } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { INFINITE_SSTHRESH } from '../../src/tcp/congestion/newreno.ts';
import { rackReoWnd } from '../../src/tcp/rack.ts';
import { passiveEstablished } from './harness.ts';

/** Ten segments out at 100 ms (the initial window), nothing acknowledged yet. */
function tenOut(params = {}) {
  const t = passiveEstablished({ params });
  t.c.send(10000, t.now);
  expect(t.sent()).toHaveLength(10);
  return t;
}

describe('RACK loss detection', () => {
  test('one SACK above three segments: the reordering timer, not a duplicate-ACK count, resends the first (fr-4pkt-fack-last-mss)', () => {
    const t = passiveEstablished();
    t.c.send(4000, t.now);
    t.sent();
    t.at(200 * MS);
    // One segment SACKed (< tcp_reordering): the reordering window is min_rtt/4 = 25 ms.
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 3001:4001>')).toEqual([]);
    expect(t.c.inRecovery).toBe(false);
    // Due at 100 + 100 (RACK rtt) + 25 (window) = 225 ms, plus TCP_TIMEOUT_MIN (2 ms); it
    // replaces the tail loss probe, which was due at 302 ms.
    expect(t.c.deadline).toBe(227 * MS);
    expect(t.runTimers(260 * MS)).toEqual(['227 . 1:1001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    // PRR on entering: three lost, one SACKed, none in flight: cwnd = 0 + 1.
    expect(t.c.cc.cwnd).toBe(1);
    expect(t.in('. 1:1(0) ack 1001 win 257 <nop,nop,sack 3001:4001>')).toEqual([
      '. 1001:2001(1000) ack 1',
      '. 2001:3001(1000) ack 1',
    ]);
  });

  test('three SACKed segments: the reordering window is zero, the holes below are lost at once', () => {
    const t = tenOut();
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:3001>')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:4001>')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:5001>')).toEqual(['. 1:1001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.cc.ssthresh).toBe(7); // CUBIC: 10 x 0.7
    // In flight: 10 queued − 3 SACKed − 2 lost + 1 resent = 6 < ssthresh: PRR's slow-start bound.
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:6001>')).toEqual(['. 1001:2001(1000) ack 1']);
  });

  test('a lost retransmission is found by RACK when data sent after it is SACKed, without waiting for the RTO', () => {
    const t = tenOut({ congestion: 'reno' });
    t.c.send(10000, t.now); // queued behind the window
    t.at(200 * MS);
    // 1:1001 lost (three SACKed above it). PRR: 3 delivered, in flight 6 > ssthresh 5:
    // ceil(5 x 3 / 10) = 2 segments, the repair and one new.
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:4001>')).toEqual([
      '. 1:1001(1000) ack 1',
      '. 10001:11001(1000) ack 1',
    ]);
    t.at(210 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:5001>')).toEqual([]);
    t.at(220 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:6001>')).toEqual(['. 11001:12001(1000) ack 1']);
    t.at(230 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:7001>')).toEqual([]);
    // The repair of 1:1001 is lost too. 10001:11001, sent with it at 200 ms, is SACKed at
    // 300 ms: RACK's RTT (100 ms) has passed since the repair went out, so it is lost again, and
    // so are 7001..10001 (sent at 100 ms, never SACKed): all four go out on this ACK.
    t.at(300 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:7001 10001:11001>')).toEqual([
      // 8001:10001 left as one packet and goes again as one (PSH forced, __tcp_transmit_skb).
      '. 1:1001(1000) ack 1',
      '. 7001:8001(1000) ack 1',
      '. 8001:9001(1000) ack 1',
      'P. 9001:10001(1000) ack 1',
    ]);
    expect(t.c.retransmissions).toBe(5);
    // The RTO restarted when the head was resent (tcp_xmit_retransmit_queue); no probe in recovery.
    expect([t.c.rtoAt, t.c.rtoIsProbe]).toEqual([600 * MS, false]);
  });

  test('reordering: a hole never resent filled below the highest SACK raises tcp_reordering (cubic-rack-reo-timeout)', () => {
    const t = tenOut();
    t.at(120 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 9001:10001>');
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 3001:4001 9001:10001>');
    expect([t.c.reordSeen, t.c.reordering]).toEqual([1, 7]);
    t.in('. 1:1(0) ack 10001 win 257');
    expect([t.c.reordSeen, t.c.reordering]).toEqual([2, 10]);
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.retransmissions).toBe(0);
  });

  test('with reordering above tcp_reordering a SACK grows cwnd; before, only an advancing ACK does (tcp_may_raise_cwnd)', () => {
    const t = tenOut();
    t.at(120 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 9001:10001>');
    expect(t.c.cc.cwnd).toBe(10);
    // Reordering 7 now: this SACK's delivery counts (slow start, one segment).
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 3001:4001 9001:10001>');
    expect(t.c.cc.cwnd).toBe(11);
    expect(t.c.tcpInfo(t.now)).toMatchObject({ sacked: 2, lost: 0, reordering: 7, reord_seen: 1 });
    // The cumulative ACK delivers the other eight (cubic-rack-reo-timeout: 19).
    t.in('. 1:1(0) ack 10001 win 257');
    expect(t.c.cc.cwnd).toBe(19);
  });

  test('once reordering was seen, three SACKs no longer mean loss: the window is min_rtt/4', () => {
    const t = tenOut();
    t.c.reordSeen = 1;
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:4001>')).toEqual([]);
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.deadline).toBe(227 * MS);
  });

  test('SACKed segments leave the network: the first SACK lets one new segment out (limited-transmit-sack)', () => {
    const t = tenOut();
    t.c.send(5000, t.now);
    expect(t.sent()).toEqual([]);
    t.at(210 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:2001>')).toEqual(['. 10001:11001(1000) ack 1']);
    t.at(220 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:3001>')).toEqual(['. 11001:12001(1000) ack 1']);
    // Reordering after all: 1:1001 arrives. cwnd grows by the one segment newly delivered
    // (the SACKed two were counted when SACKed): 11, with 9 in flight.
    t.at(230 * MS);
    expect(t.in('. 1:1(0) ack 3001 win 257')).toEqual(['. 12001:13001(1000) ack 1', 'P. 13001:14001(1000) ack 1']);
    expect(t.c.cc.cwnd).toBe(11);
  });
});

describe('tail loss probe within RACK-TLP', () => {
  test('the probe resends the tail; an ACK beyond the probe later means it repaired a loss: cwnd is reduced once', () => {
    const t = tenOut();
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 9001 win 257')).toEqual([]);
    // PTO = 2 x SRTT + min RTO (one segment out) = 400 ms, but never after the RTO, which an
    // ACK re-arms in full (tcp_schedule_loss_probe, advancing_rto): 200 + 300 ms.
    expect(t.runTimers(700 * MS)).toEqual(['500 P. 9001:10001(1000) ack 1']);
    expect(t.c.tlpActive).toBe(true);
    // New data, then an ACK past the probe's end: the probe repaired a loss.
    t.c.send(1000, t.now);
    expect(t.sent()).toEqual(['P. 10001:11001(1000) ack 1']);
    const cwnd = t.c.cc.cwnd;
    t.at(720 * MS);
    t.in('. 1:1(0) ack 11001 win 257');
    expect(t.c.tlpActive).toBe(false);
    // tcp_init_cwnd_reduction then tcp_end_cwnd_reduction: ssthresh from CUBIC, cwnd = ssthresh.
    expect(t.c.cc.ssthresh).toBe(Math.floor((cwnd * 717) / 1024));
    expect(t.c.cc.cwnd).toBe(t.c.cc.ssthresh);
  });

  test('a DSACK for the probe says the original arrived too: no reduction', () => {
    const t = tenOut();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 9001 win 257');
    t.runTimers(700 * MS);
    t.c.send(1000, t.now);
    t.sent();
    const cwnd = t.c.cc.cwnd;
    t.at(720 * MS);
    t.in('. 1:1(0) ack 10001 win 257 <nop,nop,sack 9001:10001>');
    expect(t.c.tlpActive).toBe(false);
    expect(t.c.cc.cwnd).toBeGreaterThanOrEqual(cwnd);
  });

  test('no probe while segments are SACKed (Disorder): the reordering timer or the RTO decides', () => {
    const t = tenOut();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 9001:10001>');
    expect(t.c.rtoIsProbe).toBe(false);
  });
});

describe('DSACK (RFC 2883)', () => {
  test('a duplicate segment is reported first in the next ACK, once; out-of-order blocks follow it', () => {
    const t = passiveEstablished();
    t.at(110 * MS);
    expect(t.inFull('. 1:1001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1001 win 505']);
    t.at(120 * MS);
    expect(t.inFull('. 2001:3001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1001 win 505 <nop,nop,sack 2001:3001>']);
    t.at(130 * MS);
    // Refused by the sequence check (all below RCV.NXT): tcp_send_dupack reports it.
    expect(t.inFull('. 1:1001(1000) ack 1 win 257')).toEqual([
      '. 1:1(0) ack 1001 win 505 <nop,nop,sack 1:1001 2001:3001>',
    ]);
    t.at(140 * MS);
    expect(t.inFull('. 1001:2001(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 3001 win 490']);
  });

  test('a segment partly had already: its head is the duplicate (tcp_data_queue)', () => {
    const t = passiveEstablished();
    t.at(110 * MS);
    t.in('. 1:1001(1000) ack 1 win 257');
    t.at(120 * MS);
    expect(t.inFull('. 501:1501(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1501 win 502 <nop,nop,sack 501:1001>']);
  });

  test('the sender reads a first block below the cumulative ACK as a DSACK and SACKs nothing with it', () => {
    const t = tenOut();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 2001 win 257 <nop,nop,sack 1:1001>');
    expect(t.c.ackDsack).toBe(true);
    expect(t.c.rtxq.sackedOut).toBe(0);
    t.in('. 1:1(0) ack 2001 win 257 <nop,nop,sack 5001:6001>');
    expect(t.c.ackDsack).toBe(false);
  });
});

describe('RTO on a SACK connection (Linux tcp_enter_loss)', () => {
  test('the SACKed segments are not resent: the head goes at the RTO, the other lost ones as ACKs open the window', () => {
    const t = tenOut({ congestion: 'reno' });
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:5001>')).toEqual(['. 1:1001(1000) ack 1']);
    // Nothing more comes back: the RTO, restarted when the head was resent, fires at 200 + 300 ms.
    expect(t.runTimers(550 * MS)).toEqual(['500 . 1:1001(1000) ack 1']);
    expect([t.c.inLoss, t.c.cc.cwnd, t.c.rtxq.lostOut, t.c.rtxq.sackedOut]).toEqual([true, 1, 7, 3]);
    t.at(600 * MS);
    // cwnd 2 (slow start), nothing in flight: the next two lost segments, skipping 2001:5001.
    expect(t.in('. 1:1(0) ack 1001 win 257 <nop,nop,sack 2001:5001>')).toEqual([
      '. 1001:2001(1000) ack 1',
      '. 5001:6001(1000) ack 1',
    ]);
    // Two delivered (the SACKed three were counted before): cwnd 4, nothing in flight.
    t.at(700 * MS);
    expect(t.in('. 1:1(0) ack 6001 win 257')).toEqual([
      // The lost segments go as the two-segment packets they first left in (tcp_xmit_retransmit_queue).
      '. 6001:7001(1000) ack 1',
      'P. 7001:8001(1000) ack 1',
      '. 8001:9001(1000) ack 1',
      'P. 9001:10001(1000) ack 1',
    ]);
    expect(t.c.retransmissions).toBe(8);
    t.at(800 * MS);
    t.in('. 1:1(0) ack 10001 win 257');
    expect(t.c.inLoss).toBe(false);
  });
});

describe('undo on DSACK (Linux tcp_try_undo_dsack)', () => {
  test('reordering, not loss: once the only retransmission is DSACKed, cwnd and ssthresh go back and recovery ends', () => {
    const t = tenOut();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:3001>');
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:4001>');
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:5001>')).toEqual(['. 1:1001(1000) ack 1']);
    expect([t.c.inRecovery, t.c.cc.ssthresh]).toEqual([true, 7]);
    // The originals arrive after all (1001:2001 was never resent: reordering).
    t.at(210 * MS);
    t.in('. 1:1(0) ack 5001 win 257');
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.reordSeen).toBe(1);
    // Then the receiver reports the retransmission of 1:1001 as a duplicate.
    t.at(220 * MS);
    t.in('. 1:1(0) ack 5001 win 257 <nop,nop,sack 1:1001>');
    expect(t.c.ackDsack).toBe(true);
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.cc.cwnd).toBeGreaterThanOrEqual(10);
    expect(t.c.cc.ssthresh).toBe(INFINITE_SSTHRESH); // still in slow start, as before the false alarm
    // RFC 8985 6.2 (tcp_rack_update_reo_wnd): the DSACK widens RACK's reordering window by one
    // step of min_rtt/4 on the next ACK that delivers data, kept for 16 recoveries.
    expect([t.c.rackReoWndSteps, rackReoWnd(t.c as never)]).toEqual([1, 25 * MS]);
    t.at(230 * MS);
    t.in('. 1:1(0) ack 6001 win 257');
    expect([t.c.rackReoWndSteps, t.c.rackReoWndPersist, rackReoWnd(t.c as never)]).toEqual([2, 16, 50 * MS]);
    // A recovery that ends without undo uses one of the 16 up (tcp_try_undo_recovery). New data
    // at 230 ms; 11001:12001 is lost, three segments above it are SACKed at 300 ms.
    t.c.send(10000, t.now);
    t.sent();
    t.at(300 * MS);
    t.in('. 1:1(0) ack 11001 win 257 <nop,nop,sack 12001:15001>');
    // Reordering was seen, so three SACKs are not enough: RACK's timer, 70 ms (RACK RTT) + 50 ms
    // after the send, decides.
    expect(t.c.inRecovery).toBe(false);
    expect(t.runTimers(399 * MS)).toEqual(['352 . 11001:12001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    t.at(400 * MS);
    t.in(`. 1:1(0) ack ${t.c.sndMax - 1_000_000} win 257`);
    expect([t.c.inRecovery, t.c.rackReoWndSteps, t.c.rackReoWndPersist]).toEqual([false, 2, 15]);
  });

  test('one of two retransmissions DSACKed: the other may have repaired a loss, nothing is undone', () => {
    const t = tenOut();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:3001>');
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:4001>');
    t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:5001>');
    t.at(205 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 2001:6001>')).toEqual(['. 1001:2001(1000) ack 1']);
    t.at(210 * MS);
    t.in('. 1:1(0) ack 6001 win 257 <nop,nop,sack 1:1001>');
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.cc.ssthresh).toBe(7);
  });
});
