/**
 * ICMP in the emulator: a router in front of a link with a smaller MTU answers DF packets too big
 * for it with fragmentation needed and the sender's TCP shrinks its MSS (path MTU discovery end
 * to end, RFC 1191); an iptables-style REJECT rule answers with host unreachable and the client's
 * connect() fails with EHOSTUNREACH at once, as on Linux, instead of timing out.
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne, traceOf, type TraceLine } from './world-helpers.ts';

const PMTU = (mtu: string) => `
name: pmtu
topology:
  nodes: [client, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps${mtu} }
    - { between: [r1, server], latency: 5ms, bandwidth: 100Mbps }
duration: 5s
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 20KB }
  users: { kind: client, on: client, target: server:80, rate: 1/s, stop: 1s }
`;

const lens = (t: readonly TraceLine[], node: string, ev: string): number[] =>
  t
    .filter((r) => r.node === node && r.ev === ev && typeof r.flags === 'string' && (r.len as number) > 0)
    .map((r) => r.len as number);

describe('path MTU discovery through a router', () => {
  it('the server sends full-size segments, r1 answers fragmentation needed for the 1000-byte client link, then 948-byte segments fit', () => {
    const out = runOne(PMTU(', mtu: 1000'), { trace: true });
    const t = traceOf(out);
    const drops = t.filter((r) => r.ev === 'drop' && r.reason === 'mtu');
    const errors = t.filter((r) => r.icmp !== undefined && r.ev === 'rx' && r.node === 'server');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((r) => r.node === 'r1' && r.len === 1448)).toBe(true); // 1460 less the timestamps option
    expect(errors[0]).toMatchObject({
      icmp: 'unreachable frag_needed mtu 1000',
      src: r1Address(t),
      quoted: expect.stringMatching(/:80>/),
    });
    // after the first error every data segment the server sends fits the link: 1000 - 40 - 12 (timestamps)
    const sent = lens(t, 'server', 'tx');
    const firstSmall = sent.indexOf(948);
    expect(firstSmall).toBeGreaterThan(0);
    expect(sent.slice(firstSmall).every((l) => l <= 948)).toBe(true);
    // and the client got the whole response
    expect(metric(out, 'connections.success_ratio')).toBe(1);
    expect(metric(out, 'request_ms.count')).toBe(1);
  });

  it('without an MTU on the link nothing is dropped and no ICMP is sent', () => {
    const t = traceOf(runOne(PMTU(''), { trace: true }));
    expect(t.filter((r) => r.reason === 'mtu' || r.icmp !== undefined)).toEqual([]);
  });
});

function r1Address(t: readonly TraceLine[]): string {
  const first = t.find((r) => r.node === 'r1' && r.ev === 'tx' && r.icmp !== undefined);
  return String(first?.src);
}

describe('REJECT with ICMP host unreachable', () => {
  it('connect() fails with EHOSTUNREACH one round trip after the SYN, not ETIMEDOUT after 131 s', () => {
    const out = runOne(
      `
name: reject
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 10ms, bandwidth: 100Mbps }
duration: 200s
apps:
  web:   { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: server:80, rate: 1/s, stop: 1s }
faults:
  - { node: server, chain: input, flags: "S", reject: icmp-host-unreachable }
`,
      { trace: true },
    );
    expect(metric(out, 'connect_errors.EHOSTUNREACH')).toBe(1);
    expect(metric(out, 'connect_errors.ETIMEDOUT')).toBe(0);
    const t = traceOf(out);
    const syn = t.find((r) => r.node === 'client' && r.ev === 'tx' && r.flags === 'S')!;
    const err = t.find((r) => r.node === 'client' && r.ev === 'rx' && r.icmp !== undefined)!;
    expect(err.icmp).toBe('unreachable host_unreachable');
    expect(Math.round((err.t - syn.t) * 1e4) / 10).toBe(20); // ms (trace times are seconds): one round trip
    expect(t.find((r) => r.node === 'client' && r.ev === 'state' && r.to === 'CLOSED')!.t).toBe(err.t);
  });

  it('a bad reject value exits 2 naming the field', async () => {
    const { loadExperimentText } = await import('../../src/experiment/load.ts');
    const r = loadExperimentText(
      `
name: bad
topology: { nodes: [a, b], links: [{ between: [a, b], mtu: 40 }] }
duration: 1s
faults:
  - { node: b, reject: icmp-nowhere }
`,
      'experiments/bad.yaml',
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => `${e.path}`);
    expect(paths.some((p) => /links.*0.*mtu/.test(p))).toBe(true);
    expect(paths.some((p) => /faults.*0.*reject/.test(p))).toBe(true);
  });
});
