/**
 * The random parts of a link: jitter bounds and ordering, Bernoulli loss within its binomial
 * confidence interval, Gilbert–Elliott burst loss near its stationary rate, and the named RNG
 * streams (adding a link elsewhere leaves a link's losses unchanged).
 */
import { describe, expect, it } from 'vitest';
import { LossModel } from '../../src/net/loss.ts';
import { MS, US } from '../../src/sim/time.ts';
import { Sender, Sink, host, link, router, topology, udp, world } from './fixtures.ts';
import type { LinkDef } from '../../src/net/topology-def.ts';
import type { Packet } from '../../src/wire/segment.ts';

/** Sends n 100-byte datagrams a→b, one every `interval`; returns sends and arrivals by id. */
function blast(extra: Partial<LinkDef>, n: number, interval: number, seed = 1) {
  const w = world(topology([host('a'), host('b')], [link('a', 'b', { bandwidth: 1e9, ...extra })]), { seed });
  const a = w.net.hostByName('a')!;
  const b = w.net.hostByName('b')!;
  const sink = new Sink(w.sim);
  b.transport = sink;
  const indexOf = new Map<Packet, number>();
  const make = (i: number): Packet => {
    const p = udp(a.address, b.address, 80, i & 0xffff);
    indexOf.set(p, i);
    return p;
  };
  new Sender((p) => a.send(p), make, n, interval).start(w.sim);
  w.sim.run();
  return { ...w, sink, dir: w.net.links[0]!.ab, index: (p: Packet) => indexOf.get(p)! };
}

describe('jitter', () => {
  it('delays each packet by a uniform amount in [0, jitter], without reordering', () => {
    const jitter = 1 * MS;
    const interval = 100 * US; // far below the jitter: reordering would be common if allowed
    const { sink, index } = blast({ jitter, latency: 10 * MS }, 10_000, interval);
    expect(sink.got).toHaveLength(10_000);
    let prev = -1;
    for (const g of sink.got) {
      const i = index(g.packet);
      expect(i).toBe(prev + 1); // arrival order = send order
      prev = i;
      const sent = i * interval;
      const ser = 800; // 100 bytes at 1 Gbit/s
      const extra = g.t - (sent + ser + 10 * MS);
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(extra).toBeLessThanOrEqual(jitter);
    }
  });

  it('draws the whole range: widely spaced packets see delays spread over [0, jitter] with mean jitter/2', () => {
    const jitter = 1 * MS;
    const { sink, index } = blast({ jitter, latency: 0 }, 5000, 2 * MS);
    const extras = sink.got.map((g) => g.t - index(g.packet) * 2 * MS - 800);
    const mean = extras.reduce((s, x) => s + x, 0) / extras.length;
    expect(Math.min(...extras)).toBeLessThan(0.01 * jitter);
    expect(Math.max(...extras)).toBeGreaterThan(0.99 * jitter);
    // Uniform on [0, 1 ms]: sd 289 us, standard error of the mean over 5000 is 4.1 us.
    expect(Math.abs(mean - jitter / 2)).toBeLessThan(20 * US);
  });

  it('with reorder: true a packet may overtake the one before it, still within bounds', () => {
    const jitter = 1 * MS;
    const interval = 100 * US;
    const { sink, index } = blast({ jitter, latency: 10 * MS, reorder: true }, 2000, interval);
    expect(sink.got).toHaveLength(2000);
    let inversions = 0;
    for (let k = 1; k < sink.got.length; k++)
      if (index(sink.got[k]!.packet) < index(sink.got[k - 1]!.packet)) inversions++;
    expect(inversions).toBeGreaterThan(100);
    for (const g of sink.got) {
      const i = index(g.packet);
      const extra = g.t - (i * interval + 800 + 10 * MS);
      expect(extra >= 0 && extra <= jitter).toBe(true);
    }
  });
});

describe('Bernoulli loss', () => {
  it('loses a fraction within the binomial 99.9 % interval over 10^5 packets', () => {
    const n = 100_000;
    const p = 0.01;
    const { sink, dir, net } = blast({ loss: p, latency: 1 * MS }, n, 10 * US, 7);
    const lost = n - sink.got.length;
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(lost - n * p)).toBeLessThan(3.29 * sd); // two-sided z for 99.9 %
    expect(dir.droppedLoss).toBe(lost);
    expect(net.counters.droppedLoss).toBe(lost);
    expect(net.counters.delivered).toBe(sink.got.length);
  });

  it('loss 0 and loss 1', () => {
    expect(blast({ loss: 0 }, 1000, 10 * US).sink.got).toHaveLength(1000);
    expect(blast({ loss: 1 }, 1000, 10 * US).sink.got).toHaveLength(0);
  });
});

