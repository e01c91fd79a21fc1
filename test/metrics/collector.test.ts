import { describe, expect, it } from 'vitest';
import { MetricsCollector, type FinishInputs } from '../../src/metrics/collector.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { Tracer } from '../../src/sim/trace.ts';
import type { ListenerSnapshot, StackStats } from '../../src/stack/socket-api.ts';

const NO_NET = { sent: 0, droppedLoss: 0, droppedQueue: 0, droppedNoRoute: 0 };
const NO_TIME_WAIT = { byNode: new Map<string, number>(), total: 0 };
const inputs = (over: Partial<FinishInputs> = {}): FinishInputs => ({
  stacks: [],
  timeWait: NO_TIME_WAIT,
  listeners: [],
  network: NO_NET,
  events: 0,
  simTime: 10 * SEC,
  ...over,
});

describe('MetricsCollector', () => {
  it('counts only the apps it is told to (clients, not the attacker)', () => {
    const c = new MetricsCollector(new Tracer(), new Set(['users']));
    c.connectAttempted('users', 'client1');
    c.connectAttempted('flood', 'attacker');
    c.connected('users', 'client1', 22 * MS);
    c.connected('flood', 'attacker', 5 * MS);
    const m = c.finish(inputs());
    expect(m['connections.attempted']).toBe(1);
    expect(m['connections.established']).toBe(1);
    expect(m['handshake_ms.count']).toBe(1);
    expect(m['handshake_ms.max']).toBe(22);
  });

  it('success ratio: established and not lost afterwards, over attempted; still-open attempts count as not successful', () => {
    const c = new MetricsCollector(new Tracer(), new Set(['users']));
    for (let i = 0; i < 10; i++) c.connectAttempted('users', 'c');
    for (let i = 0; i < 6; i++) c.connected('users', 'c', 22 * MS);
    c.connectFailed('users', 'c', 'ETIMEDOUT');
    c.connectFailed('users', 'c', 'EADDRNOTAVAIL');
    c.connectionLost('users', 'c', 'ECONNRESET'); // established, then a RST
    c.connectionLost('users', 'c', 'ETIMEDOUT'); // established, then retransmissions gave up
    // 10 attempted: 6 established (2 of them lost later), 2 failed, 2 still opening at the end.
    const m = c.finish(inputs());
    expect(m).toMatchObject({
      'connections.attempted': 10,
      'connections.established': 6,
      'connections.failed': 2,
      'connections.reset': 1,
      'connections.lost': 2,
      'connections.success_ratio': 0.4,
      'connect_errors.ETIMEDOUT': 2,
      'connect_errors.EADDRNOTAVAIL': 1,
      'connect_errors.ECONNRESET': 1,
      'connect_errors.ECONNREFUSED': 0,
    });
  });

  it('has no success ratio when nothing was attempted', () => {
    const m = new MetricsCollector(new Tracer(), new Set()).finish(inputs());
    expect(m['connections.success_ratio']).toBeNull();
    expect(m['handshake_ms.count']).toBe(0);
    expect(m['handshake_ms.mean']).toBeNull();
    expect(m['page_ms.count']).toBeUndefined(); // page and bulk metrics only when there were pages or transfers
  });

  it('reports TIME-WAIT as the stacks counted it: the most at once on one node, where, and over all nodes', () => {
    const c = new MetricsCollector(new Tracer(), new Set());
    const byNode = new Map([
      ['client2', 3],
      ['client1', 2],
      ['server', 0],
    ]);
    const m = c.finish(inputs({ timeWait: { byNode, total: 5 } }));
    expect(m['time_wait.peak']).toBe(3);
    expect(m['time_wait.peak_node']).toBe('client2');
    expect(m['time_wait.peak_total']).toBe(5);
    // ties go to the first node by name; no TIME-WAIT anywhere names no node
    expect(
      c.finish(
        inputs({
          timeWait: {
            byNode: new Map([
              ['b', 4],
              ['a', 4],
            ]),
            total: 8,
          },
        }),
      )['time_wait.peak_node'],
    ).toBe('a');
    expect(c.finish(inputs())['time_wait.peak_node']).toBe('');
  });

  it('reduces listener and stack counters: capacities and peaks as maxima, drops and segments as sums', () => {
    const listener = (o: Partial<ListenerSnapshot>): ListenerSnapshot => ({
      synQueue: 0,
      synQueueCapacity: 129,
      synQueuePeak: 0,
      synQueueDrops: 0,
      acceptQueue: 0,
      acceptQueueCapacity: 129,
      acceptQueuePeak: 0,
      acceptQueueDrops: 0,
      cookiesSent: 0,
      cookiesAccepted: 0,
      ...o,
    });
    const stack = (o: Partial<StackStats>): StackStats => ({
      segmentsSent: 0,
      segmentsRetransmitted: 0,
      established: 0,
      timeWait: 0,
      timeWaitPeak: 0,
      ...o,
    });
    const m = new MetricsCollector(new Tracer(), new Set()).finish(
      inputs({
        listeners: [
          listener({ synQueuePeak: 129, synQueueDrops: 10, cookiesSent: 3 }),
          listener({ synQueueCapacity: 1025, synQueuePeak: 40, synQueueDrops: 5, cookiesSent: 4 }),
        ],
        stacks: [
          stack({ segmentsSent: 100, segmentsRetransmitted: 2 }),
          stack({ segmentsSent: 50, segmentsRetransmitted: 1 }),
        ],
        network: { sent: 150, droppedLoss: 3, droppedQueue: 1, droppedNoRoute: 9 },
        events: 1234,
        simTime: 2.5 * SEC,
      }),
    );
    expect(m).toMatchObject({
      'syn_queue.capacity': 1025,
      'syn_queue.peak': 129,
      'syn_queue.drops': 15,
      'syn_cookies.sent': 7,
      'segments.sent': 150,
      'segments.retransmitted': 3,
      'segments.dropped_loss': 3,
      'segments.dropped_queue': 1,
      'sim.events': 1234,
      'sim.sim_s': 2.5,
    });
  });

  it('summarizes request, page and bulk times in ms, bulk goodput in Mbit/s', () => {
    const c = new MetricsCollector(new Tracer(), new Set(['b', 'p']));
    c.requestCompleted('p', 'c', 44 * MS);
    c.pageCompleted('p', 'c', 220 * MS);
    c.bulkCompleted('b', 'c', 1_000_000, 2 * SEC); // 8 Mbit in 2 s
    const m = c.finish(inputs());
    expect(m).toMatchObject({
      'request_ms.p50': 44,
      'page_ms.count': 1,
      'page_ms.max': 220,
      'bulk_ms.mean': 2000,
      'bulk_goodput_mbps.mean': 4,
    });
  });
});
