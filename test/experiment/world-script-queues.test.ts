/**
 * Listeners a `script` app opens (a listen step, mid-run) count like a server app's: in the
 * syn_queue.* / accept_queue.* metrics and in the syn_queue / accept_queue time series of their node.
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne, series } from './world-helpers.ts';

const SPEC = `
name: script-queues
topology:
  nodes: [client, server]
  links: [{ between: [client, server], latency: 10ms, bandwidth: 100Mbps }]
duration: 2s
seed: 1
apps:
  srv:                       # listens at 0.5 s, never accepts: the connection waits in the accept queue
    kind: script
    on: server
    steps: [ { at: 500ms, listen: 80, backlog: 4 } ]
  cli:
    kind: script
    on: client
    steps: [ { at: 1s, connect: "server:80" } ]
`;

describe('listeners opened by script apps', () => {
  it('count in the queue metrics and time series', () => {
    const out = runOne(SPEC);
    expect(metric(out, 'syn_queue.capacity')).toBe(5); // listen(4): Linux tests len > backlog
    expect(metric(out, 'accept_queue.capacity')).toBe(5);
    expect(metric(out, 'accept_queue.peak')).toBe(1);
    const aq = series(out, 'server', 'accept_queue');
    expect(aq.length).toBeGreaterThan(0);
    // zero before the listen step and before the handshake completes (1.02 s), one after
    expect(aq.filter(([t]) => t <= 1).every(([, v]) => v === 0)).toBe(true);
    expect(aq.filter(([t]) => t >= 1.1).every(([, v]) => v === 1)).toBe(true);
    expect(series(out, 'server', 'syn_queue').length).toBe(aq.length);
  });
});
