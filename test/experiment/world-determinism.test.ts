/**
 * Determinism of a whole run (docs/design.md: same spec and seed, byte-identical outputs): every random
 * choice in this spec (Poisson arrivals, link loss, forged addresses and ports, ISNs, port choice)
 * comes from seeded streams, so two executions agree on every metric, sample, trace line and pcap
 * byte, and another seed does not.
 */
import { describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import { executeRun } from '../../src/experiment/run.ts';
import { metric, runOne, specRuns } from './world-helpers.ts';

const SPEC = `name: determinism
topology:
  nodes: [{ name: client, count: 4 }, attacker, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps, loss: 0.05, jitter: 1ms }
    - { between: [attacker, r1], latency: 2ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 6s
seed: 7
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 5KB }
  users: { kind: client, on: client, target: server:80, rate: 10/s, arrival: poisson, stop: 5s }
  pages: { kind: client, on: client1, target: server:80, rate: 2/s, mode: pipelined, objects: 4 }
  flood: { kind: synflood, on: attacker, target: server:80, start: 1s, stop: 3s, rate: 2000/s, arrival: poisson }
`;

function run(set: string[] = []): RunOutput {
  return runOne(SPEC, { trace: true, pcap: true, set });
}

/** Metrics, time series, samples, trace and every node's pcap bytes are the same. */
function expectSameOutputs(a: RunOutput, b: RunOutput): void {
  expect(a.metrics).toEqual(b.metrics);
  expect(a.timeseries).toEqual(b.timeseries);
  expect(a.samples).toEqual(b.samples);
  expect(a.trace).toBe(b.trace);
  expect(a.pcaps!.map((p) => p.node)).toEqual(b.pcaps!.map((p) => p.node));
  a.pcaps!.forEach((p, i) => expect(Buffer.from(p.bytes).equals(Buffer.from(b.pcaps![i]!.bytes)), p.node).toBe(true));
}

describe('a whole run', () => {
  const first = run();

  it("runs the same events when it hands back to the event loop between slices, as on the command's thread", async () => {
    const [spec] = specRuns(SPEC);
    let handBacks = 0;
    const started = performance.now();
    const sliced = await executeRun(spec!, {
      trace: true,
      pcap: true,
      handBack: async () => {
        handBacks++;
        await new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    // At least one hand-back whenever the run takes longer than the 50 ms between them.
    if (performance.now() - started > 100) expect(handBacks).toBeGreaterThan(0);
    expectSameOutputs(sliced, first);
  });

  it('is identical when run twice with the same seed: metrics, time series, samples, trace and pcap bytes', () => {
    const second = run();
    expectSameOutputs(second, first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('exercises the random parts it claims to (loss, retransmissions, cookies, pages)', () => {
    expect(metric(first, 'segments.dropped_loss')).toBeGreaterThan(0);
    expect(metric(first, 'segments.retransmitted')).toBeGreaterThan(0);
    expect(metric(first, 'syn_cookies.sent')).toBeGreaterThan(0);
    expect(metric(first, 'page_ms.count')).toBeGreaterThan(0);
    expect(first.trace!.length).toBeGreaterThan(10_000);
  });

  it('differs with another seed', () => {
    const other = run(['seed=8']);
    expect(other.trace).not.toBe(first.trace);
    expect(other.metrics['handshake_ms.mean']).not.toBe(first.metrics['handshake_ms.mean']);
  });
});
