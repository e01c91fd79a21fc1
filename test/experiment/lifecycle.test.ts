/**
 * experiments/lifecycle.yaml end to end on the whole model (network, stacks, scripts, fault
 * filters, metrics): each scenario's trace.jsonl, read as tcpdump would show the two hosts, has
 * the segments the textbook ladder shows, at the times the timers and the 40 ms RTT give.
 */
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { RunSpec } from '../../src/experiment/spec-types.ts';

const runs = (() => {
  const r = loadExperiment('experiments/lifecycle.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return new Map(r.value.runs.map((run): [string, RunSpec] => [String(run.point['scenario']), run]));
})();

interface Run {
  /** "0.000 client tx S", "0.020 server drop S filter": what the hosts sent and what filters dropped. */
  segments: string[];
  /** "0.040 client ESTABLISHED" */
  states: string[];
  metrics: Record<string, unknown>;
}

function scenario(name: string): Run {
  const out = executeRun(runs.get(name)!, { trace: true, pcap: false });
  const records = out
    .trace!.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const t = (r: Record<string, unknown>): string => (r['t'] as number).toFixed(3);
  return {
    segments: records
      .filter((r) => (r['ev'] === 'tx' || r['ev'] === 'drop') && r['node'] !== 'r1')
      .map(
        (r) =>
          `${t(r)} ${String(r['node'])} ${String(r['ev'])} ${String(r['flags'])}${r['len'] ? ` len ${String(r['len'])}` : ''}${r['ev'] === 'drop' ? ` ${String(r['reason'])}` : ''}`,
      ),
    states: records.filter((r) => r['ev'] === 'state').map((r) => `${t(r)} ${String(r['node'])} ${String(r['to'])}`),
    metrics: out.metrics,
  };
}

describe('experiments/lifecycle.yaml on the whole model', () => {
  it('normal: handshake in one RTT, the client closes first and holds TIME-WAIT for 60 s', () => {
    const r = scenario('normal');
    expect(r.segments).toEqual([
      '0.000 client tx S',
      '0.020 server tx S.',
      '0.040 client tx .',
      '0.100 client tx P. len 200',
      '0.120 server tx .',
      '0.200 server tx P. len 1000',
      '0.220 client tx .',
      '1.000 client tx F.',
      '1.060 server tx .',
      '1.500 server tx F.',
      '1.520 client tx .',
    ]);
    expect(r.states.filter((s) => s.includes('client'))).toEqual([
      '0.000 client SYN_SENT',
      '0.040 client ESTABLISHED',
      '1.000 client FIN_WAIT_1',
      '1.080 client FIN_WAIT_2',
      '1.520 client TIME_WAIT',
      '61.520 client CLOSED',
    ]);
    // 2 x 20 ms + the 60-byte SYN and SYN-ACK serialized on two 100 Mbit/s hops each (4 x 4.8 us)
    expect(r.metrics).toMatchObject({ 'connections.established': 1, 'handshake_ms.max': 40.0192, 'time_wait.peak': 1 });
  });

  it('simultaneous open: two SYNs at 0 s, each side answers the other with a SYN-ACK', () => {
    const r = scenario('simultaneous-open');
    expect(r.segments.slice(0, 6)).toEqual([
      '0.000 client tx S',
      '0.000 server tx S',
      '0.020 server tx S.',
      '0.020 client tx S.',
      '0.040 client tx .',
      '0.040 server tx .',
    ]);
    expect(r.states.slice(0, 6)).toEqual([
      '0.000 client SYN_SENT',
      '0.000 server SYN_SENT',
      '0.020 server SYN_RCVD',
      '0.020 client SYN_RCVD',
      '0.040 client ESTABLISHED',
      '0.040 server ESTABLISHED',
    ]);
  });

  it('simultaneous close: crossed FINs at 1 s, both sides CLOSING then TIME_WAIT', () => {
    const r = scenario('simultaneous-close');
    expect(r.segments.slice(-4)).toEqual([
      '1.000 client tx F.',
      '1.000 server tx F.',
      '1.020 server tx .',
      '1.020 client tx .',
    ]);
    expect(r.states.filter((s) => s.includes('CLOSING') || s.includes('TIME_WAIT'))).toEqual([
      '1.020 server CLOSING',
      '1.020 client CLOSING',
      '1.040 client TIME_WAIT',
      '1.040 server TIME_WAIT',
    ]);
  });

  it('lost SYN: dropped by the filter, retransmitted at 1 s, the handshake completes at 1 s + RTT', () => {
    const r = scenario('lost-syn');
    expect(r.segments.slice(0, 5)).toEqual([
      '0.000 client tx S',
      '0.020 server drop S filter',
      '1.000 client tx S',
      '1.020 server tx S.',
      '1.040 client tx .',
    ]);
    expect(r.metrics).toMatchObject({ 'handshake_ms.max': 1040.0192, 'segments.retransmitted': 1 });
  });

  it('lost SYN-ACK: at 1.02 s the SYN-ACK timer and the retransmitted SYN each bring a SYN-ACK', () => {
    const r = scenario('lost-synack');
    expect(r.segments.slice(0, 8)).toEqual([
      '0.000 client tx S',
      '0.020 server tx S.',
      '0.040 client drop S. filter',
      '1.000 client tx S',
      '1.020 server tx S.',
      '1.020 server tx S.',
      '1.040 client tx .',
      '1.040 client tx .',
    ]);
    expect(r.metrics).toMatchObject({ 'handshake_ms.max': 1040.0192 });
  });

  it('lost handshake ACK: the server stays in SYN_RCVD and retransmits its SYN-ACK at 1.02 s', () => {
    const r = scenario('lost-third-ack');
    expect(r.segments.slice(0, 6)).toEqual([
      '0.000 client tx S',
      '0.020 server tx S.',
      '0.040 client tx .',
      '0.060 server drop . filter',
      '1.020 server tx S.',
      '1.040 client tx .',
    ]);
    expect(r.states.filter((s) => s.includes('ESTABLISHED'))).toEqual([
      '0.040 client ESTABLISHED',
      '1.060 server ESTABLISHED',
    ]);
  });

  it('lost last ACK: the FIN is retransmitted after the RTO, the client in TIME-WAIT ACKs it again and restarts its timer', () => {
    const r = scenario('lost-last-ack');
    expect(r.segments.slice(-5)).toEqual([
      '1.500 server tx F.',
      '1.520 client tx .',
      '1.540 server drop . filter',
      '1.740 server tx F.',
      '1.760 client tx .',
    ]);
    expect(r.states.filter((s) => s.includes('CLOSED'))).toEqual(['1.780 server CLOSED', '61.760 client CLOSED']);
  });

  it('half-close: the server sends 2000 bytes after the client FIN, then closes', () => {
    const r = scenario('half-close');
    expect(r.segments.slice(5)).toEqual([
      '0.300 client tx F.',
      '0.360 server tx .',
      '0.500 server tx P. len 1000',
      '0.520 client tx .',
      '1.000 server tx P. len 1000',
      '1.020 client tx .',
      '1.500 server tx F.',
      '1.520 client tx .',
    ]);
    expect(r.states.filter((s) => s.includes('client'))).toContain('0.380 client FIN_WAIT_2');
    expect(r.states.filter((s) => s.includes('server'))).toContain('0.320 server CLOSE_WAIT');
  });

  it('keepalive: three probes 5, 7 and 9 s after the last segment, then RST and ETIMEDOUT', () => {
    const r = scenario('keepalive');
    expect(r.segments.slice(-8)).toEqual([
      '5.220 client tx .',
      '5.240 server drop . filter',
      '7.220 client tx .',
      '7.240 server drop . filter',
      '9.220 client tx .',
      '9.240 server drop . filter',
      '11.220 client tx R.',
      '11.240 server drop R. filter',
    ]);
    expect(r.metrics).toMatchObject({ 'connect_errors.ETIMEDOUT': 1, 'connections.established': 1 });
  });

  it('fast-open: the first SYN asks for a cookie and the request follows the handshake; the second carries the request, answered from SYN_RCVD one RTT sooner', () => {
    const r = scenario('fast-open');
    expect(r.segments.slice(0, 6)).toEqual([
      '0.000 client tx S',
      '0.020 server tx S.',
      '0.040 client tx P. len 200',
      '0.060 server tx .',
      '0.061 server tx P. len 1000',
      '0.121 client tx .',
    ]);
    const second = r.segments.findIndex((s) => s.startsWith('1.000 client tx S'));
    expect(r.segments.slice(second, second + 5)).toEqual([
      '1.000 client tx S len 200',
      '1.020 server tx S.',
      '1.021 server tx P. len 1000',
      '1.040 client tx .',
      '1.041 client tx .',
    ]);
    expect(r.metrics).toMatchObject({ 'tfo.requested': 1, 'tfo.accepted': 1, 'tfo.fallback': 0, 'tfo_queue.peak': 1 });
  });
});
