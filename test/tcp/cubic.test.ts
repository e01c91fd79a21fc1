/**
 * CUBIC (src/tcp/congestion/cubic.ts) against Linux's tcp_cubic.c: HyStart's delay detection as
 * the upstream packetdrill scripts cubic-hystart-delay-*.pkt walk it (translated here packet by
 * packet, since those scripts need python asserts the drill runner lacks), the window curve
 * against RFC 9438's W(t) = C(t - K)^3 + W_max, and the 0.7 reduction.
 */
import { describe, expect, test } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { Cubic, cubicRoot } from '../../src/tcp/congestion/cubic.ts';
import { INFINITE_SSTHRESH } from '../../src/tcp/congestion/newreno.ts';
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperimentText } from '../../src/experiment/load.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { passiveEstablished } from './harness.ts';

/** Passive open as the scripts: SYN at 0, our SYN-ACK, the ACK 200 ms later; SO_SNDBUF 200000 (doubled). */
function opened(): ReturnType<typeof passiveEstablished> {
  const t = passiveEstablished({ rtt: 200 * MS, params: { congestion: 'cubic' } });
  t.c.setOption('sndBuf', 400000, t.now);
  return t;
}

describe('HyStart delay detection (cubic-hystart-delay-*.pkt)', () => {
  test('a round whose 8 samples are all >= min_rtt + 16 ms exits slow start: ssthresh = cwnd = 36', () => {
    const t = opened();
    expect(t.c.send(30000, t.now)).toBe(30000);
    expect(t.sent()).toHaveLength(10);
    expect(t.c.cc.cwnd).toBe(10);
    t.at(400 * MS);
    expect(t.in('. 1:1(0) ack 10001 win 257')).toHaveLength(20); // RTT 200 ms: delay_min
    expect(t.c.cc.cwnd).toBe(20);
    // A new round at 640 ms (RTT 240 ms, then 241 ... 248 ms).
    t.at(640 * MS);
    let cwnd = 20;
    for (let ack = 12001; ack <= 26001; ack += 2000) {
      t.in(`. 1:1(0) ack ${ack} win 257`);
      cwnd += 2;
      expect(t.c.cc.ssthresh).toBe(INFINITE_SSTHRESH);
      expect(t.c.cc.cwnd).toBe(cwnd);
      t.at(t.now + 1 * MS);
    }
    t.in('. 1:1(0) ack 28001 win 257'); // the 9th sample: min 240 ms > 200 + 16 ms
    expect(t.c.cc.ssthresh).toBe(36);
    expect(t.c.cc.cwnd).toBe(36);
    t.at(t.now + 1 * MS);
    t.in('. 1:1(0) ack 30001 win 257');
    expect(t.c.cc.ssthresh).toBe(36);
    expect(t.c.cc.cwnd).toBe(36);
  });

  test('a sample that lowers min_rtt after the 8th does not exit slow start (Linux b344579ca847)', () => {
    const t = opened();
    t.c.send(28000, t.now);
    t.at(400 * MS);
    t.in('. 1:1(0) ack 10001 win 257');
    expect(t.c.cc.cwnd).toBe(20);
    t.at(580 * MS);
    t.c.send(2000, t.now);
    t.sent();
    t.at(600 * MS);
    let cwnd = 20;
    for (let ack = 12001; ack <= 30001; ack += 2000) {
      t.in(`. 1:1(0) ack ${ack} win 257`); // RTT 200, 201 ... 208 ms, then 29 ms
      cwnd += 2;
      expect(t.c.cc.ssthresh).toBe(INFINITE_SSTHRESH);
      expect(t.c.cc.cwnd).toBe(cwnd);
      t.at(t.now + 1 * MS);
    }
    expect(cwnd).toBe(40);
  });

  test('reno has no HyStart: the same upward jump leaves it in slow start', () => {
    const t = passiveEstablished({ rtt: 200 * MS, params: { congestion: 'reno', sndBuf: 400000 } });
    t.c.send(30000, t.now);
    t.at(400 * MS);
    t.in('. 1:1(0) ack 10001 win 257');
    t.at(640 * MS);
    for (let ack = 12001; ack <= 30001; ack += 2000) {
      t.in(`. 1:1(0) ack ${ack} win 257`);
      t.at(t.now + 1 * MS);
    }
    expect(t.c.cc.ssthresh).toBe(INFINITE_SSTHRESH);
    expect(t.c.cc.cwnd).toBe(40);
  });
});

