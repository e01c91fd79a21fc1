/**
 * Linux timelines of the engine's timers: TIME-WAIT (60 s, re-ACK and restart on a retransmitted
 * FIN, RST, reopening by a new SYN), FIN_WAIT_2 for orphans, keepalive, delayed ACK, user
 * timeout and the tcp_retries2 give-up.
 */
import { describe, expect, test } from 'vitest';
import { ConnEvent, TcpState } from '../../src/tcp/api.ts';
import { SegmentVerdict } from '../../src/tcp/connection.ts';
import { nextIncarnationIss } from '../../src/tcp/host-tcp.ts';
import { modelTimeout } from '../../src/tcp/retransmit.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { activeEstablished, passiveEstablished, type Trace } from './harness.ts';

/** An active closer in TIME-WAIT at t = 1 s (our FIN 1:1, theirs acknowledged). */
function inTimeWait(o: Parameters<typeof activeEstablished>[0] = {}): Trace {
  const t = activeEstablished(o);
  t.at(1 * SEC);
  t.c.close(t.now);
  t.sent();
  t.in('F. 1:1(0) ack 2 win 257');
  t.rec.takeStates();
  return t;
}

describe('TIME-WAIT', () => {
  test('lasts 60 s, then CLOSED and FREED without a segment', () => {
    const t = inTimeWait();
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.c.deadline).toBe(61 * SEC);
    expect(t.runTimers(61 * SEC - 1)).toEqual([]);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.runTimers(61 * SEC)).toEqual([]);
    expect(t.rec.takeStates()).toEqual(['TIME_WAIT>CLOSED']);
    expect(t.rec.takeEvents()).toEqual(['FREED']);
  });

  test('a retransmitted FIN is acknowledged again and restarts the timer (time-wait-fin-reack.pkt)', () => {
    const t = inTimeWait();
    t.at(2 * SEC);
    expect(t.in('F. 1:1(0) ack 2 win 257')).toEqual(['. 2:2(0) ack 2']);
    expect(t.c.deadline).toBe(62 * SEC);
    t.at(3 * SEC);
    expect(t.in('F. 1:1(0) ack 2 win 257')).toEqual(['. 2:2(0) ack 2']);
    t.runTimers(62 * SEC);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    t.runTimers(63 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
  });

  test('an exact RST kills it (Linux, tcp_rfc1337 = 0); an inexact one is ignored', () => {
    const t = inTimeWait();
    expect(t.in('R 5:5(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.in('R 2:2(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['FREED']);
  });

  test('rfc9293 profile: 2 MSL = 240 s and RFC 1337 ignores the RST', () => {
    const t = inTimeWait({ profile: 'rfc9293' });
    expect(t.c.deadline).toBe(241 * SEC);
    t.in('R 2:2(0) win 0');
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
  });

  test('a new SYN with a higher sequence number reopens it (RFC 6191 / Linux TCP_TW_SYN)', () => {
    const t = inTimeWait();
    const r = t.inVerdict('S 100000:100000(0) win 65535 <mss 1460>');
    expect(r.verdict).toBe(SegmentVerdict.REOPEN);
    expect(r.out).toEqual([]);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeEvents()).toEqual(['FREED']);
    expect(nextIncarnationIss(t.c.sndMax)).toBe((t.c.iss + 2 + 65537) >>> 0); // the ISS HostTcp.takeOverTimeWait gives
  });

  test('an old SYN (lower sequence, no timestamps) is answered with an ACK and does not reopen', () => {
    const t = inTimeWait();
    const r = t.inVerdict('S 0:0(0) win 65535 <mss 1460>');
    expect(r.verdict).toBe(SegmentVerdict.CONSUMED);
    expect(r.out).toEqual(['. 2:2(0) ack 2']);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
  });

  test('with timestamps a newer TSval reopens even below RCV.NXT (RFC 6191)', () => {
    const t = inTimeWait({ peerOptions: 'mss 1460,TS val 500 ecr 0' });
    expect(t.inVerdict('S 0:0(0) win 65535 <mss 1460,TS val 400 ecr 0>').verdict).toBe(SegmentVerdict.CONSUMED);
    expect(t.inVerdict('S 0:0(0) win 65535 <mss 1460,TS val 90000 ecr 0>').verdict).toBe(SegmentVerdict.REOPEN);
  });
});

