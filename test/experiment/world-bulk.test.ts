/**
 * Bulk goodput, whole model (issue 11): a lossless transfer reaches the link's payload rate once
 * the window allows, and receive autotuning opens the window on a long path.
 *
 * The ceiling is the payload share of each packet: 1448 B of data in 1500 B on the wire (20 B
 * IP, 20 B TCP, 12 B timestamps), 96.5 % of the link rate. A bulk app's time runs from connect()
 * to the receiver's close (handshake, slow start and the FIN exchange included); the steady rate
 * "once the window allows" is the difference of two transfers, n and 2n bytes: n / (t2n - tn).
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne } from './world-helpers.ts';

/**
 * client ─1 Gbit/s, 1 ms─ r1 ─rate, latency─ server, `bytes` sent by one bulk app: its time in
 * ms (connect() to the receiver's close).
 */
function bulkMs(rate: string, bytes: number, tcp: string, latency = '20ms'): number {
  const out = runOne(`name: bulk
topology:
  nodes: [client, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 1ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: ${latency}, bandwidth: ${rate} }
duration: 120s
tcp: ${tcp}
apps:
  sink: { kind: server, on: server, port: 8080 }
  bulk: { kind: bulk, on: client, target: "server:8080", bytes: ${bytes}B, start: 0s }
`);
  expect(metric(out, 'segments.retransmitted')).toBe(0); // lossless: nothing to recover
  return metric(out, 'bulk_ms.mean');
}

/** Goodput in Mbit/s of one transfer, timed as the bulk app does. */
function bulk(rate: string, bytes: number, tcp: string, latency = '20ms'): number {
  return (bytes * 8) / (bulkMs(rate, bytes, tcp, latency) * 1e3);
}

/** Steady goodput in Mbit/s: what `bytes` more cost (ramp and handshake cancel out). */
function steady(rate: string, bytes: number, tcp: string): number {
  return (bytes * 8) / ((bulkMs(rate, 2 * bytes, tcp) - bulkMs(rate, bytes, tcp)) * 1e3);
}

describe('lossless bulk goodput against link rate', () => {
  // tcp_rmem[2] at 1 MB: a 512 KB window, above every BDP here (50 Mbit/s x 42 ms = 263 KB),
  // below the 1000-packet router queue (1.5 MB), so nothing is lost.
  const TCP = '{ profile: linux, rcvBufMax: 1MB }';
  for (const [rate, mbps, bytes] of [
    ['2Mbps', 2, 1e6],
    ['10Mbps', 10, 5e6],
    ['50Mbps', 50, 10e6],
  ] as const) {
    it(`${rate}: at least 95 % of the link rate once the window allows`, () => {
      const g = steady(rate, bytes, TCP);
      expect(g).toBeGreaterThanOrEqual(0.95 * mbps);
      expect(g).toBeLessThanOrEqual((1448 / 1500) * mbps * 1.0001);
    });
  }

  it('10 MB at 10 Mbit/s over RTT 42 ms: 9.45 Mbit/s or more timed from connect()', () => {
    expect(bulk('10Mbps', 10e6, TCP)).toBeGreaterThanOrEqual(9.45);
  });

  it('with the send buffer fixed at 64 KB (no tcp_sndbuf_expand) it falls short: the writer wakes at 1/3 free, flight stays under the BDP', () => {
    const g = steady('10Mbps', 5e6, '{ profile: linux, rcvBufMax: 1MB, sndBufGrowth: false }');
    expect(g).toBeLessThan(0.85 * 10);
  });
});

describe('receive buffer autotuning on a long path (100 ms RTT)', () => {
  // 5 MB at 100 Mbit/s, RTT 2 x (1 + 49) ms = 100 ms. Ideal with slow start from 10 segments and
  // no receive-window limit: 1 RTT handshake, 7 doubling rounds (10 ... 640 segments, 1.84 MB),
  // the remaining 3.16 MB at 96.5 Mbit/s (0.26 s), half an RTT for the last byte: about 1.11 s.
  const IDEAL_MS = 100 + 700 + ((5e6 - 1270 * 1448) * 8) / 96.5e3 + 50;

  it('finishes within 1.5 x the ideal (it took 11.2 s with the window stuck at 64 KB)', () => {
    const g = bulk('100Mbps', 5e6, '{ profile: linux }', '49ms');
    const ms = (5e6 * 8) / (g * 1e3);
    expect(ms).toBeLessThanOrEqual(1.5 * IDEAL_MS);
  });

  it('with SO_RCVBUF-like locking (tcp.moderateRcvbuf: false) the window stays at 64 KB: about 5 Mbit/s', () => {
    const g = bulk('100Mbps', 5e6, '{ profile: linux, moderateRcvbuf: false }', '49ms');
    expect(g).toBeLessThan(5.3); // 64 KB per 100 ms = 5.2 Mbit/s at most
  });
});
