/**
 * The two app features the star scenario of issue 14 needs (bench/scenarios/star-*.yaml): a
 * client that sends and closes when the server answers nothing (`responseBytes: 0`), and
 * per-member start offsets for an app on a group (`stagger`). Packet by packet on a small star.
 */
import { describe, expect, it } from 'vitest';
import { metric, packets, runOne, traceOf, type TraceLine } from '../experiment/world-helpers.ts';
import { problems } from '../experiment/spec-helpers.ts';

/** Three clients on 5 ms links to r1, the server 1 ms behind it: RTT 12 ms. */
const STAR = `
name: star
topology:
  nodes: [{ name: client, count: 3 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 62s
tcp: { profile: linux }
`;

const spec = (client: string, server = '{ kind: server, on: server, port: 80, responseBytes: 0 }'): string =>
  `${STAR}apps:\n  sink: ${server}\n  clients: { kind: client, on: client, target: server:80, ${client} }\n`;

function states(trace: readonly TraceLine[], node: string): string[] {
  return trace
    .filter((r) => r.node === node && r.ev === 'state')
    .map((r) => `${(r.t * 1000).toFixed(3)} ${String(r['to'])}`);
}

describe('a client that expects no response (server responseBytes: 0)', () => {
  it('sends its request and closes at once: data then FIN, the server reads to EOF and closes, TIME-WAIT on the client', () => {
    const out = runOne(spec('count: 1, requestBytes: 1000, stagger: 1ms'), { trace: true });
    const trace = traceOf(out);
    // Linux tcp_close: the queued request goes first, the FIN after it (tcp_send_fin), no RST.
    expect(packets(trace, 'client1')).toEqual([
      '0.000 tx S',
      '12.011 rx S.',
      '12.011 tx .',
      '12.011 tx P.',
      '12.011 tx F.',
      '24.112 rx .',
      '24.116 rx F.',
      '24.116 tx .',
    ]);
    expect(states(trace, 'client1')).toEqual([
      '0.000 SYN_SENT',
      '12.011 ESTABLISHED',
      '12.011 FIN_WAIT_1',
      '24.116 FIN_WAIT_2',
      '24.116 TIME_WAIT',
      '60242.258 CLOSED',
    ]);
    expect(metric(out, 'connections.established')).toBe(3);
    expect(metric(out, 'request_ms.count')).toBe(3); // a request is done once written
    expect(metric(out, 'time_wait.peak_total')).toBe(3);
    expect(metric(out, 'segments.sent')).toBe(24); // 8 per connection, no retransmission
  });

  it("with closer: server the client waits for the server's FIN (the server closes once the request is in)", () => {
    const out = runOne(spec('count: 1, requestBytes: 1000, closer: server, stagger: 1ms'), { trace: true });
    const trace = traceOf(out);
    expect(states(trace, 'client1')).toEqual([
      '0.000 SYN_SENT',
      '12.011 ESTABLISHED',
      '24.116 CLOSE_WAIT',
      '24.116 LAST_ACK',
      '36.129 CLOSED',
    ]);
    expect(metric(out, 'time_wait.peak_total')).toBe(3); // on the server now
  });

  it('a server that answers keeps the old behaviour: the client closes after the response', () => {
    const out = runOne(
      spec('count: 1, requestBytes: 100', '{ kind: server, on: server, port: 80, responseBytes: 500 }'),
      { trace: true },
    );
    const tx = packets(traceOf(out), 'client1', 'tx');
    expect(tx.slice(0, 3).map((l) => l.split(' ')[2])).toEqual(['S', '.', 'P.']);
    const fin = tx.findIndex((l) => l.endsWith('F.'));
    expect(Number(tx[fin]!.split(' ')[0])).toBeGreaterThan(Number(tx[2]!.split(' ')[0]) + 11); // one RTT later at least
  });
});

describe('stagger: member i of the group starts at start + i × stagger', () => {
  it('client1 at start, client2 one stagger later, client3 two: exact, no random phase', () => {
    const trace = traceOf(runOne(spec('count: 1, start: 2s, stagger: 250us'), { trace: true }));
    const firstSyn = (node: string): string => packets(trace, node, 'tx')[0]!;
    expect(firstSyn('client1')).toBe('2000.000 tx S');
    expect(firstSyn('client2')).toBe('2000.250 tx S');
    expect(firstSyn('client3')).toBe('2000.500 tx S');
  });

  it("periodic arrivals continue from each member's own start", () => {
    const trace = traceOf(runOne(spec('rate: 1/s, count: 2, stagger: 100ms'), { trace: true }));
    expect(packets(trace, 'client3', 'tx').filter((l) => l.endsWith(' S'))).toEqual(['200.000 tx S', '1200.000 tx S']);
  });

  it('a synflood and a bulk app stagger too', () => {
    const yaml = `${STAR}apps:
  sink: { kind: server, on: server, port: 80 }
  flood: { kind: synflood, on: client, target: server:80, rate: 1/s, stop: 1s, stagger: 10ms }
`;
    const trace = traceOf(runOne(yaml, { trace: true }));
    const rxSyns = trace
      .filter((r) => r.node === 'server' && r.ev === 'rx' && r['flags'] === 'S')
      .map((r) => (r.t * 1000).toFixed(3));
    expect(rxSyns).toEqual(['6.004', '16.004', '26.004']); // 6 ms of links and 4 µs of serialization after each member's start
    const bulk = `${STAR}apps:\n  sink: { kind: server, on: server, port: 80 }\n  up: { kind: bulk, on: client, target: server:80, bytes: 1000, start: 1s, stagger: 1s }\n`;
    const bt = traceOf(runOne(bulk, { trace: true }));
    expect(['client1', 'client2', 'client3'].map((n) => packets(bt, n, 'tx')[0])).toEqual([
      '1000.000 tx S',
      '2000.000 tx S',
      '3000.000 tx S',
    ]);
  });

  it('refuses a stagger that would start the last member at or after the app stops, saying what fits', () => {
    expect(problems(spec('count: 1, stop: 1s, stagger: 500ms'))).toEqual([
      "experiments/t.yaml: apps.clients.stagger: the last of client's 3 members (client3) would start at 1s, at or after the app stops (1s); a stagger of at most 499.999999ms fits",
    ]);
    expect(problems(spec('start: 61s, stagger: 1s'))).toEqual([
      "experiments/t.yaml: apps.clients.stagger: the last of client's 3 members (client3) would start at 63s, at or after the app stops (62s); a stagger of at most 499.999999ms fits",
    ]);
    expect(problems(spec('stagger: -1ms'))[0]).toMatch(/^experiments\/t\.yaml: apps\.clients\.stagger: /);
    expect(problems(spec('stagger: often'))[0]).toMatch(
      /^experiments\/t\.yaml: apps\.clients\.stagger: expected a duration/,
    );
  });

  it('is not a key of server or script apps', () => {
    expect(problems(spec('count: 1', '{ kind: server, on: server, stagger: 1ms }'))[0]).toMatch(
      /apps\.sink\.stagger: unknown key/,
    );
  });
});
