/**
 * SYN floods through the whole model: the SYN queue's largest size (listen(n) keeps n + 1, as
 * Linux), SYN cookies past it, forged sources that belong to a real host (its RST clears the
 * request), and the recycle-oldest defence failing once entries live less than an RTT.
 */
import { describe, expect, it } from 'vitest';
import { metric, packets, runOne, series, traceOf } from './world-helpers.ts';

/** A server, a client and an attacker around r1; the flood sends 500 SYNs in 0.5 s. */
const FLOOD = `
topology:
  nodes:
    - { name: client, address: 10.9.0.1 }
    - attacker
    - { name: r1, kind: router }
    - server
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps }
    - { between: [attacker, r1], latency: 2ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 2s
sampleInterval: 10ms
tcp: { profile: linux, synCookies: false }
apps:
  web:   { kind: server, on: server, port: 80 }
  flood: { kind: synflood, on: attacker, target: server:80, start: 100ms, stop: 600ms, rate: 1000/s }
`;

describe('SYN queue under a flood', () => {
  it('peaks at backlog + 1 without cookies (listen(128) keeps 129) and drops every later SYN', () => {
    const out = runOne(`name: queue\n${FLOOD}`);
    expect(metric(out, 'syn_queue.capacity')).toBe(129);
    expect(metric(out, 'syn_queue.peak')).toBe(129);
    // No request times out within 2 s (SYN-ACKs are retransmitted at 1 and 3 s), so of 500 SYNs
    // the first 129 are queued and the other 371 dropped.
    expect(metric(out, 'syn_queue.drops')).toBe(371);
    expect(metric(out, 'syn_cookies.sent')).toBe(0);
    const q = series(out, 'server', 'syn_queue');
    expect(Math.max(...q.map(([, v]) => v))).toBe(129);
    expect(q.find(([t]) => t === 0.05)![1]).toBe(0);
    expect(q.find(([t]) => t === 1.5)![1]).toBe(129);
  });

  it("follows the server's own listen() backlog: listen(16) keeps 17", () => {
    const out = runOne(`name: queue16\n${FLOOD}`, { set: ['apps.web.backlog=16'] });
    expect(metric(out, 'syn_queue.capacity')).toBe(17);
    expect(metric(out, 'syn_queue.peak')).toBe(17);
    expect(metric(out, 'syn_queue.drops')).toBe(500 - 17);
  });

  it('answers the SYNs past a full queue with cookies when they are on, storing nothing', () => {
    const out = runOne(`name: cookies\n${FLOOD}`, { set: ['tcp.synCookies=true'] });
    expect(metric(out, 'syn_queue.peak')).toBe(129);
    expect(metric(out, 'syn_queue.drops')).toBe(0);
    expect(metric(out, 'syn_cookies.sent')).toBe(371);
    expect(metric(out, 'syn_cookies.accepted')).toBe(0); // forged sources never answer
  });

  it("forged sources that belong to a real host get that host's RST, which clears each request", () => {
    // Every SYN claims to come from the client (10.9.0.1/32): the SYN-ACKs reach it, it has no
    // such connection and answers <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.1), the server drops
    // the half-open request, and the queue never holds more than the ones in flight.
    const out = runOne(`name: real-source\n${FLOOD}`, {
      set: ['apps.flood.spoof=10.9.0.1/32', 'apps.flood.rate=20/s'],
      trace: true,
    });
    const trace = traceOf(out);
    const client = packets(trace, 'client').map((l) => l.split(' ').slice(1).join(' '));
    expect(client).toEqual(Array.from({ length: 10 }, () => ['rx S.', 'tx R']).flat());
    const rsts = trace.filter((r) => r.node === 'server' && r.ev === 'rx' && r['flags'] === 'R');
    expect(rsts).toHaveLength(10);
    const cleared = trace.filter(
      (r) => r.node === 'server' && r.ev === 'state' && r['from'] === 'SYN_RCVD' && r['to'] === 'CLOSED',
    );
    expect(cleared).toHaveLength(10);
    expect(metric(out, 'syn_queue.peak')).toBe(1); // one SYN every 50 ms, each cleared 22 ms later
    // The RST's sequence number is the SYN-ACK's acknowledgment number (the forged SYN's ISN + 1).
    const synAck = trace.find((r) => r.node === 'client' && r.ev === 'rx')!;
    const rst = trace.find((r) => r.node === 'client' && r.ev === 'tx')!;
    expect(rst['seq']).toBe(synAck['ack']);
    expect(rst['dst']).toBe(synAck['src']);
  });
});

describe('RFC 4987 recycle-oldest under a fast flood', () => {
  const SPEC = `name: recycle
topology:
  nodes: [{ name: client, count: 5 }, attacker, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps }
    - { between: [attacker, r1], latency: 2ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 4s
tcp: { profile: linux, synCookies: false, recycleOldest: true }
apps:
  web:   { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: server:80, rate: 5/s, start: 1s, stop: 3s }
  flood: { kind: synflood, on: attacker, target: server:80, start: 500ms, stop: 3500ms, rate: 20000/s }
`;

  it("evicts a client's request (129 SYNs at 20 000/s = 6.45 ms) before its ACK returns one RTT later: established, then reset", () => {
    const out = runOne(SPEC);
    const attempted = metric(out, 'connections.attempted');
    expect(attempted).toBe(50);
    // The client completes its handshake (the SYN-ACK did arrive) ...
    expect(metric(out, 'connections.established')).toBe(attempted);
    // ... but its ACK and request find no entry and draw a RST: no connection served anyone.
    expect(metric(out, 'connections.reset')).toBe(attempted);
    expect(metric(out, 'connect_errors.ECONNRESET')).toBe(attempted);
    expect(metric(out, 'connections.success_ratio')).toBe(0);
    expect(metric(out, 'request_ms.count')).toBe(0);
  });

  it('serves every client at 1000 SYN/s, where an entry outlives the RTT (129 ms > 22 ms)', () => {
    const out = runOne(SPEC, { set: ['apps.flood.rate=1000/s'] });
    expect(metric(out, 'connections.success_ratio')).toBe(1);
    expect(metric(out, 'connections.reset')).toBe(0);
    expect(metric(out, 'syn_queue.peak')).toBe(129);
  });
});
