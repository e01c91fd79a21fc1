/** The datagram ping over a real 3-hop path: exact RTTs, losses, duplicates and id wrap-around. */
import { describe, expect, it } from 'vitest';
import { Echoer, Pinger } from '../../src/net/ping.ts';
import { MS, US } from '../../src/sim/time.ts';
import { host, link, router, topology, world } from './fixtures.ts';

/** host – r1 – r2 – host, each link 100 Mbit/s with the given latencies. */
function path(latencies = [1 * MS, 5 * MS, 2 * MS], extra: Parameters<typeof link>[2] = {}, seed = 1) {
  const w = world(
    topology(
      [host('pinger'), router('r1'), router('r2'), host('echo')],
      [
        link('pinger', 'r1', { latency: latencies[0]!, ...extra }),
        link('r1', 'r2', { latency: latencies[1]! }),
        link('r2', 'echo', { latency: latencies[2]! }),
      ],
    ),
    { seed },
  );
  const a = w.net.hostByName('pinger')!;
  const b = w.net.hostByName('echo')!;
  const echo = new Echoer(b);
  b.transport = echo;
  return { ...w, a, b, echo };
}

describe('ping', () => {
  it('measures the exact round trip: serialization and propagation on every hop, both ways', () => {
    const { sim, a, b, echo } = path();
    const pinger = new Pinger(a, { target: b.address, count: 5, interval: 100 * MS, bytes: 1472 });
    a.transport = pinger;
    pinger.start();
    sim.run();
    // 20 + 8 + 1472 = 1500 B: 120 us per link, 6 links; 2 × 8 ms propagation.
    const rtt = 16 * MS + 6 * 120 * US;
    const r = pinger.result();
    expect(r).toMatchObject({ sent: 5, received: 5, lost: 0, duplicates: 0, minNs: rtt, maxNs: rtt, avgNs: rtt });
    expect(r.rttNs).toEqual([rtt, rtt, rtt, rtt, rtt]);
    expect(echo.echoed).toBe(5);
  });

  it('back-to-back pings queue: each waits for the one before on the first link', () => {
    const { sim, a, b } = path([0, 0, 0]);
    const pinger = new Pinger(a, { target: b.address, count: 3, interval: 0, bytes: 1472 });
    a.transport = pinger;
    pinger.start();
    sim.run();
    // All three leave at t=0 and pipeline through 3 store-and-forward hops; replies likewise.
    expect(pinger.result().rttNs).toEqual([6 * 120 * US, 7 * 120 * US, 8 * 120 * US]);
  });

  it('counts losses; RTT is NaN for a request without reply', () => {
    const { sim, a, b } = path(undefined, { loss: 0.3 }, 9);
    const pinger = new Pinger(a, { target: b.address, count: 1000, interval: 1 * MS });
    a.transport = pinger;
    pinger.start();
    sim.run();
    const r = pinger.result();
    expect(r.sent).toBe(1000);
    expect(r.received + r.lost).toBe(1000);
    // Both directions of the first link lose 30 %: about 1 − 0.7² = 51 % of pings fail.
    expect(r.lost).toBeGreaterThan(430);
    expect(r.lost).toBeLessThan(590);
    expect(r.rttNs.filter(Number.isNaN)).toHaveLength(r.lost);
  });

  it('matches replies across the 16-bit id wrap', () => {
    const { sim, a, b } = path([10 * US, 10 * US, 10 * US]);
    const pinger = new Pinger(a, { target: b.address, count: 70_000, interval: 100 * US, bytes: 8 });
    a.transport = pinger;
    pinger.start();
    sim.run();
    const r = pinger.result();
    expect(r.received).toBe(70_000);
    expect(r.maxNs).toBe(r.minNs);
  });

  it('starts at the given time and sends nothing for count 0', () => {
    const { sim, a, b, echo } = path();
    const none = new Pinger(a, { target: b.address, count: 0, interval: MS });
    none.start();
    const later = new Pinger(a, { target: b.address, count: 1, interval: MS, start: 5 * MS });
    a.transport = later;
    later.start();
    sim.run({ until: 5 * MS - 1 });
    expect(echo.echoed).toBe(0);
    sim.run();
    expect(none.result()).toMatchObject({ sent: 0, received: 0, minNs: Number.NaN });
    expect(later.result().sent).toBe(1);
  });
});
