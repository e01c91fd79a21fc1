/**
 * TIME-WAIT and ephemeral ports, whole model: the plateau at rate x 60 s, EADDRNOTAVAIL once a
 * (narrowed) port range is all in TIME-WAIT, TIME-WAIT on the server when it closes first, and
 * keep-alive connections reused instead of reopened.
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne, series, traceOf } from './world-helpers.ts';

const PATH = `
topology:
  nodes: [client, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
sampleInterval: 1s
`;

describe('TIME-WAIT on the side that closes first', () => {
  const out = runOne(`name: plateau
${PATH}
duration: 80s
tcp: { timers: exact }   # the nominal 60 s (on the timer wheel: docs/linux-fidelity.md)
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 1KB }
  users: { kind: client, on: client, target: server:80, rate: 10/s, closer: client }
`);

  it('ramps at the connection rate for 60 s, then holds rate x 60 s = 600 (plus or minus one)', () => {
    const tw = series(out, 'client', 'time_wait');
    expect(tw).toHaveLength(81); // samples at 0, 1, ..., 80 s
    const at = (t: number): number => tw.find(([s]) => s === t)![1];
    expect(at(0)).toBe(0);
    expect(Math.abs(at(30) - 300)).toBeLessThanOrEqual(1);
    for (const [t, v] of tw) if (t >= 61) expect(Math.abs(v - 600), `t=${t}s`).toBeLessThanOrEqual(1);
    expect(Math.abs(metric(out, 'time_wait.peak') - 600)).toBeLessThanOrEqual(1);
    expect(out.metrics['time_wait.peak_node']).toBe('client');
  });

  it('leaves none on the server, which closed second (LAST_ACK, then CLOSED)', () => {
    expect(series(out, 'server', 'time_wait').every(([, v]) => v === 0)).toBe(true);
  });
});

/** 100 ephemeral ports (40000-40099), 10 connections/s, a 20 s run. */
const NARROW = `
${PATH}
duration: 20s
tcp: { profile: linux, ephemeralLow: 40000, ephemeralHigh: 40099 }
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 1KB }
  users: { kind: client, on: client, target: server:80, rate: 10/s, stop: 19.9s }
`;

describe('ephemeral ports', () => {
  it('run out once every port toward the server is in TIME-WAIT: connect() fails with EADDRNOTAVAIL', () => {
    const out = runOne(`name: exhaust\n${NARROW}`, { set: ['apps.users.closer=client'], trace: true });
    const attempted = metric(out, 'connections.attempted');
    expect(attempted).toBe(199); // arrivals every 100 ms from a random phase in the first 100 ms, before 19.9 s
    // The first 100 connections take the 100 ports; each then sits in TIME-WAIT for 60 s, so every
    // later connect() in this run finds no port.
    expect(metric(out, 'connections.established')).toBe(100);
    expect(metric(out, 'connect_errors.EADDRNOTAVAIL')).toBe(attempted - 100);
    expect(metric(out, 'connections.failed')).toBe(attempted - 100);
    expect(metric(out, 'connections.success_ratio')).toBeCloseTo(100 / attempted, 6);
    expect(metric(out, 'time_wait.peak')).toBe(100);
    // Every port of the range was used exactly once.
    const ports = new Set(
      traceOf(out)
        .filter((r) => r.node === 'client' && r.ev === 'tx' && r['flags'] === 'S')
        .map((r) => String(r['src']).split(':')[1]),
    );
    expect(ports.size).toBe(100);
    expect([...ports].every((p) => Number(p) >= 40000 && Number(p) <= 40099)).toBe(true);
  });

  it('do not run out when the server closes first: TIME-WAIT is on the server, and a new SYN takes its four-tuple over', () => {
    const out = runOne(`name: server-closes\n${NARROW}`, { set: ['apps.users.closer=server'], trace: true });
    const attempted = metric(out, 'connections.attempted');
    expect(attempted).toBe(199);
    expect(metric(out, 'connect_errors.EADDRNOTAVAIL')).toBe(0);
    expect(metric(out, 'connections.success_ratio')).toBe(1);
    expect(out.metrics['time_wait.peak_node']).toBe('server');
    expect(series(out, 'client', 'time_wait').every(([, v]) => v === 0)).toBe(true);
    // The client's ports are free again once CLOSED, so Linux's search (even ports first for
    // connect(), odd ones left for bind()) never leaves the 50 even ports of the range.
    const trace = traceOf(out);
    const ports = new Set(
      trace
        .filter((r) => r.node === 'client' && r.ev === 'tx' && r['flags'] === 'S')
        .map((r) => Number(String(r['src']).split(':')[1])),
    );
    expect(ports.size).toBe(50);
    expect([...ports].every((p) => p % 2 === 0)).toBe(true);
    // At most one TIME-WAIT per four-tuple: 50 at once on the server.
    expect(metric(out, 'time_wait.peak')).toBe(50);
    const serverTw = trace.filter((r) => r.node === 'server' && r.ev === 'state' && r['to'] === 'TIME_WAIT');
    expect(serverTw).toHaveLength(199);
    // The other 149 connections reused a port whose four-tuple the server still held in
    // TIME-WAIT: the new SYN ended it early (RFC 9293 3.10.7.4, Linux TCP_TW_SYN).
    const ended = trace.filter((r) => r.node === 'server' && r.ev === 'state' && r['from'] === 'TIME_WAIT');
    expect(ended).toHaveLength(149);
    expect(ended.every((r) => r.t < 20)).toBe(true); // long before the 60 s timer
  });
});

describe('keep-alive', () => {
  it('reuses one open connection per client: connections.attempted = 1 per client, TIME-WAIT only after stop', () => {
    const out = runOne(`name: keepalive
topology:
  nodes: [{ name: client, count: 3 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 10s
sampleInterval: 1s
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 5/s, mode: keepalive, stop: 8s }
`);
    expect(metric(out, 'connections.attempted')).toBe(3);
    expect(metric(out, 'connections.established')).toBe(3);
    expect(metric(out, 'handshake_ms.count')).toBe(3);
    expect(metric(out, 'request_ms.count')).toBe(3 * 40); // 5/s for 8 s on each client
    // One RTT per request once connected (22 ms + serialization), the first also waits for set-up.
    expect(metric(out, 'request_ms.p50')).toBeGreaterThan(22);
    expect(metric(out, 'request_ms.p50')).toBeLessThan(23);
    const tw = series(out, 'client', 'time_wait');
    // The last page starts just before 8 s; the client closes after its answer, 22 ms later.
    expect(tw.filter(([t]) => t <= 7).every(([, v]) => v === 0)).toBe(true);
    expect(tw.at(-1)![1]).toBe(3);
  });

  it('opens more connections, up to `connections`, only while every open one is busy', () => {
    const out = runOne(`name: pool
${PATH}
duration: 10s
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 1KB }
  users: { kind: client, on: client, target: server:80, rate: 200/s, mode: keepalive, connections: 8, stop: 9s }
`);
    // 200 requests/s, each busy for one 12 ms RTT: 2.4 in flight on average, a few connections.
    const opened = metric(out, 'connections.attempted');
    expect(opened).toBeGreaterThanOrEqual(3);
    expect(opened).toBeLessThanOrEqual(8);
    expect(metric(out, 'request_ms.count')).toBe(1800);
    expect(metric(out, 'request_ms.p99')).toBeLessThan(13); // nobody waited for a free connection
  });
});
