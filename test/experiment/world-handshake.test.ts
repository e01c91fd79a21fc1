/**
 * Whole-model tests with answers from arithmetic: handshake time, request and page times for
 * the three HTTP modes, on loss-free paths where every delay is known.
 */
import { describe, expect, it } from 'vitest';
import { metric, packets, runAll, runOne, traceOf } from './world-helpers.ts';

/** Serialization time in ms of `bytes` at `bps`, rounded up to whole ns as the links do. */
const ser = (bytes: number, bps: number): number => Math.ceil((bytes * 8 * 1e9) / bps) / 1e6;

/** IPv4 20 B + TCP 20 B + Linux SYN options: MSS 4, SACK-permitted 2, timestamps 10, NOP 1, window scale 3. */
const SYN_BYTES = 60;

const DIRECT = `
name: direct
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 7ms, bandwidth: 10Mbps }
duration: 5s
apps:
  web:   { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: server:80, rate: 2/s, stop: 4s }
`;

const STAR = `
name: star
topology:
  nodes: [{ name: client, count: 3 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 10s
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 5/s, arrival: poisson, stop: 8s }
`;

describe('handshake time', () => {
  it('is 2 x latency + serialization of the SYN and the SYN-ACK, exactly, on one link', () => {
    const out = runOne(DIRECT, { trace: true });
    const expected = 2 * 7 + 2 * ser(SYN_BYTES, 10e6); // 14 ms + 2 x 48 µs
    expect(expected).toBe(14.096);
    expect(metric(out, 'handshake_ms.count')).toBe(8);
    for (const k of ['mean', 'p50', 'p99', 'max']) expect(metric(out, `handshake_ms.${k}`)).toBe(expected);
    // The first connection as the client sees it: SYN out, SYN-ACK in 14.096 ms later, ACK.
    const lines = packets(traceOf(out), 'client').slice(0, 3);
    const t0 = Number(lines[0]!.split(' ')[0]);
    expect(lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual(['tx S', 'rx S.', 'tx .']);
    expect(Number(lines[1]!.split(' ')[0]) - t0).toBeCloseTo(expected, 6);
  });

  it('adds each hop: 2 x (10 + 1) ms + the SYN and SYN-ACK on the 100 Mbit/s and the 1 Gbit/s link', () => {
    const out = runOne(STAR);
    const expected = 2 * 11 + 2 * (ser(SYN_BYTES, 100e6) + ser(SYN_BYTES, 1e9));
    expect(expected).toBeCloseTo(22.01056, 9);
    expect(metric(out, 'handshake_ms.p50')).toBe(22.01056);
    expect(metric(out, 'handshake_ms.count')).toBeGreaterThan(50);
    // Poisson arrivals on three clients rarely queue behind another client's response on the
    // shared server link, so the minimum (p50 here) is the floor and nothing is below it.
    expect(metric(out, 'handshake_ms.max')).toBeLessThan(22.5);
  });

  it('without timestamps the SYN is 52 bytes (MSS, NOP, NOP, SACK-permitted, NOP, window scale)', () => {
    const out = runOne(DIRECT, { set: ['tcp.timestamps=false'] });
    expect(metric(out, 'handshake_ms.mean')).toBe(2 * 7 + 2 * ser(52, 10e6));
  });

  it('succeeds for every connection without an attack or loss: success ratio 1, nothing failed', () => {
    const out = runOne(STAR);
    const attempted = metric(out, 'connections.attempted');
    expect(attempted).toBeGreaterThan(50);
    expect(metric(out, 'connections.established')).toBe(attempted);
    expect(metric(out, 'connections.success_ratio')).toBe(1);
    for (const k of [
      'connections.failed',
      'connections.lost',
      'connections.reset',
      'connect_errors.ETIMEDOUT',
      'connect_errors.EADDRNOTAVAIL',
    ]) {
      expect(metric(out, k)).toBe(0);
    }
    // HTTP/1.0: one request per connection, request time = set-up + one more round trip.
    expect(metric(out, 'request_ms.count')).toBe(attempted);
    expect(metric(out, 'request_ms.p50')).toBeGreaterThan(44);
  });
});

/** One client, RTT 100 ms (2 x (49 + 1) ms), small objects and TCP_NODELAY on both ends. */
const PAGE = `
name: page
topology:
  nodes: [client, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 49ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 5s
tcp: { profile: linux, nagle: false }
apps:
  web:  { kind: server, on: server, port: 80, responseBytes: 500 }
  page: { kind: client, on: client, target: server:80, rate: 1/s, count: 1, objects: 5, requestBytes: 100 }
sweep:
  http:
    http1-0: { apps.page.mode: http1.0 }
    parallel: { apps.page.mode: http1.0, apps.page.connections: 5 }
    keepalive: { apps.page.mode: keepalive }
    pipelined: { apps.page.mode: pipelined }
`;

describe('page load time for N = 5 small objects, RTT 100 ms', () => {
  const runs = runAll(PAGE);
  const by = (name: string) => runs.find((r) => r.point['http'] === name)!.out;
  const RTT = 100;
  /** Page time in RTTs, and what is left over beyond whole RTTs (serialization, a few µs per segment). */
  const pageRtts = (name: string): number => metric(by(name), 'page_ms.mean') / RTT;

  it('HTTP/1.0, one connection at a time: 2 RTT per object, 2N = 10 RTT', () => {
    expect(pageRtts('http1-0')).toBeGreaterThan(10);
    expect(pageRtts('http1-0')).toBeLessThan(10.01);
    expect(metric(by('http1-0'), 'connections.attempted')).toBe(5);
  });

  it('HTTP/1.0 with 5 parallel connections: every object at once, 2 RTT', () => {
    expect(pageRtts('parallel')).toBeGreaterThan(2);
    expect(pageRtts('parallel')).toBeLessThan(2.01);
    expect(metric(by('parallel'), 'connections.attempted')).toBe(5);
  });

  it('keep-alive reuses one connection: one RTT to connect, one per object, (N + 1) = 6 RTT', () => {
    expect(pageRtts('keepalive')).toBeGreaterThan(6);
    expect(pageRtts('keepalive')).toBeLessThan(6.01);
    expect(metric(by('keepalive'), 'connections.attempted')).toBe(1);
    expect(metric(by('keepalive'), 'request_ms.count')).toBe(5);
  });

  it('pipelining: connect, then every request at once: 2 RTT plus the transfer of 2.5 KB', () => {
    expect(pageRtts('pipelined')).toBeGreaterThan(2);
    expect(pageRtts('pipelined')).toBeLessThan(2.001);
    expect(metric(by('pipelined'), 'connections.attempted')).toBe(1);
    // The last answer arrives N - 1 responses after the first: request times spread by µs only.
    expect(metric(by('pipelined'), 'request_ms.max') - metric(by('pipelined'), 'request_ms.p50')).toBeLessThan(0.1);
  });
});
