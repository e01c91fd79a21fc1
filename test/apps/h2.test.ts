/**
 * Client mode h2 (src/apps/h2-*.ts) through the whole model: the page time on a clean path against
 * the analytic value, the bytes of each direction against the frame sizes of RFC 9113, every
 * stream's body whole, flow control, and the head-of-line delay of streams stalled behind one lost
 * segment of another stream.
 */
import { describe, expect, it } from 'vitest';
import { runOne, runAll, metric } from '../experiment/world-helpers.ts';
import { loadExperimentText } from '../../src/experiment/load.ts';
import { formatSpecError } from '../../src/experiment/errors.ts';

const L_MS = 20; // one-way latency of the one link
const BPS = 100e6; // 100 Mbit/s: serialization is visible (80 ns a byte)
const NS_PER_BYTE = 8e9 / BPS;
/** IPv4 (20) + TCP (20) + timestamps option padded (12): the header of every data segment. */
const HDR = 52;
const MSS = 1448;

const page = (client: string, server = '', faults = ''): string => `name: h2
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: ${L_MS}ms, bandwidth: 100Mbps }
duration: 20s
tcp: { profile: linux, nagle: false }
apps:
  web: { kind: server, on: server, port: 80${server.includes('responseBytes') ? '' : ', responseBytes: 1000'}${server} }
  page: { kind: client, on: client, target: server:80, rate: 1/s, count: 1, objects: 10, requestBytes: 50, mode: h2${client} }
${faults}`;

