/**
 * The client app through the whole model: arrivals (count, exact periodic rate), the HTTP/1.0
 * connection limit per page, failures and what they take with them.
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne } from '../experiment/world-helpers.ts';

/** client - r1 - server, RTT 2 x (49 + 1) ms = 100 ms, small objects, TCP_NODELAY. */
const PATH = `
topology:
  nodes: [client, attacker, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 49ms, bandwidth: 1Gbps }
    - { between: [attacker, r1], latency: 1ms, bandwidth: 1Gbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 10s
tcp: { profile: linux, nagle: false }
`;

const app = (fields: string, server = '{ kind: server, on: server, port: 80, responseBytes: 500 }'): string =>
  `name: client-app\n${PATH}\napps:\n  web: ${server}\n  page: { kind: client, on: client, target: server:80, ${fields} }\n`;

describe('client arrivals', () => {
  it('starts exactly `count` pages', () => {
    expect(metric(runOne(app('rate: 10/s, count: 3')), 'connections.attempted')).toBe(3);
  });

  it('starts nothing with count 0 or rate 0', () => {
    expect(metric(runOne(app('rate: 10/s, count: 0')), 'connections.attempted')).toBe(0);
    expect(metric(runOne(app('rate: 0/s')), 'connections.attempted')).toBe(0);
  });

  it('keeps a periodic rate exact when 1/rate is not a whole number of ns: 3/s for 9 s is 27 pages', () => {
    expect(metric(runOne(app('rate: 3/s, stop: 9s')), 'connections.attempted')).toBe(27);
  });

  it('starts no page before `start` or after `stop`', () => {
    const out = runOne(app('rate: 2/s, start: 4s, stop: 6s'), { trace: true });
    const syns = out
      .trace!.split('\n')
      .filter((l) => l.includes('"node":"client"') && l.includes('"ev":"tx"') && l.includes('"flags":"S"'));
    expect(syns).toHaveLength(4);
    for (const l of syns) {
      const t = JSON.parse(l).t as number;
      expect(t).toBeGreaterThanOrEqual(4);
      expect(t).toBeLessThan(6);
    }
  });
});

describe('HTTP/1.0 pages', () => {
  it('opens at most `connections` at once: 4 objects over 2 connections take 2 rounds of 2 RTT', () => {
    const out = runOne(app('rate: 1/s, count: 1, objects: 4, connections: 2'));
    expect(metric(out, 'connections.attempted')).toBe(4);
    expect(metric(out, 'page_ms.count')).toBe(1);
    expect(metric(out, 'page_ms.mean')).toBeGreaterThan(400);
    expect(metric(out, 'page_ms.mean')).toBeLessThan(401);
  });

  it('a refused connection fails its page: ECONNREFUSED counted, no page time', () => {
    const out = runOne(app('rate: 1/s, count: 2, objects: 3', '{ kind: server, on: server, port: 8080 }'));
    expect(metric(out, 'connections.attempted')).toBe(2); // one object at a time; the first failure ends each page
    expect(metric(out, 'connect_errors.ECONNREFUSED')).toBe(2);
    expect(metric(out, 'connections.failed')).toBe(2);
    expect(metric(out, 'connections.success_ratio')).toBe(0);
    expect(out.metrics['page_ms.count']).toBeUndefined(); // page metrics appear once a page completes
  });
});

describe('pages in flight at once', () => {
  it('pages that finish out of order all complete: a lost segment holds one page up while later ones end', () => {
    // 20 pages 50 ms apart over a 100 ms RTT with 5 % loss: several in flight at once, and a page
    // whose segment is lost waits >= 1 s (the RTO) while the pages started after it complete.
    const lossy = app('rate: 20/s, count: 20').replace(
      'latency: 49ms, bandwidth: 1Gbps',
      'latency: 49ms, bandwidth: 1Gbps, loss: 0.05',
    );
    const out = runOne(lossy);
    expect(metric(out, 'connections.attempted')).toBe(20);
    expect(metric(out, 'page_ms.count')).toBe(20);
    expect(metric(out, 'page_ms.p50')).toBeLessThan(300);
    expect(metric(out, 'page_ms.max')).toBeGreaterThan(1000);
  });
});

describe('persistent connections that die', () => {
  // Recycle-oldest under 20 000 SYN/s: a half-open entry lasts 6.45 ms, less than the RTT, so
  // every connection is ESTABLISHED on the client and reset by the server on its first data.
  const flood = `{ kind: synflood, on: attacker, target: server:80, start: 0s, rate: 20000/s }`;
  const spec = (mode: string): string => `${app(`rate: 1/s, count: 4, objects: 3, mode: ${mode}`)}  flood: ${flood}\n`;

  for (const mode of ['keepalive', 'pipelined']) {
    it(`${mode}: a reset connection fails the pages it carried, and the next page opens a new one`, () => {
      const out = runOne(spec(mode), { set: ['tcp.synCookies=false', 'tcp.recycleOldest=true'] });
      expect(metric(out, 'connections.attempted')).toBe(4);
      expect(metric(out, 'connections.established')).toBe(4);
      expect(metric(out, 'connections.reset')).toBe(4);
      expect(metric(out, 'connections.success_ratio')).toBe(0);
      expect(out.metrics['page_ms.count']).toBeUndefined();
      expect(metric(out, 'request_ms.count')).toBe(0);
    });
  }
});
