/**
 * The cwnd time series of server apps (world.ts gauges): per server node, the mean congestion
 * window of the connections its HTTP/1.x or h2 server has open, 0 when none is. One client
 * fetches 300 kB responses over a 20 ms path: the window grows in slow start while a response
 * is sent (from the initial 10 segments), and the series is 0 before the first connection.
 */
import { describe, expect, it } from 'vitest';
import { runOne, series } from './world-helpers.ts';

function spec(mode: string): string {
  return `name: server-cwnd-${mode.replace('.', '')}
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 10ms, bandwidth: 100Mbps }
duration: 3s
sampleInterval: 10ms
tcp: { timers: exact }
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 300KB }
  users: { kind: client, on: client, target: server:80, mode: ${mode}, count: 2, rate: 1/s, arrival: periodic, start: 100ms }
`;
}

describe.each(['http1.0', 'keepalive', 'h2'])('server cwnd series (%s)', (mode) => {
  const out = runOne(spec(mode));
  const cwnd = series(out, 'server', 'cwnd');

  it('is 0 before the first connection, starts at the initial window and grows past it while responses are sent', () => {
    expect(cwnd.length).toBe(301);
    const first = cwnd.findIndex(([, v]) => v > 0);
    expect(first).toBeGreaterThan(0);
    // 10 segments of 1448 bytes (MSS 1460 less the timestamp option), as TCP_INFO reports it.
    expect(cwnd[first]![1]).toBe(10 * 1448);
    expect(Math.max(...cwnd.map(([, v]) => v))).toBeGreaterThan(4 * 10 * 1448);
  });
});