describe('the cubic window (RFC 9438 4.2, Linux bictcp_update)', () => {
  test('cubic_root is within 0.5 % of the cube root (Linux: ~0.2 % on average)', () => {
    for (const a of [64, 1000, 12345, 1e6, 2.7e9, 8e12, 3e15]) {
      expect(Math.abs(cubicRoot(a) - Math.cbrt(a)) / Math.cbrt(a)).toBeLessThan(0.005);
    }
    expect(cubicRoot(27)).toBe(3);
  });

  // Linux counts the curve's time in jiffies (tcp_jiffies32): the host's HZ and jiffies phase.
  test.each([
    [1000, 0],
    [250, 0],
    [100, 0],
    [250, 1_234_567],
  ])(
    'a loss at cwnd 100 sets ssthresh 70 (beta 717/1024); the window regains 100 after K = cbrt(30 / 0.4) = 4.2 s, concave before, convex after (HZ %i, phase %i ns)',
    (hz, phase) => {
      const c = new Cubic(10, hz, phase);
      const view = { sndUna: 0, sndNxt: 0, mss: 1000, packetsOut: 0, rtt: { srtt: 100 * MS } };
      c.ssthresh = 50;
      c.cwnd = 100;
      c.enterRecovery(100);
      expect(c.ssthresh).toBe(70);
      c.exitRecovery(100);
      expect(c.cwnd).toBe(70);
      // One window of ACKs per 100 ms RTT, each ACK one segment, from t = 10 s.
      const start = 10 * SEC;
      const at: Record<number, number> = {};
      for (let r = 0; r < 60; r++) {
        const now = start + r * 100 * MS;
        c.onAckSample(view, 100 * MS, now);
        const w = c.cwnd;
        for (let i = 0; i < w; i++) c.onAck(1, true, now + Math.floor((i * 100 * MS) / w));
        at[r] = c.cwnd;
      }
      // RFC 9438 eq. 1: W(t) = 0.4 (t - 4.217)^3 + 100 (t in s since the reduction, t + RTT as Linux).
      const model = (s: number): number => 0.4 * (s - Math.cbrt(30 / 0.4)) ** 3 + 100;
      for (const r of [10, 20, 30, 42, 50, 59]) {
        expect(Math.abs(at[r]! - model((r + 1) / 10 + 0.1)), `after ${r} RTTs`).toBeLessThanOrEqual(2.5);
      }
      expect(at[20]! - at[10]!).toBeGreaterThan(at[40]! - at[30]!); // concave: slowing towards W_max
      expect(at[59]! - at[49]!).toBeGreaterThan(at[49]! - at[42]!); // convex beyond it
    },
  );
});

describe('tcp.congestion', () => {
  test('linux runs cubic, rfc9293 reno; either may be picked', () => {
    expect(tcpParams('linux').congestion).toBe('cubic');
    expect(tcpParams('rfc9293').congestion).toBe('reno');
    expect(passiveEstablished().c.cc.name).toBe('cubic');
    expect(passiveEstablished({ params: { congestion: 'reno' } }).c.cc.name).toBe('reno');
  });

  test('anything else is refused naming the field', () => {
    const r = loadExperimentText(
      'name: x\ntopology: { nodes: [a, b], links: [{ between: [a, b] }] }\ntcp: { congestion: bbr }\n',
      'experiments/x.yaml',
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map(formatSpecError)).toContain(
        'experiments/x.yaml: tcp.congestion: expected one of cubic, reno, got "bbr"',
      );
  });
});
