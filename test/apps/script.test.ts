/**
 * The script app on real stacks and the real engine, over a fixed-delay wire (20 ms one way, as
 * client -- r1 -- server with 10 ms links): the lifecycle scenarios of experiments/lifecycle.yaml
 * packet by packet, and the script's own rules (blocking-style writes, unread data on close,
 * SO_LINGER 0, options set before the socket exists, errors noted and reported).
 */
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.ts';
import type { RunSpec } from '../../src/experiment/spec-types.ts';
import { load } from '../experiment/spec-helpers.ts';
import { ScenarioWire } from './scenario-wire.ts';

function lifecycle(): Map<string, RunSpec> {
  const r = loadExperiment('experiments/lifecycle.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return new Map(r.value.runs.map((run) => [String(run.point['scenario']), run]));
}
const RUNS = lifecycle();

function scenario(name: string): ScenarioWire {
  const run = RUNS.get(name);
  if (run === undefined) throw new Error(`no scenario ${name}`);
  return new ScenarioWire(run.spec).run();
}

/** Only the packets the client sends and the drops: the sender's view of a ladder. */
function sent(w: ScenarioWire, node: string): string[] {
  return w.log.filter((l) => l.includes(` ${node} > `) || l.includes(' x '));
}

describe('lifecycle scenarios (experiments/lifecycle.yaml) on a fixed-delay wire', () => {
  it('has the scenarios the file promises, in order', () => {
    expect([...RUNS.keys()]).toEqual([
      'normal',
      'simultaneous-open',
      'simultaneous-close',
      'lost-syn',
      'lost-synack',
      'lost-third-ack',
      'lost-last-ack',
      'half-close',
      'keepalive',
      'fast-open',
    ]);
  });

  it('normal: three-way handshake, request and response, the client closes first and holds TIME-WAIT', () => {
    const w = scenario('normal');
    expect(w.log).toEqual([
      '0.000 client > S 0:0(0)',
      '0.020 server < S 0:0(0)',
      '0.020 server > S. 0:0(0) ack 1',
      '0.040 client < S. 0:0(0) ack 1',
      '0.040 client > . 1:1(0) ack 1',
      '0.060 server < . 1:1(0) ack 1',
      '0.100 client > P. 1:201(200) ack 1',
      '0.120 server < P. 1:201(200) ack 1',
      '0.120 server > . 1:1(0) ack 201',
      '0.140 client < . 1:1(0) ack 201',
      '0.200 server > P. 1:1001(1000) ack 201',
      '0.220 client < P. 1:1001(1000) ack 201',
      '0.220 client > . 201:201(0) ack 1001',
      '0.240 server < . 201:201(0) ack 1001',
      '1.000 client > F. 201:201(0) ack 1001',
      '1.020 server < F. 201:201(0) ack 1001',
      '1.060 server > . 1001:1001(0) ack 202', // delayed ACK of the FIN (40 ms)
      '1.080 client < . 1001:1001(0) ack 202',
      '1.500 server > F. 1001:1001(0) ack 202',
      '1.520 client < F. 1001:1001(0) ack 202',
      '1.520 client > . 202:202(0) ack 1002',
      '1.540 server < . 202:202(0) ack 1002',
    ]);
    expect(w.states('client')).toEqual([
      '0.000 SYN_SENT',
      '0.040 ESTABLISHED',
      '1.000 FIN_WAIT_1',
      '1.080 FIN_WAIT_2',
      '1.520 TIME_WAIT',
      '61.520 CLOSED',
    ]);
    expect(w.states('server')).toEqual([
      '0.020 SYN_RCVD',
      '0.060 ESTABLISHED',
      '1.020 CLOSE_WAIT',
      '1.500 LAST_ACK',
      '1.540 CLOSED',
    ]);
    expect(w.reports.lines).toEqual(['0.000 a attempted', '0.040 a connected 40ms']);
  });

  it('simultaneous open: crossed SYNs, SYN_SENT -> SYN_RCVD on both sides, each answers with a SYN-ACK', () => {
    const w = scenario('simultaneous-open');
    expect(w.log.slice(0, 12)).toEqual([
      '0.000 client > S 0:0(0)',
      '0.000 server > S 0:0(0)',
      '0.020 server < S 0:0(0)',
      '0.020 server > S. 0:0(0) ack 1',
      '0.020 client < S 0:0(0)',
      '0.020 client > S. 0:0(0) ack 1',
      '0.040 client < S. 0:0(0) ack 1',
      '0.040 client > . 1:1(0) ack 1',
      '0.040 server < S. 0:0(0) ack 1',
      '0.040 server > . 1:1(0) ack 1',
      '0.060 server < . 1:1(0) ack 1',
      '0.060 client < . 1:1(0) ack 1',
    ]);
    for (const node of ['client', 'server'])
      expect(w.states(node).slice(0, 3)).toEqual(['0.000 SYN_SENT', '0.020 SYN_RCVD', '0.040 ESTABLISHED']);
    expect(w.reports.lines).toEqual([
      '0.000 a attempted',
      '0.000 b attempted',
      '0.040 a connected 40ms',
      '0.040 b connected 40ms',
    ]);
  });

  it('simultaneous close: crossed FINs, FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both sides', () => {
    const w = scenario('simultaneous-close');
    expect(w.log.slice(14)).toEqual([
      '1.000 client > F. 201:201(0) ack 1001',
      '1.000 server > F. 1001:1001(0) ack 201',
      '1.020 server < F. 201:201(0) ack 1001',
      '1.020 server > . 1002:1002(0) ack 202',
      '1.020 client < F. 1001:1001(0) ack 201',
      '1.020 client > . 202:202(0) ack 1002',
      '1.040 client < . 1002:1002(0) ack 202',
      '1.040 server < . 202:202(0) ack 1002',
    ]);
    for (const node of ['client', 'server']) {
      expect(w.states(node).slice(-4)).toEqual([
        '1.000 FIN_WAIT_1',
        '1.020 CLOSING',
        '1.040 TIME_WAIT',
        '61.040 CLOSED',
      ]);
    }
  });

  it('lost SYN: dropped by the filter at 0 s, retransmitted after the 1 s initial RTO, established at 1 s + RTT', () => {
    const w = scenario('lost-syn');
    expect(w.log.slice(0, 9)).toEqual([
      '0.000 client > S 0:0(0)',
      '0.020 server < S 0:0(0)',
      '0.020 server x S dropped (filter input)',
      '1.000 client > S 0:0(0)',
      '1.020 server < S 0:0(0)',
      '1.020 server > S. 0:0(0) ack 1',
      '1.040 client < S. 0:0(0) ack 1',
      '1.040 client > . 1:1(0) ack 1',
      '1.060 server < . 1:1(0) ack 1',
    ]);
    expect(w.states('server')[0]).toBe('1.020 SYN_RCVD'); // the dropped SYN never reached the stack
    expect(w.reports.lines).toEqual(['0.000 a attempted', '1.040 a connected 1040ms']);
  });

  it('lost SYN-ACK: the SYN-ACK timer and the retransmitted SYN each bring a SYN-ACK at 1.02 s', () => {
    const w = scenario('lost-synack');
    expect(w.log.slice(0, 13)).toEqual([
      '0.000 client > S 0:0(0)',
      '0.020 server < S 0:0(0)',
      '0.020 server > S. 0:0(0) ack 1',
      '0.040 client < S. 0:0(0) ack 1',
      '0.040 client x S. dropped (filter input)',
      '1.000 client > S 0:0(0)',
      '1.020 server > S. 0:0(0) ack 1',
      '1.020 server < S 0:0(0)',
      '1.020 server > S. 0:0(0) ack 1',
      '1.040 client < S. 0:0(0) ack 1',
      '1.040 client > . 1:1(0) ack 1',
      '1.040 client < S. 0:0(0) ack 1',
      '1.040 client > . 1:1(0) ack 1',
    ]);
    expect(w.states('client').slice(0, 2)).toEqual(['0.000 SYN_SENT', '1.040 ESTABLISHED']);
  });

  it('lost handshake ACK: the client is established at once, the server retransmits its SYN-ACK after 1 s', () => {
    const w = scenario('lost-third-ack');
    expect(w.log.slice(3, 11)).toEqual([
      '0.040 client < S. 0:0(0) ack 1',
      '0.040 client > . 1:1(0) ack 1',
      '0.060 server < . 1:1(0) ack 1',
      '0.060 server x . dropped (filter input)',
      '1.020 server > S. 0:0(0) ack 1',
      '1.040 client < S. 0:0(0) ack 1',
      '1.040 client > . 1:1(0) ack 1',
      '1.060 server < . 1:1(0) ack 1',
    ]);
    expect(w.states('client').slice(0, 2)).toEqual(['0.000 SYN_SENT', '0.040 ESTABLISHED']);
    expect(w.states('server').slice(0, 2)).toEqual(['0.020 SYN_RCVD', '1.060 ESTABLISHED']);
  });

  it('lost last ACK: the server retransmits its FIN after its RTO, TIME-WAIT ACKs it again and restarts 2MSL', () => {
    const w = scenario('lost-last-ack');
    expect(w.log.slice(-9)).toEqual([
      '1.500 server > F. 1001:1001(0) ack 202',
      '1.520 client < F. 1001:1001(0) ack 202',
      '1.520 client > . 202:202(0) ack 1002',
      '1.540 server < . 202:202(0) ack 1002',
      '1.540 server x . dropped (filter input)',
      '1.740 server > F. 1001:1001(0) ack 202', // RTO = srtt 40 ms + 200 ms (Linux's rttvar floor)
      '1.760 client < F. 1001:1001(0) ack 202',
      '1.760 client > . 202:202(0) ack 1002',
      '1.780 server < . 202:202(0) ack 1002',
    ]);
    expect(w.states('client').slice(-2)).toEqual(['1.520 TIME_WAIT', '61.760 CLOSED']); // 60 s from the second ACK
    expect(w.states('server').slice(-2)).toEqual(['1.500 LAST_ACK', '1.780 CLOSED']);
  });

  it('half-close: after the client shuts down writing, the server sends 2000 bytes into CLOSE_WAIT, then closes', () => {
    const w = scenario('half-close');
    expect(w.log.slice(10)).toEqual([
      '0.300 client > F. 201:201(0) ack 1',
      '0.320 server < F. 201:201(0) ack 1',
      '0.360 server > . 1:1(0) ack 202',
      '0.380 client < . 1:1(0) ack 202',
      '0.500 server > P. 1:1001(1000) ack 202',
      '0.520 client < P. 1:1001(1000) ack 202',
      '0.520 client > . 202:202(0) ack 1001',
      '0.540 server < . 202:202(0) ack 1001',
      '1.000 server > P. 1001:2001(1000) ack 202',
      '1.020 client < P. 1001:2001(1000) ack 202',
      '1.020 client > . 202:202(0) ack 2001',
      '1.040 server < . 202:202(0) ack 2001',
      '1.500 server > F. 2001:2001(0) ack 202',
      '1.520 client < F. 2001:2001(0) ack 202',
      '1.520 client > . 202:202(0) ack 2002',
      '1.540 server < . 202:202(0) ack 2002',
    ]);
    expect(w.notes('a').slice(3)).toEqual([
      '0.300 shutdown step=2 how=wr',
      '0.520 read bytes=1000',
      '1.020 read bytes=1000',
      '1.520 eof',
      '3.000 close step=3 unread=0',
    ]);
    expect(w.states('client')).toEqual([
      '0.000 SYN_SENT',
      '0.040 ESTABLISHED',
      '0.300 FIN_WAIT_1',
      '0.380 FIN_WAIT_2',
      '1.520 TIME_WAIT',
      '61.520 CLOSED',
    ]);
  });

  it('keepalive: probes every 2 s after 5 s idle to a deaf server, then RST and ETIMEDOUT', () => {
    const w = scenario('keepalive');
    expect(sent(w, 'client').slice(-9)).toEqual([
      '0.220 client > . 201:201(0) ack 1001',
      '5.220 client > . 200:200(0) ack 1001', // a probe: snd_una - 1, no data (Linux tcp_xmit_probe_skb)
      '5.240 server x . dropped (filter input)',
      '7.220 client > . 200:200(0) ack 1001',
      '7.240 server x . dropped (filter input)',
      '9.220 client > . 200:200(0) ack 1001',
      '9.240 server x . dropped (filter input)',
      '11.220 client > R. 201:201(0) ack 1001', // Linux tcp_keepalive_timer: tcp_send_active_reset, then ETIMEDOUT
      '11.240 server x R. dropped (filter input)',
    ]);
    expect(w.notes('a').at(-1)).toBe('11.220 error errno=ETIMEDOUT');
    expect(w.reports.lines.at(-1)).toBe('11.220 a lost ETIMEDOUT');
    expect(w.states('client').at(-1)).toBe('11.220 CLOSED');
    expect(w.states('server').at(-1)).toBe('0.060 ESTABLISHED'); // it never heard of it
  });
});

const WIRE = `
topology:
  nodes: [client, { name: r1, kind: router }, server]
  links: [{ between: [client, r1], latency: 10ms, bandwidth: 1Gbps }, { between: [r1, server], latency: 10ms, bandwidth: 1Gbps }]
duration: 5s
`;

function run(yaml: string): ScenarioWire {
  return new ScenarioWire(load(WIRE + yaml).spec).run();
}

describe('script app', () => {
  it('closing with unread data sends RST (Linux tcp_close), the peer sees ECONNRESET', () => {
    const w = run(`apps:
  a: { kind: script, on: client, steps: [ {at: 0s, connect: "server:80"}, {at: 100ms, send: 300} ] }
  b: { kind: script, on: server, autoRead: false, steps: [ {at: 0s, listen: 80}, {at: 0s, accept: true}, {at: 500ms, read: 100},
       {at: 1s, close: true}, {at: 2s, send: 1} ] }
`);
    expect(w.log.slice(-2)).toEqual(['1.000 server > R. 1:1(0) ack 301', '1.020 client < R. 1:1(0) ack 301']);
    expect(w.notes('b').slice(3)).toEqual([
      '0.500 read step=2 bytes=100',
      '1.000 close step=3 unread=200',
      '2.000 send step=4 bytes=1 errno=EBADF',
    ]);
    expect(w.notes('a').at(-1)).toBe('1.020 error errno=ECONNRESET');
    expect(w.reports.lines).toEqual(['0.000 a attempted', '0.040 a connected 40ms', '1.020 a lost ECONNRESET']);
  });

  it('reports a refused connect, then SO_LINGER 0 turns close into RST', () => {
    const w = run(`apps:
  a: { kind: script, on: client, steps: [ {at: 0s, connect: "server:81"}, {at: 1s, connect: "server:80"}, {at: 1s, linger0: true}, {at: 1.5s, close: true} ] }
  b: { kind: script, on: server, steps: [ {at: 0s, listen: 80}, {at: 0s, accept: true} ] }
`);
    expect(w.log.slice(0, 4)).toEqual([
      '0.000 client > S 0:0(0)',
      '0.020 server < S 0:0(0)',
      '0.020 server > R. 0:0(0) ack 1',
      '0.040 client < R. 0:0(0) ack 1',
    ]);
    expect(w.log.slice(-2)).toEqual(['1.500 client > R. 1:1(0) ack 1', '1.520 server < R. 1:1(0) ack 1']);
    expect(w.reports.lines).toEqual([
      '0.000 a attempted',
      '0.040 a failed ECONNREFUSED',
      '1.000 a attempted',
      '1.040 a connected 40ms',
    ]);
    expect(w.notes('b').at(-1)).toBe('1.520 error errno=ECONNRESET');
  });

  it('a write larger than the send buffer blocks later send-side steps until it is all queued', () => {
    const w = run(`tcp: { sndBuf: 2000, sndBufGrowth: false }
apps:
  a: { kind: script, on: client, steps: [ {at: 0s, connect: "server:80"}, {at: 100ms, send: 10KB}, {at: 100ms, shutdown: wr}, {at: 100ms, send: 1} ] }
  b: { kind: script, on: server, steps: [ {at: 0s, listen: 80}, {at: 0s, accept: true}, {at: 3s, close: true} ] }
`);
    expect(w.notes('a').slice(2, 7)).toEqual([
      '0.100 send step=1 bytes=10000',
      '0.100 shutdown step=2 waiting=send buffer unsent=8000',
      '0.100 send step=3 waiting=send buffer unsent=8000',
      '0.300 shutdown step=2 how=wr',
      '0.300 send step=3 bytes=1 errno=EPIPE',
    ]);
    // the FIN follows the last byte: 10000 bytes then FIN
    expect(w.log.filter((l) => l.includes('client > ') && l.includes('F'))).toEqual([
      '0.300 client > FP. 8897:10001(1104) ack 1',
    ]);
    const received = w
      .notes('b')
      .filter((l) => l.includes(' read '))
      .reduce((n, l) => n + Number(/bytes=(\d+)/.exec(l)![1]), 0);
    expect(received).toBe(10_000);
  });

  it('setsockopt and linger0 before the socket exists apply to the socket connect or accept makes', () => {
    const w = run(`apps:
  a: { kind: script, on: client, steps: [ {at: 0s, connect: "server:80"} ] }
  b: { kind: script, on: server, steps: [ {at: 0s, setsockopt: {keepalive: true, keepaliveIdle: 1s, keepaliveInterval: 1s, keepaliveProbes: 1}},
       {at: 0s, linger0: true}, {at: 0s, listen: 80}, {at: 0s, accept: true} ] }
faults: [ { node: client, chain: input, from: 500ms } ]
`);
    // the accepted socket inherited keepalive from the listener: one probe 1 s after the handshake, then RST
    expect(w.log.filter((l) => l.includes('server > '))).toEqual([
      '0.020 server > S. 0:0(0) ack 1',
      '1.060 server > . 0:0(0) ack 1',
      '2.060 server > R. 1:1(0) ack 1',
    ]);
    expect(w.notes('b').at(-1)).toBe('2.060 error errno=ETIMEDOUT');
  });

  it('notes each step in the trace as ev: app with its index', () => {
    const w = run(`apps:
  a: { kind: script, on: client, steps: [ {at: 0s, connect: "server:80", localPort: 40000}, {at: 1s, close: true} ] }
  b: { kind: script, on: server, steps: [ {at: 0s, listen: 80, backlog: 5}, {at: 0s, accept: true} ] }
`);
    const rec = w.records.filter((r) => r.ev === 'app');
    expect(rec[0]).toEqual({
      t: 0,
      node: 'client',
      ev: 'app',
      app: 'a',
      what: 'connect',
      step: 0,
      target: 'server:80',
      localPort: 40000,
    });
    expect(rec.find((r) => r.what === 'listen')).toEqual({
      t: 0,
      node: 'server',
      ev: 'app',
      app: 'b',
      what: 'listen',
      step: 0,
      port: 80,
      backlog: 5,
    });
    expect(w.notes('b')).toContain('0.060 accepted peer=10.0.0.1:40000 state=ESTABLISHED');
  });
});