describe('Gilbert–Elliott loss', () => {
  const ge = { pGoodToBad: 0.01, pBadToGood: 0.1, lossGood: 0.001, lossBad: 0.5 };
  const stationary = LossModel.stationaryLoss(0, ge); // πB = 1/11: 0.999·0.001·… ≈ 4.64 %

  it('stationary loss formula', () => {
    const piBad = 0.01 / 0.11;
    expect(stationary).toBeCloseTo((1 - piBad) * 0.001 + piBad * 0.5, 12);
  });

  it('averages close to its stationary loss and loses in bursts', () => {
    const n = 200_000;
    const { sink, index } = blast({ burstLoss: ge }, n, 5 * US, 3);
    const arrived = new Uint8Array(n);
    for (const g of sink.got) arrived[index(g.packet)] = 1;
    const lost = n - sink.got.length;
    expect(Math.abs(lost / n - stationary) / stationary).toBeLessThan(0.1);
    // Bursts: after a loss, the next packet is lost far more often than on average
    // (in the bad state: 0.5 · 0.9 ≈ 0.45 vs 0.046).
    let afterLoss = 0,
      bothLost = 0;
    for (let i = 1; i < n; i++) {
      if (!arrived[i - 1]) {
        afterLoss++;
        if (!arrived[i]) bothLost++;
      }
    }
    expect(bothLost / afterLoss).toBeGreaterThan(0.3);
  });

  it('Bernoulli and burst loss combine', () => {
    const n = 100_000;
    const { sink } = blast({ burstLoss: ge, loss: 0.02 }, n, 5 * US, 5);
    const expected = LossModel.stationaryLoss(0.02, ge);
    expect(Math.abs((n - sink.got.length) / n - expected) / expected).toBeLessThan(0.1);
  });
});

describe('named RNG streams', () => {
  /** Which of 2000 datagrams client1 → server are lost, in a star with `clients` clients. */
  function lostOnClient1(clients: number, extraLink: boolean): number[] {
    const nodes = [router('r1'), host('server')];
    const links = [link('r1', 'server', { loss: 0.05, jitter: 100 * US })];
    for (let i = 1; i <= clients; i++) {
      nodes.push(host(`client${i}`, { group: 'client' }));
      links.push(link(`client${i}`, 'r1', { loss: 0.05, jitter: 100 * US }));
    }
    if (extraLink) {
      nodes.push(host('attacker'));
      links.unshift(link('attacker', 'r1', { loss: 0.3 }));
    }
    const w = world(topology(nodes, links), { seed: 11 });
    const c1 = w.net.hostByName('client1')!;
    const server = w.net.hostByName('server')!;
    const sink = new Sink(w.sim);
    server.transport = sink;
    for (let i = 2; i <= clients; i++) {
      const c = w.net.hostByName(`client${i}`)!;
      new Sender(
        (p) => c.send(p),
        () => udp(c.address, server.address, 100),
        2000,
        300 * US,
      ).start(w.sim);
    }
    new Sender(
      (p) => c1.send(p),
      (i) => udp(c1.address, server.address, 100, i),
      2000,
      1 * MS,
    ).start(w.sim);
    w.sim.run();
    const got = new Set(sink.got.filter((g) => g.packet.src === c1.address).map((g) => g.packet.id));
    return Array.from({ length: 2000 }, (_, i) => i).filter((i) => !got.has(i));
  }

  it('adding nodes and links elsewhere does not change which packets a link loses', () => {
    const base = lostOnClient1(2, false);
    expect(base.length).toBeGreaterThan(100);
    // An idle attacker with a lossy link, listed first: every link's index and every node's
    // position shift, but streams are named after their endpoints, so client1's losses stay.
    expect(lostOnClient1(2, true)).toEqual(base);
  });

  it('a different seed loses different packets', () => {
    const w1 = blast({ loss: 0.1 }, 1000, 10 * US, 1);
    const w2 = blast({ loss: 0.1 }, 1000, 10 * US, 2);
    const ids = (w: typeof w1) => w.sink.got.map((g) => w.index(g.packet));
    expect(ids(w1)).not.toEqual(ids(w2));
  });
});