interface Tx {
  node: string;
  seq: number;
  len: number;
  flags: string;
  t: number;
}
function records(trace: string): Record<string, unknown>[] {
  return trace
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
/** Bytes of data one side sent (highest sequence reached, from its SYN), FIN not counted. */
function bytesSent(recs: Record<string, unknown>[], node: string): number {
  const tx = recs.filter((r) => r.ev === 'tx' && r.node === node) as unknown as Tx[];
  const isn = tx.find((r) => r.flags.includes('S'))!.seq;
  let top = 0;
  for (const r of tx) if (r.len > 0) top = Math.max(top, ((r.seq - isn - 1 + 2 ** 32) % 2 ** 32) + r.len);
  return top;
}
const streams = (recs: Record<string, unknown>[]) => recs.filter((r) => r.ev === 'app' && r.what === 'h2 stream');

describe('h2 on a clean path', () => {
  it('a page of N objects takes the handshake + 1 RTT + the transfer time, exactly', () => {
    const out = runOne(page(''), { trace: true });
    const N = 10;
    // Client: preface 24 + SETTINGS (2 settings) 21 + N HEADERS of 9 + 50: one segment.
    const request = 24 + 21 + N * (9 + 50);
    expect(request).toBeLessThanOrEqual(MSS);
    // Server, on reading it: SETTINGS ACK 9, N response HEADERS of 9 + 1, N DATA of 9 + 1000;
    // its own SETTINGS (15) went out earlier, when the handshake's ACK arrived.
    const response = 9 + N * (9 + 1) + N * (9 + 1000);
    const segments = Math.ceil(response / MSS); // 8 <= the initial window of 10
    const transfer = (HDR + request + (response + segments * HDR)) * NS_PER_BYTE; // + the handshake's ACK ahead of the request
    const ackAhead = HDR * NS_PER_BYTE;
    // The server acknowledges the request at once (Linux quick-ACK at the start), a pure ACK ahead of its answer.
    const want =
      metric(out, 'handshake_ms.mean') * 1e6 +
      ackAhead +
      (HDR + request) * NS_PER_BYTE +
      2 * L_MS * 1e6 +
      (HDR + response + segments * HDR) * NS_PER_BYTE;
    expect(transfer).toBeGreaterThan(0);
    expect(metric(out, 'page_ms.mean') * 1e6).toBeCloseTo(want, 3);
    expect(metric(out, 'hol_ms.max')).toBe(0);
    const recs = records(out.trace!);
    expect(bytesSent(recs, 'server')).toBe(15 + response);
    // + the client's SETTINGS ACK (9) and, closing, GOAWAY (9 + 8)
    expect(bytesSent(recs, 'client')).toBe(request + 9 + 17);
  });

  it('every stream gets its whole body, HEADERS first; odd stream ids 1, 3, … 19', () => {
    const out = runOne(page('', ', responseBytes: 40000, frameBytes: 5000', ''), { trace: true });
    const s = streams(records(out.trace!));
    expect(s.map((r) => r.stream)).toHaveLength(10);
    expect(new Set(s.map((r) => r.stream))).toEqual(new Set([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]));
    for (const r of s) {
      expect(r.body).toBe(40000);
      expect(r.headersFirst).toBe(true);
    }
  });

  it('interleaves DATA round robin: with equal bodies the streams end in the order they opened, one frame apart', () => {
    const out = runOne(
      page(', streamWindow: 1MB, connectionWindow: 16MB', ', responseBytes: 40000, frameBytes: 4000'),
      { trace: true },
    );
    const s = streams(records(out.trace!));
    expect(s.map((r) => r.stream)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    // Round robin: the last frames of all ten streams are the last ten frames (40 KB each in 10 turns).
    const times = s.map((r) => r.request_ms as number);
    expect(times[9]! - times[0]!).toBeLessThan((((10 * (9 + 4000) + 10 * HDR) * NS_PER_BYTE) / 1e6) * 2);
  });

  it('counts the bytes of flow control: with 64 KB windows and 100 KB bodies the client sends WINDOW_UPDATEs of 13 bytes', () => {
    const out = runOne(page('', ', responseBytes: 100000'), { trace: true });
    const recs = records(out.trace!);
    const N = 10;
    const fixed = 24 + 21 + N * (9 + 50) + 9 + 17;
    const updates = (bytesSent(recs, 'client') - fixed) / 13;
    expect(Number.isInteger(updates)).toBe(true);
    // 1 MB through a 65 535-byte connection window needs at least 1 000 000 / 65 535 updates.
    expect(updates).toBeGreaterThanOrEqual(Math.ceil((N * 100000 - 65535) / 65535));
    // DATA frames: at least 7 per body (16 384 at most each); a window that runs short cuts one more.
    const frames = (bytesSent(recs, 'server') - (15 + 9 + N * 10 + N * 100000)) / 9;
    expect(Number.isInteger(frames)).toBe(true);
    expect(frames).toBeGreaterThanOrEqual(N * Math.ceil(100000 / 16384));
    expect(metric(out, 'page_ms.count')).toBe(1);
  });

  it('honours maxConcurrentStreams: 2 streams at a time make 5 rounds of 1 RTT', () => {
    const one = metric(runOne(page('')), 'page_ms.mean');
    const limited = metric(runOne(page('', ', maxConcurrentStreams: 2')), 'page_ms.mean');
    expect(limited - one).toBeGreaterThan(4 * 2 * L_MS - 1);
    expect(limited - one).toBeLessThan(4 * 2 * L_MS + 2);
  });
});

describe('h2 under loss: head-of-line blocking', () => {
  it('one lost segment stalls the streams whose frames came whole behind it; the streams it held do not count it', () => {
    // Bodies of 3000 bytes, one DATA frame each, in stream order after the SETTINGS ACK and the ten
    // response HEADERS (9 + 10 x 10 = 109 bytes): the third data segment, bytes 2896-4344, holds the
    // end of stream 1's frame and the start of stream 3's; the frames of streams 5 to 19 arrive whole
    // behind that hole and wait for its retransmission.
    // (Full segments leave in two-segment TSO packets, the second with PSH: the third data segment
    // is the second full one without PSH.)
    const drop = `faults:\n  - { node: client, chain: input, flags: ".", len: ${MSS}, nth: 2 }\n`;
    const out = runOne(page('', ', responseBytes: 3000', drop), { trace: true });
    const recs = records(out.trace!);
    const s = streams(recs);
    expect(s).toHaveLength(10);
    const hol = new Map(s.map((r) => [r.stream as number, r.hol_ms as number]));
    expect(hol.get(1)).toBe(0);
    expect(hol.get(3)).toBe(0);
    // The retransmission comes about one RTT (40 ms) after the hole; stream 5's frame was whole
    // soon after the hole: it waited nearly that long.
    const retx = recs.find((r) => r.ev === 'rx' && r.node === 'client' && r.retx === true)!.t as number;
    const dropped = recs.find((r) => r.ev === 'drop' && r.node === 'client')!.t as number;
    expect(hol.get(5)!).toBeGreaterThan(0.9 * (retx - dropped) * 1000 - 1);
    expect(hol.get(5)!).toBeLessThanOrEqual((retx - dropped) * 1000);
    expect(hol.get(7)!).toBeGreaterThan(0.9 * (retx - dropped) * 1000 - 1);
    for (const v of hol.values()) expect(v).toBeGreaterThanOrEqual(0);
    expect(metric(out, 'hol_ms.max')).toBe(Math.max(...hol.values()));
    const clean = runOne(page('', ', responseBytes: 3000'));
    expect(metric(out, 'page_ms.mean')).toBeGreaterThan(metric(clean, 'page_ms.mean'));
  });

  it('the page completes under random loss, each body whole', () => {
    const runs = runAll(
      page('', ', responseBytes: 20000').replace('bandwidth: 100Mbps }', 'bandwidth: 100Mbps, loss: 0.05 }') +
        'seeds: 4\n',
      { trace: true },
    );
    for (const r of runs) {
      expect(metric(r.out, 'page_ms.count')).toBe(1);
      for (const st of streams(records(r.out.trace!))) expect(st.body).toBe(20000);
    }
  });
});

describe('h2 settings', () => {
  it('maxConcurrentStreams: 0 is refused, naming the field', () => {
    const r = loadExperimentText(page('', ', maxConcurrentStreams: 0'), 'h2.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatSpecError).join('\n')).toMatch(/apps\.web\.maxConcurrentStreams/);
  });

  it('frameBytes above 16 384 is refused (the client never raised SETTINGS_MAX_FRAME_SIZE)', () => {
    const r = loadExperimentText(page('', ', frameBytes: 20000'), 'h2.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatSpecError).join('\n')).toMatch(/apps\.web\.frameBytes/);
  });

  it('h2 with connections other than 1 is refused', () => {
    const r = loadExperimentText(page(', connections: 6'), 'h2.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatSpecError).join('\n')).toMatch(/apps\.page\.connections/);
  });
});
