/**
 * The server app through the whole model: requests framed by the client's request size, answers
 * written before closing, and who closes first under HTTP/1.0.
 */
import { describe, expect, it } from 'vitest';
import { metric, packets, runOne, traceOf } from '../experiment/world-helpers.ts';

const PATH = `
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 10ms, bandwidth: 100Mbps }
duration: 2s
`;

describe('server', () => {
  it("answers a request that arrives with the peer's FIN, then closes after its answer", () => {
    // A script client sends its 200-byte request and half-closes at once (HTTP/1.0 clients may).
    const out = runOne(
      `name: half-close
${PATH}
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 1000 }
  c:
    kind: script
    on: client
    steps:
      - { at: 0s, connect: "server:80" }
      - { at: 100ms, send: 200 }
      - { at: 100ms, shutdown: wr }
      - { at: 1s, close: true }
`,
      { trace: true },
    );
    const server = packets(traceOf(out), 'server', 'tx').map((l) => l.split(' ').slice(1).join(' '));
    // SYN-ACK, the ACK of request + FIN (delayed or not), then 1000 bytes, then our FIN.
    expect(server[0]).toBe('tx S.');
    const data = traceOf(out).filter((r) => r.node === 'server' && r.ev === 'tx' && (r['len'] as number) > 0);
    expect(data.map((r) => r['len'])).toEqual([1000]);
    const fin = traceOf(out).find((r) => r.node === 'server' && r.ev === 'tx' && String(r['flags']).includes('F'))!;
    expect(fin.t).toBeGreaterThanOrEqual(data[0]!.t);
    expect(metric(out, 'time_wait.peak')).toBe(1); // the client closed first: TIME-WAIT on the client
    expect(out.metrics['time_wait.peak_node']).toBe('client');
  });

  it("frames requests by the client app's size: two pipelined 300-byte requests get two 700-byte answers", () => {
    const out = runOne(
      `name: framing
${PATH}
apps:
  web:  { kind: server, on: server, port: 80, responseBytes: 700 }
  page: { kind: client, on: client, target: server:80, rate: 1/s, count: 1, objects: 2, requestBytes: 300, mode: pipelined }
`,
      { trace: true },
    );
    expect(metric(out, 'request_ms.count')).toBe(2);
    expect(metric(out, 'page_ms.count')).toBe(1);
    const sent = traceOf(out)
      .filter((r) => r.node === 'server' && r.ev === 'tx')
      .reduce((a, r) => a + (r['len'] as number), 0);
    expect(sent).toBe(1400);
  });

  it('under HTTP/1.0 server-closes sends its FIN after the response and holds the TIME-WAIT', () => {
    const out = runOne(
      `name: server-closes
${PATH}
apps:
  web:  { kind: server, on: server, port: 80, responseBytes: 1000 }
  page: { kind: client, on: client, target: server:80, rate: 1/s, count: 1, closer: server }
`,
      { trace: true },
    );
    const server = traceOf(out).filter((r) => r.node === 'server' && r.ev === 'tx' && r['flags'] !== 'S.');
    // The request is ACKed at once (quick-ACK mode, before the application reads it, as Linux),
    // the response goes out as it is written, the FIN right after it, then the ACK of the client's FIN.
    expect(server.map((r) => `${String(r['flags'])} ${String(r['len'])}`)).toEqual(['. 0', 'P. 1000', 'F. 0', '. 0']);
    const [, data, fin] = server;
    expect(fin!.t).toBe(data!.t);
    expect(out.metrics['time_wait.peak_node']).toBe('server');
    const clientStates = traceOf(out)
      .filter((r) => r.node === 'client' && r.ev === 'state')
      .map((r) => r['to']);
    expect(clientStates).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });
});
