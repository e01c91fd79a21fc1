/**
 * Issue 13 item 7: a run that would take hours says so before it starts (exit 2 without --yes);
 * the estimate is close enough to what a run really costs to be worth printing.
 */
import { describe, expect, it } from 'vitest';
import {
  describeCost,
  estimateCost,
  longestFirst,
  runCost,
  workDoneAt,
  CONFIRM_WALL_SECONDS,
} from '../../src/experiment/cost.ts';
import { buildWorld } from '../../src/experiment/world.ts';
import { SEC } from '../../src/sim/time.ts';
import { runOne, specRuns } from '../experiment/world-helpers.ts';

const SPEC = (rate: string, duration = '4s') => `name: c
topology: { generator: star, clients: 2, latency: 1ms, bandwidth: 100Mbps }
duration: ${duration}
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: ${rate}, stop: 3s }
  flood: { kind: synflood, on: client1, target: server:80, rate: 2000/s, stop: 3s }
`;

describe('cost estimate', () => {
  it('is within a factor of 2 of the events a run really takes', () => {
    const runs = specRuns(SPEC('50/s'));
    const est = estimateCost(runs, false);
    const real = Number(runOne(SPEC('50/s')).metrics['sim.events']);
    expect(est.events / real).toBeGreaterThan(0.5);
    expect(est.events / real).toBeLessThan(2);
  });

  // The shapes of the flagships: pages of many objects over each client mode, long transfers,
  // paths of one and three links. Before requests, responses and path length counted, an h2 page
  // of 50 objects of 8 KB took 32 times the estimate (keepalive 35 times, http1.0 with 10 objects 6).
  const TOPOLOGIES = {
    star: '{ generator: star, clients: 3, latency: 10ms, bandwidth: 1Gbps }',
    direct: '{ nodes: [client, server], links: [{ between: [client, server], latency: 10ms }] }',
    line: '{ nodes: [client, { name: r1, kind: router }, { name: r2, kind: router }, server], links: [{ between: [client, r1] }, { between: [r1, r2] }, { between: [r2, server] }] }',
  };
  const SHAPES: { what: string; topology: keyof typeof TOPOLOGIES; client: string; response: string }[] = [
    {
      what: 'http1.0, 10 objects of 1 KB, each on its own connection',
      topology: 'star',
      client: 'mode: http1.0, objects: 10',
      response: '1KB',
    },
    {
      what: 'keepalive over 6 connections, 50 objects of 8 KB',
      topology: 'star',
      client: 'mode: keepalive, connections: 6, objects: 50',
      response: '8KB',
    },
    {
      what: 'pipelined, 10 objects of 1 KB',
      topology: 'star',
      client: 'mode: pipelined, objects: 10',
      response: '1KB',
    },
    { what: 'h2, 50 objects of 8 KB', topology: 'star', client: 'mode: h2, objects: 50', response: '8KB' },
    {
      what: 'http1.0, one object of 20 KB, over one link',
      topology: 'direct',
      client: 'mode: http1.0',
      response: '20KB',
    },
    {
      what: 'http1.0, one object of 1 KB, over three links',
      topology: 'line',
      client: 'mode: http1.0',
      response: '1KB',
    },
  ];
  for (const { what, topology, client, response } of SHAPES) {
    it(`is within a factor of 2 of a real run: ${what}`, () => {
      const yaml = `name: shape
topology: ${TOPOLOGIES[topology]}
duration: 5s
sampleInterval: 1s
tcp: { profile: linux, nagle: false }
apps:
  web: { kind: server, on: server, port: 80, responseBytes: ${response} }
  page: { kind: client, on: client, target: server:80, rate: 1/s, count: 3, requestBytes: 200, ${client} }
`;
      const est = estimateCost(specRuns(yaml), false).events;
      const real = Number(runOne(yaml).metrics['sim.events']);
      expect(real / est, `real ${real} events, estimated ${est}`).toBeGreaterThan(0.5);
      expect(real / est, `real ${real} events, estimated ${est}`).toBeLessThan(2);
    });
  }

  it("counts a client's `count` (pages per instance), not rate × duration: 100 000 one-shot clients are cheap", () => {
    const star = `name: s
topology: { nodes: [{ name: client, count: 100000 }, { name: r1, kind: router }, server], links: [{ between: [client, r1] }, { between: [r1, server] }] }
duration: 62s
apps:
  sink: { kind: server, on: server, port: 80, responseBytes: 0 }
  clients: { kind: client, on: client, target: server:80, count: 1, stagger: 10us }
`;
    const est = estimateCost(specRuns(star), false);
    expect(est.wallSeconds).toBeLessThan(CONFIRM_WALL_SECONDS);
    expect(describeCost(est)).toMatch(/apps\.clients: 100000 connections \(count 1 each\)/);
  });

  it("puts a run's work where its connections open: the share done follows the events a run really takes", () => {
    // 200 clients, member i starting at i × 5 ms, five connections each a second apart, then a
    // minute of TIME-WAIT: the events fall in the first ~6 of 70 simulated seconds.
    const star = `name: s
topology: { nodes: [{ name: client, count: 200 }, { name: r1, kind: router }, server], links: [{ between: [client, r1], latency: 5ms }, { between: [r1, server], latency: 1ms }] }
duration: 70s
apps:
  sink: { kind: server, on: server, port: 80, responseBytes: 0 }
  clients: { kind: client, on: client, target: server:80, count: 5, rate: 1/s, stagger: 5ms, requestBytes: 1000 }
`;
    const run = specRuns(star)[0]!;
    const { spans } = runCost(run.spec, false);
    const world = buildWorld(run.spec, run.seed);
    const real: number[] = [];
    for (const t of [1, 3, 6, 70]) {
      world.sim.run({ until: t * SEC });
      real.push(world.sim.events);
    }
    const shares = [1, 3, 6].map((t, i) => ({
      t,
      real: real[i]! / real[3]!,
      estimated: workDoneAt(spans, t * SEC),
    }));
    for (const s of shares) expect(Math.abs(s.estimated - s.real), JSON.stringify(s)).toBeLessThan(0.1);
    // Simulated time alone would say 6/70 = 9 % done at 6 s; the events say nearly all.
    expect(shares[2]!.real).toBeGreaterThan(0.9);
    expect(workDoneAt(spans, 0)).toBe(0);
    expect(workDoneAt(spans, 70 * SEC)).toBe(1);
  });

  it('names what makes a huge batch huge, and passes the --yes threshold', () => {
    const est = estimateCost(specRuns(SPEC('1e9/s')), false);
    expect(est.wallSeconds).toBeGreaterThan(CONFIRM_WALL_SECONDS);
    expect(describeCost(est)).toMatch(/apps\.users: [0-9.e]+ connections \(1\.0e9\/s for 3s\)/);
  });

  it('hands runs to several threads costliest first, equal costs in batch order', () => {
    const sweep = `${SPEC('50/s')}sweep: { apps.flood.rate: [100/s, 4000/s, 1000/s] }
seeds: 2
`;
    const runs = specRuns(sweep).map((run) => ({ run }));
    expect(runs.map((t) => t.run.id)).toEqual(['p0-s1', 'p0-s2', 'p1-s1', 'p1-s2', 'p2-s1', 'p2-s2']);
    expect(longestFirst(runs).map((t) => t.run.id)).toEqual(['p1-s1', 'p1-s2', 'p2-s1', 'p2-s2', 'p0-s1', 'p0-s2']);
  });
});
