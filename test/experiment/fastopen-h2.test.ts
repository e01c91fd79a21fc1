/**
 * HTTP/2 over TCP Fast Open: nothing in h2 stands in the way (RFC 9113 3.4 lets the client send
 * its preface before it has the server's), so with TCP_FASTOPEN_CONNECT and a cached cookie the
 * first write, preface + SETTINGS + the first request's HEADERS, goes in the SYN and the server
 * answers from SYN_RCVD. One client host, RTT 2 × (25 ms + 1 ms) = 52 ms: a warm-up connection
 * (count 1) caches the cookie, a second h2 client on the same host (count 1, 2 s later) uses it.
 */
import { describe, expect, it } from 'vitest';
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import { metric } from './world-helpers.ts';

function run(fastOpen: boolean): RunOutput {
  const r = loadExperiment('test/experiment/fixtures/h2-fastopen.yaml', {
    set: [`apps.warm.fastOpen=${fastOpen}`, `apps.visit.fastOpen=${fastOpen}`],
  });
  if (!r.ok) throw new Error(r.errors.map(formatSpecError).join('\n'));
  return executeRun(r.value.runs[0]!, { trace: false, pcap: false });
}

describe('h2 clients use TCP Fast Open', () => {
  const on = run(true);
  const off = run(false);

  it("the repeat visit's SYN carries the h2 request: accepted, one RTT sooner than without Fast Open", () => {
    expect([metric(on, 'tfo.requested'), metric(on, 'tfo.accepted'), metric(on, 'tfo.fallback')]).toEqual([1, 1, 0]);
    expect([metric(off, 'tfo.requested'), metric(off, 'tfo.accepted')]).toEqual([0, 0]);
    // two requests each: p50 is the faster (the visit), max the slower (the warm-up)
    const visit = metric(on, 'request_ms.p50');
    const warm = metric(on, 'request_ms.max');
    const plain = metric(off, 'request_ms.p50');
    expect(metric(off, 'request_ms.max')).toBe(plain);
    // measured: without Fast Open 156.081224 ms (3 RTT + serialization), the visit 104.09952 ms
    expect([plain, visit, warm]).toEqual([156.081224, 104.09952, 156.082632]);
    // one RTT saved, less the microseconds the bigger SYN (and SYN-ACK option) take on the wires
    expect(plain - visit).toBeGreaterThan(52 - 0.05);
    expect(plain - visit).toBeLessThan(52);
  });
});
