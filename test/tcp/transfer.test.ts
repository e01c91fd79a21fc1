/**
 * Moving data: RTO backoff and Karn's rule, slow start and congestion avoidance, fast retransmit
 * and NewReno fast recovery, flow control with zero-window probing, Nagle, and bulk transfers
 * with loss between two engines.
 */
import { describe, expect, test } from 'vitest';
import { ConnEvent, TcpState } from '../../src/tcp/api.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, type Segment } from '../../src/wire/segment.ts';
import { Pair, activeEstablished, passiveEstablished } from './harness.ts';

describe('retransmission timeout (RFC 6298)', () => {
  test('exponential backoff, and Karn: no RTT sample from a retransmitted segment', () => {
    const t = activeEstablished(); // SRTT 100 ms, RTO 300 ms
    t.at(1 * SEC);
    t.c.send(1000, t.now);
    t.sent();
    expect(t.runTimers(3 * SEC)).toEqual(['1300 P. 1:1001(1000) ack 1', '1900 P. 1:1001(1000) ack 1']);
    expect(t.c.rto).toBe(1200 * MS);
    t.at(3 * SEC);
    t.in('. 1:1(0) ack 1001 win 65535');
    expect(t.c.srtt).toBe(100 * MS); // the ACK may be for either copy: no sample
    expect(t.c.rto).toBe(1200 * MS); // the backed-off RTO stays (RFC 6298 5.7 / Karn)
    expect(t.c.deadline).toBe(Infinity);
    t.c.send(1000, t.now);
    expect(t.sent()).toEqual(['P. 1001:2001(1000) ack 1']);
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 2001 win 65535');
    expect(t.c.srtt).toBe(100 * MS);
    expect(t.c.rto).toBe(300 * MS); // back to SRTT + max(4 RTTVAR, 200 ms) after a clean sample
  });

  test('with timestamps the echo still measures the RTT of a retransmission (RFC 7323 4.1)', () => {
    const t = activeEstablished({ peerOptions: 'mss 1000,TS val 1 ecr 0' });
    t.at(1 * SEC);
    t.c.send(100, t.now);
    t.sent();
    t.runTimers(1300 * MS); // retransmitted at 1300 ms, TSval 1300
    t.at(1350 * MS);
    t.in('. 1:1(0) ack 101 win 257 <nop,nop,TS val 2 ecr 1300>');
    expect(t.c.srtt).toBe(Math.round(0.875 * 100 * MS + 0.125 * 50 * MS));
  });

  test('rfc9293 profile: RTO = max(SRTT + 4 RTTVAR, 1 s)', () => {
    const t = activeEstablished({ profile: 'rfc9293', rtt: 20 * MS });
    expect(t.c.rto).toBe(1 * SEC);
  });

  test('the RTO restarts on each new ACK and stops when everything is acknowledged', () => {
    const t = activeEstablished();
    t.at(1 * SEC);
    t.c.send(3000, t.now);
    t.sent();
    expect(t.c.deadline).toBe(1300 * MS);
    t.at(1100 * MS);
    t.in('. 1:1(0) ack 1001 win 257');
    expect(t.c.deadline).toBe(1100 * MS + t.c.rto);
    t.in('. 1:1(0) ack 3001 win 257');
    expect(t.c.deadline).toBe(Infinity);
  });
});