describe('FIN_WAIT_2', () => {
  test('an orphan (closed) connection is dropped quietly after tcp_fin_timeout, 60 s', () => {
    const t = activeEstablished();
    t.at(1 * SEC);
    t.c.close(t.now);
    t.sent();
    t.in('. 1:1(0) ack 2 win 257');
    expect(t.c.state).toBe(TcpState.FIN_WAIT_2);
    expect(t.c.deadline).toBe(61 * SEC);
    expect(t.runTimers(61 * SEC)).toEqual([]);
    expect(t.rec.takeStates()).toEqual(['ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>CLOSED']);
  });

  test('after shutdown(wr) only, FIN_WAIT_2 waits forever; close() starts the timer', () => {
    const t = activeEstablished();
    t.c.shutdown('wr', t.now);
    t.in('. 1:1(0) ack 2 win 257');
    expect(t.c.state).toBe(TcpState.FIN_WAIT_2);
    expect(t.c.deadline).toBe(Infinity);
    t.at(500 * SEC);
    t.c.close(t.now);
    expect(t.c.deadline).toBe(560 * SEC);
  });

  test('rfc9293 profile: no FIN_WAIT_2 timeout', () => {
    const t = activeEstablished({ profile: 'rfc9293' });
    t.c.close(t.now);
    t.in('. 1:1(0) ack 2 win 257');
    expect(t.c.deadline).toBe(Infinity);
  });
});

describe('keepalive', () => {
  test('idle 7200 s, 9 probes 75 s apart, then RST and ETIMEDOUT at 7875 s', () => {
    const t = activeEstablished({ params: { keepalive: true } });
    const out = t.runTimers(8000 * SEC);
    const probes = [7200, 7275, 7350, 7425, 7500, 7575, 7650, 7725, 7800].map(
      (s) => `${s * 1000 + 100} . 0:0(0) ack 1`,
    );
    expect(out).toEqual([...probes, '7875100 R. 1:1(0) ack 1']);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  test('an answered probe makes the peer alive again: the idle time starts over', () => {
    const t = activeEstablished({
      params: { keepalive: true, keepaliveIdle: 10 * SEC, keepaliveInterval: 5 * SEC, keepaliveProbes: 3 },
    });
    expect(t.runTimers(10_200 * MS)).toEqual(['10100 . 0:0(0) ack 1']);
    expect(t.in('. 1:1(0) ack 1 win 257')).toEqual([]);
    expect(t.runTimers(40 * SEC)).toEqual([
      '20200 . 0:0(0) ack 1',
      '25200 . 0:0(0) ack 1',
      '30200 . 0:0(0) ack 1',
      '35200 R. 1:1(0) ack 1',
    ]);
  });

  test('received data also counts as life', () => {
    const t = activeEstablished({ params: { keepalive: true, keepaliveIdle: 10 * SEC } });
    t.at(8 * SEC);
    t.in('P. 1:11(10) ack 1 win 257');
    expect(t.c.recv(100, t.now)).toBe(10);
    expect(t.runTimers(17 * SEC).filter((l) => l.endsWith('. 0:0(0) ack 11'))).toEqual([]);
    expect(t.runTimers(18 * SEC + 1)).toEqual(['18000 . 0:0(0) ack 11']);
  });
});

describe('delayed ACK', () => {
  test('quick ACKs at the start, then one ACK 40 ms after a lone segment', () => {
    const t = passiveEstablished();
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = 1 * SEC + i * 200 * MS;
      t.at(at);
      if (t.in(`P. ${i * 100 + 1}:${i * 100 + 101}(100) ack 1 win 257`).length === 1) delays.push(0);
      for (const l of t.runTimers(at + 100 * MS)) delays.push(Number(l.split(' ')[0]) - at / MS);
    }
    // Linux TCP_MAX_QUICKACKS: 16 immediate ACKs, then the 40 ms delayed ACK; each timeout that
    // fires doubles the ATO (tcp_delack_timer_handler), bounded by the smoothed RTT (100 ms).
    expect(delays).toEqual([...Array(16).fill(0), 40, 80, 100, 100]);
  });

  test('reading a small pushed segment sends the held ACK at once (Linux tcp_cleanup_rbuf)', () => {
    const t = passiveEstablished({ profile: 'linux' });
    for (let i = 0; i < 16; i++) t.in(`P. ${i + 1}:${i + 2}(1) ack 1 win 257`);
    expect(t.in('P. 17:117(100) ack 1 win 257')).toEqual([]);
    t.c.recv(1000, t.now);
    expect(t.sent()).toEqual(['. 1:1(0) ack 117']);
  });

  test('an ACK for every second full-sized segment when the application keeps up', () => {
    const t = passiveEstablished();
    t.rec.onNotify = (what) => {
      if (what === ConnEvent.READABLE) t.c.recv(1 << 20, t.now);
    };
    // Use up the quick ACKs (segments 1 ms apart, so the gap never re-arms quick-ACK mode).
    for (let i = 0; i < 20; i++) {
      t.at(t.now + 1 * MS);
      t.in(`. ${i * 1000 + 1}:${i * 1000 + 1001}(1000) ack 1 win 257`);
    }
    t.runTimers(t.now + 50 * MS);
    t.rec.take();
    const acks: string[] = [];
    for (let i = 20; i < 30; i++) {
      t.at(t.now + 1 * MS);
      acks.push(...t.in(`. ${i * 1000 + 1}:${i * 1000 + 1001}(1000) ack 1 win 257`));
    }
    expect(acks).toEqual([
      '. 1:1(0) ack 22001',
      '. 1:1(0) ack 24001',
      '. 1:1(0) ack 26001',
      '. 1:1(0) ack 28001',
      '. 1:1(0) ack 30001',
    ]);
  });

  test('a FIN after data is acknowledged 40 ms later (pingpong mode)', () => {
    const t = passiveEstablished();
    t.in('P. 1:1001(1000) ack 1 win 257');
    t.c.recv(5000, t.now);
    expect(t.in('F. 1001:1001(0) ack 1 win 257')).toEqual([]);
    expect(t.c.deadline).toBe(t.now + 40 * MS);
  });

  test('rfc9293 profile: no quick-ACK mode, ACKs wait up to 500 ms (RFC 9293 3.8.6.3)', () => {
    const t = passiveEstablished({ profile: 'rfc9293' });
    expect(t.in('P. 1:101(100) ack 1 win 257')).toEqual([]);
    expect(t.c.deadline).toBe(t.now + 500 * MS);
    expect(t.in('P. 101:1101(1000) ack 1 win 257')).toEqual(['. 1:1(0) ack 1101']);
  });
});

describe('retransmission give-up', () => {
  test('Linux tcp_retries2 model: 15 retries from 200 ms to 120 s take 924.6 s', () => {
    expect(modelTimeout(15, 200 * MS, 120 * SEC)).toBe(924.6 * SEC);
    expect(modelTimeout(3, 200 * MS, 120 * SEC)).toBe(3 * SEC);
    expect(modelTimeout(8, 200 * MS, 120 * SEC)).toBeCloseTo(102.2 * SEC, -3);
  });

  test('unacknowledged data: ETIMEDOUT at the first RTO past 924.6 s after the first send, no RST', () => {
    const t = activeEstablished({ rtt: 1 * MS });
    t.at(1 * SEC);
    t.c.send(100, t.now);
    t.sent();
    const out = t.runTimers(2000 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(out.every((l) => l.endsWith('P. 1:101(100) ack 1'))).toBe(true);
    expect(out).toHaveLength(15);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
    // Retransmissions back off to the 120 s maximum.
    const times = out.map((l) => Number(l.split(' ')[0]) / 1000);
    expect(times[0]).toBeCloseTo(1.201, 3);
    expect(times[times.length - 1]! - times[times.length - 2]!).toBe(120);
  });

  test('tcp_retries2 = 3: give up after 3 s of retransmitting', () => {
    const t = activeEstablished({ rtt: 1 * MS, params: { dataRetries: 3 } });
    t.at(1 * SEC);
    t.c.send(100, t.now);
    t.sent();
    t.runTimers(100 * SEC);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.c.retransmissions).toBe(3);
  });

  test('TCP_USER_TIMEOUT (RFC 5482): give up exactly 3 s after the first unacknowledged send', () => {
    const t = activeEstablished({ params: { userTimeout: 3 * SEC } });
    t.at(2 * SEC);
    t.c.close(t.now);
    expect(t.sent()).toEqual(['F. 1:1(0) ack 1']);
    const out = t.runTimers(100 * SEC);
    expect(out.map((l) => l.split(' ')[0])).toEqual(['2300', '2900', '4100']);
    expect(t.c.state).toBe(TcpState.CLOSED);
    expect(t.rec.takeStates().at(-1)).toBe('FIN_WAIT_1>CLOSED');
  });
});

describe('more timer rules', () => {
  test('TIME-WAIT with tcp_rfc1337 on the linux profile: an exact RST neither kills nor restarts it', () => {
    const t = inTimeWait({ params: { rfc1337: true } });
    t.at(30 * SEC);
    expect(t.in('R 2:2(0) win 0')).toEqual([]);
    expect(t.c.state).toBe(TcpState.TIME_WAIT);
    expect(t.c.deadline).toBe(61 * SEC);
  });

  test('maxRto caps the backoff: rfc9293 data retransmissions 1, 2, 4 … 32 s apart, then 60 s', () => {
    const t = passiveEstablished({ profile: 'rfc9293', rtt: 10 * MS });
    t.c.send(100, t.now);
    t.sent();
    const times = t.runTimers(t.now + 300 * SEC).map((l) => Number(l.split(' ')[0]));
    const gaps = times.slice(1).map((x, i) => (x - times[i]!) / 1000);
    expect(gaps.slice(0, 7)).toEqual([2, 4, 8, 16, 32, 60, 60]);
  });

  test('FIN_WAIT_2 of a closed socket: max(tcp_fin_timeout, 3.5 RTO)', () => {
    const t = activeEstablished({ rtt: 10 * SEC }); // RTO = 10 s + max(4 × 5 s, 200 ms) = 30 s
    expect(t.c.rto).toBe(30 * SEC);
    t.c.close(t.now);
    t.at(t.now + 10 * SEC);
    t.in('. 1:1(0) ack 2 win 65535'); // a second 10 s sample: RTO 10 s + 4 × 3.75 s = 25 s
    expect(t.c.rto).toBe(25 * SEC);
    expect(t.c.deadline).toBe(t.now + 87.5 * SEC);
  });

  test('keepalive with TCP_USER_TIMEOUT: RST once idle past the user timeout with a probe out (Linux)', () => {
    const t = activeEstablished({
      params: { keepalive: true, keepaliveIdle: 10 * SEC, keepaliveInterval: 5 * SEC, userTimeout: 12 * SEC },
    });
    expect(t.runTimers(30 * SEC)).toEqual(['10100 . 0:0(0) ack 1', '15100 R. 1:1(0) ack 1']);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });

  test('zero-window probing with TCP_USER_TIMEOUT: answered probes do not stop the clock started by the first one', () => {
    const t = passiveEstablished({ params: { userTimeout: 5 * SEC } });
    t.c.send(1000, t.now);
    t.sent();
    t.at(200 * MS);
    t.in('. 1:1(0) ack 1001 win 0');
    t.c.send(1000, t.now);
    const probes: string[] = [];
    while (t.c.state !== TcpState.CLOSED && t.now < 20 * SEC) {
      const out = t.runTimers(t.c.deadline);
      probes.push(...out);
      if (out.length > 0) t.in('. 1:1(0) ack 1001 win 0'); // the peer answers: still zero
    }
    // The first probe timeout (500 ms) starts the clock; the last wait is clamped to it: 5.5 s.
    expect(probes).toEqual([500, 1100, 2300, 4700].map((ms) => `${ms} . 1000:1000(0) ack 1`));
    expect(t.now).toBe(5500 * MS);
    expect(t.rec.takeEvents()).toEqual(['ERROR:ETIMEDOUT', 'FREED']);
  });
});