describe('congestion control (RFC 5681, Linux packet counting)', () => {
  test('slow start: each ACK of one segment releases two (slow-start-ack-per-1pkt.pkt)', () => {
    const t = passiveEstablished({ params: { sndBuf: 200000 } });
    t.c.send(30000, t.now);
    expect(t.sent()).toHaveLength(10);
    expect(t.c.cwnd).toBe(10 * 1000);
    t.at(t.now + 105 * MS);
    for (let i = 1; i <= 10; i++) {
      expect(t.in(`. 1:1(0) ack ${i * 1000 + 1} win 257`)).toEqual(
        [
          `. ${9001 + i * 2000 - 1000}:${10001 + i * 2000 - 1000}(1000) ack 1`.replace(/^\. (\d+)/, '. $1'),
          `P. ${10001 + i * 2000 - 1000}:${11001 + i * 2000 - 1000}(1000) ack 1`,
        ].map((s, k) => (k === 0 ? s : s)),
      );
    }
    expect(t.c.cwnd).toBe(20 * 1000);
  });

  test('congestion avoidance: one segment more per window of ACKs', () => {
    const t = passiveEstablished({ params: { sndBuf: 1 << 20, congestion: 'reno' } });
    t.c.cc.ssthresh = 10;
    t.c.send(200000, t.now);
    t.sent();
    let acked = 1;
    for (let round = 0; round < 3; round++) {
      const cwnd = t.c.cc.cwnd;
      for (let i = 0; i < cwnd; i++) {
        acked += 1000;
        t.at(t.now + 1 * MS);
        t.in(`. 1:1(0) ack ${acked} win 257`);
      }
      expect(t.c.cc.cwnd).toBe(cwnd + 1);
    }
  });

  test('fast retransmit on the third duplicate ACK (fr-4pkt.pkt), recovery ends on the full ACK', () => {
    const t = passiveEstablished({ sackOk: false, params: { congestion: 'reno' } });
    t.c.send(4000, t.now);
    // Two TSO packets of two segments (tcp_tso_segs, tcp.minTsoSegs 2), each with PSH.
    expect(t.sent()).toEqual([
      '. 1:1001(1000) ack 1',
      'P. 1001:2001(1000) ack 1',
      '. 2001:3001(1000) ack 1',
      'P. 3001:4001(1000) ack 1',
    ]);
    t.at(t.now + 100 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual(['. 1:1001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    expect(t.c.cc.ssthresh).toBe(2);
    expect(t.c.cc.cwnd).toBe(5);
    expect(t.c.retransmissions).toBe(1);
    t.at(t.now + 100 * MS);
    t.in('. 1:1(0) ack 4001 win 257');
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.cc.cwnd).toBe(1 + 1);
  });

  test('limited transmit (RFC 3042): new segments on the first two duplicate ACKs', () => {
    const t = passiveEstablished({ sackOk: false });
    t.c.send(10000, t.now);
    t.sent();
    t.c.send(2000, t.now);
    expect(t.sent()).toEqual([]);
    // One segment per duplicate ACK: PSH only on the tail of the write (limited-transmit-sack.pkt).
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual(['. 10001:11001(1000) ack 1']);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual(['P. 11001:12001(1000) ack 1']);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual(['. 1:1001(1000) ack 1']);
  });

  test('NewReno partial ACK retransmits the next hole at once (RFC 6582)', () => {
    const t = passiveEstablished({ sackOk: false });
    t.c.send(6000, t.now);
    t.sent();
    for (let i = 0; i < 3; i++) t.in('. 1:1(0) ack 1 win 257');
    expect(t.sent()).toEqual([]);
    // Segment 1 is repaired, segment 3 was lost too: a partial ACK.
    expect(t.in('. 1:1(0) ack 2001 win 257')).toEqual(['. 2001:3001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
    t.in('. 1:1(0) ack 6001 win 257');
    expect(t.c.inRecovery).toBe(false);
    expect(t.c.retransmissions).toBe(2);
  });

  test('an RTO sets a loss window of one segment and goes back to SND.UNA', () => {
    const t = activeEstablished({ params: { congestion: 'reno' } });
    t.c.send(5000, t.now);
    t.sent();
    // Resent pieces of the write carry no PSH: only its tail (5001) has one (Linux tcp_fragment
    // leaves PSH on the second part when it cuts the skb for the retransmission).
    expect(t.runTimers(t.now + 300 * MS)).toEqual(['400 . 1:1001(1000) ack 1']);
    expect(t.c.cc.cwnd).toBe(1);
    expect(t.c.cc.ssthresh).toBe(2);
    t.at(450 * MS);
    // The ACK covers the first two segments: slow start sends the next two (3001 is a resend).
    expect(t.in('. 1:1(0) ack 2001 win 65535')).toEqual(['. 2001:3001(1000) ack 1', '. 3001:4001(1000) ack 1']);
  });
});

describe('flow control', () => {
  test('zero window: persist probes (seq SND.UNA−1) with backoff, then data when it opens', () => {
    const t = passiveEstablished();
    t.c.send(1000, t.now);
    t.sent();
    t.at(200 * MS);
    expect(t.in('. 1:1(0) ack 1001 win 0')).toEqual([]);
    expect(t.c.sndWnd).toBe(0);
    t.c.send(2000, t.now);
    expect(t.sent()).toEqual([]);
    expect(t.c.rto).toBe(300 * MS);
    // Probes one RTO apart, doubling (Linux tcp_probe0_when).
    const probes = t.runTimers(3 * SEC);
    expect(probes).toEqual([500, 1100, 2300].map((ms) => `${ms} . 1000:1000(0) ack 1`));
    expect(t.c.state).toBe(TcpState.ESTABLISHED);
    // The peer answers a probe: still zero, the backoff goes on; then the window opens.
    expect(t.in('. 1:1(0) ack 1001 win 0')).toEqual([]);
    expect(t.in('. 1:1(0) ack 1001 win 257')).toEqual(['. 1001:2001(1000) ack 1', 'P. 2001:3001(1000) ack 1']);
    expect(t.c.persistAt).toBe(Infinity);
  });

  test('answered probes never time out; unanswered ones do after tcp_retries2 probes', () => {
    const t = passiveEstablished({ params: { dataRetries: 3 } });
    t.c.send(3000, t.now);
    t.sent();
    t.in('. 1:1(0) ack 1001 win 0');
    t.runTimers(100 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toContain('ERROR:ETIMEDOUT');
  });

  test('a window too small for a segment: the probe sends what fits', () => {
    const t = passiveEstablished({ peerWscale: -1, peerWindow: 65535 });
    t.c.send(3000, t.now);
    t.sent();
    t.in('. 1:1(0) ack 3001 win 0');
    t.c.send(1000, t.now);
    t.in('. 1:1(0) ack 3001 win 600');
    expect(t.sent()).toEqual([]);
    expect(t.runTimers(t.now + 400 * MS)).toEqual(['437.5 P. 3001:3601(600) ack 1']);
  });

  test('our window closes when the application does not read, and reopens with an update', () => {
    const t = passiveEstablished({ params: { rcvBuf: 16384 } });
    let i = 0;
    while (t.c.rcvWnd > 0 && i < 20) {
      t.in(`. ${i * 1000 + 1}:${i * 1000 + 1001}(1000) ack 1 win 257`);
      i++;
    }
    const last = t.inFull(`. ${i * 1000 + 1}:${i * 1000 + 1001}(1000) ack 1 win 257`);
    expect(last[0]).toMatch(/ win 0$/);
    expect(t.c.readable).toBeLessThanOrEqual(16384);
    t.c.recv(1 << 20, t.now);
    // The update offers the initial 7300 bytes again (rcv_ssthresh), rounded up to the scale unit.
    expect(t.rec.take().map((s) => s.seg.window)).toEqual([58]);
  });
});

describe('Nagle', () => {
  test('a small segment waits while an earlier small one is unacknowledged (Minshall)', () => {
    const t = activeEstablished();
    t.c.send(100, t.now);
    t.c.send(100, t.now);
    t.c.send(100, t.now);
    expect(t.sent()).toEqual(['P. 1:101(100) ack 1']);
    expect(t.in('. 1:1(0) ack 101 win 257')).toEqual(['P. 101:301(200) ack 1']);
  });

  test('TCP_NODELAY sends at once', () => {
    const t = activeEstablished();
    t.c.setNoDelay(true, t.now);
    t.c.send(100, t.now);
    t.c.send(100, t.now);
    expect(t.sent()).toEqual(['P. 1:101(100) ack 1', 'P. 101:201(100) ack 1']);
  });

  test('full-sized segments are never held', () => {
    const t = activeEstablished();
    t.c.send(100, t.now);
    t.c.send(2000, t.now);
    expect(t.sent()).toEqual(['P. 1:101(100) ack 1', '. 101:1101(1000) ack 1', 'P. 1101:2101(1000) ack 1']);
  });
});

/** Drops the data segments a → b whose ordinal `pick` selects (deterministic loss). */
function lossy(pair: Pair, pick: (n: number) => boolean): void {
  let n = 0;
  pair.drop = (seg: Segment, from) => {
    if (from !== 0 || seg.len === 0) return false;
    return pick(n++);
  };
}

describe('bulk transfer between two engines', () => {
  for (const [name, pick] of [
    ['no loss', (_n: number) => false],
    ['every 37th data segment lost', (n: number) => n % 37 === 36],
    ['bursts of 3 lost', (n: number) => n % 100 >= 50 && n % 100 < 53],
    ['10% loss', (n: number) => ((n * 2654435761) >>> 0) % 10 === 0],
  ] as const) {
    test(`1 MB with ${name}: every byte arrives, in order, exactly once`, () => {
      const p = tcpParams('linux', { timers: 'exact' });
      const pair = new Pair(5 * MS, [p, p]);
      pair.listen();
      let received = 0;
      pair.onAccept = (b) => {
        pair.rec[1].onNotify = (what) => {
          if (what === ConnEvent.READABLE) {
            for (let n = b.recv(1 << 20, pair.now); n > 0; n = b.recv(1 << 20, pair.now)) received += n;
          }
        };
      };
      const a = pair.connect(0);
      let toSend = 1_000_000;
      const pump = (): void => {
        if (toSend > 0) {
          const n = a.send(toSend, pair.now);
          if (n > 0) toSend -= n;
        }
        if (toSend === 0 && a.state === TcpState.ESTABLISHED) a.close(pair.now);
      };
      pair.rec[0].onNotify = (what) => {
        if (what === ConnEvent.CONNECTED || what === ConnEvent.WRITABLE) pump();
      };
      lossy(pair, pick);
      pair.run(600 * SEC);
      const b = pair.conn[1]!;
      expect(received).toBe(1_000_000);
      expect(b.bytesReceived).toBe(1_000_000);
      expect(a.bytesAcked).toBe(1_000_000);
      expect(b.eof).toBe(true);
      expect(a.state === TcpState.TIME_WAIT || a.state === TcpState.CLOSED).toBe(true);
      if (name !== 'no loss') expect(a.retransmissions).toBeGreaterThan(0);
      else expect(a.retransmissions).toBe(0);
      // Nothing was acknowledged twice or lost between the buffers.
      expect(a.sendBuffered).toBe(0);
    });
  }
});

describe('tail loss probe (RFC 8985 7, Linux)', () => {
  test('a lone FIN: probe at min(2 SRTT + 200 ms, RTO), then the RTO (user_timeout.pkt)', () => {
    const t = passiveEstablished(); // SACK, SRTT 100 ms, RTO 300 ms
    t.at(2100 * MS);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    expect(t.runTimers(3400 * MS)).toEqual(['2400 F. 1:1(0) ack 1', '2700 F. 1:1(0) ack 1', '3300 F. 1:1(0) ack 1']);
  });

  test('several segments out: probe after 2 SRTT + 2 ms resends only the last one', () => {
    const t = passiveEstablished();
    t.c.send(4000, t.now);
    t.sent();
    expect(t.runTimers(t.now + 250 * MS)).toEqual(['302 P. 3001:4001(1000) ack 1']);
    expect(t.c.retransmissions).toBe(1);
    // The probe's ACK SACKs the three segments above the first: more than DupThresh - 1
    // segments above the hole, so it is lost (RFC 6675 IsLost) and resent at once.
    t.at(t.now + 10 * MS);
    expect(t.in('. 1:1(0) ack 1 win 257 <nop,nop,sack 1001:4001>')).toEqual(['. 1:1001(1000) ack 1']);
    expect(t.c.inRecovery).toBe(true);
  });

  test('new data the window allows goes out as the probe', () => {
    const t = passiveEstablished({ params: { initCwnd: 2 } });
    t.c.send(5000, t.now);
    // cwnd 2: one-segment packets (tcp_cwnd_test: half of cwnd), neither the tail of the write.
    expect(t.sent()).toEqual(['. 1:1001(1000) ack 1', '. 1001:2001(1000) ack 1']);
    expect(t.runTimers(t.now + 250 * MS)).toEqual(['302 . 2001:3001(1000) ack 1']);
    expect(t.c.retransmissions).toBe(0);
  });

  test('not without SACK, nor in the rfc9293 profile: the RTO comes first', () => {
    for (const t of [passiveEstablished({ sackOk: false }), passiveEstablished({ profile: 'rfc9293' })]) {
      t.c.send(1000, t.now);
      t.sent();
      expect(t.runTimers(t.now + t.c.rto)).toEqual([`${t.now / MS} P. 1:1001(1000) ack 1`]);
    }
  });
});

describe('send buffer and counters', () => {
  test('send() takes what fits; WRITABLE once half of what is queued has drained', () => {
    const t = passiveEstablished({ params: { sndBuf: 8000, sndBufGrowth: false } });
    expect(t.c.send(20000, t.now)).toBe(8000);
    expect(t.c.sendSpace).toBe(0);
    t.sent();
    t.in('. 1:1(0) ack 2001 win 257');
    expect(t.rec.takeEvents()).toEqual([]); // 2000 free, 6000 queued
    t.in('. 1:1(0) ack 3001 win 257');
    expect(t.rec.takeEvents()).toEqual(['WRITABLE']); // 3000 free ≥ 5000 / 2
    expect(t.c.sendSpace).toBe(3000);
  });

  test('counters: segments, retransmissions, bytes, cwnd in bytes, srtt, rto', () => {
    const t = passiveEstablished();
    t.c.send(3000, t.now);
    t.at(t.now + 50 * MS);
    t.in('P. 1:501(500) ack 3001 win 257');
    expect(t.c.segmentsSent).toBe(4); // 3 data segments and the ACK of the 500 bytes
    expect(t.c.retransmissions).toBe(0);
    expect(t.c.bytesAcked).toBe(3000);
    expect(t.c.bytesReceived).toBe(500);
    expect(t.c.cwnd).toBe(10 * 1000); // application-limited: no growth (Linux tcp_is_cwnd_limited)
    expect(t.c.srtt).toBe(Math.round(0.875 * 100 * MS + 0.125 * 50 * MS));
    expect(t.c.rto).toBeGreaterThanOrEqual(200 * MS);
  });
});
