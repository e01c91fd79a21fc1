/**
 * TCP Fast Open through the experiment path (experiments/handshake.yaml's `tfo` axis): the
 * client app's `fastOpen`, the server app's `fastOpenQueue`, the tfo.* metrics and the trace's
 * `tfo` marks, run by the real executeRun over the star topology.
 *
 * Exact times, no loss. A segment of B bytes from client to server (or back, alone) takes
 * latency + 1 ms + B × 88 ns (80 ns/B on the 100 Mbit/s client link, 8 ns/B on the 1 Gbit/s
 * server link, store and forward at r1). The response is 2000 B: segments of 1448 and 552 data
 * bytes, 1500 and 604 B on the wire (20 IP + 20 TCP + 12 timestamps).
 *   first visit:  SYN with a cookie request, 64 B; SYN-ACK with an 8-byte cookie, 72 B; the
 *                 handshake ACK (52 B) and the request (252 B) back to back; the server's ACK
 *                 (52 B) and the two response segments back to back:
 *                 4 × (L + 1 ms) + 88·64 + 88·72 + (80·304 + 8·252) + (8·1552 + 80·2104) ns
 *                 = 4 (L + 1 ms) + 219 040 ns
 *   repeat visit: SYN with the cookie and the request, 60 + 12 + 200 = 272 B; the SYN-ACK (60 B)
 *                 and the response back to back, sent from SYN_RCVD:
 *                 2 × (L + 1 ms) + 88·272 + (8·1560 + 80·2104) ns = 2 (L + 1 ms) + 204 736 ns
 * So the repeat visit is one round trip, 2 (L + 1 ms), faster, less 14 304 ns of serialization,
 * at every latency.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import type { RunOutput } from '../../src/experiment/run-output.ts';
import { executeRun } from '../../src/experiment/run.ts';
import type { PointValues } from '../../src/schema/results.ts';
import { ladderModel, listConnections } from '../../src/report/ladder-model.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';
import { metric, traceOf } from './world-helpers.ts';
import * as N from '../readme-numbers.ts';
import { hasTshark } from '../tshark.ts';

const SET = ['sweep.topology.latency=[25ms, 50ms]', 'sweep.topology.loss=[0]', 'seeds=1', 'duration=11s', 'charts='];

function runs(trace: boolean, set: readonly string[] = SET, pcap = false): { point: PointValues; out: RunOutput }[] {
  const r = loadExperiment('experiments/handshake.yaml', { set: [...set] });
  if (!r.ok) throw new Error(r.errors.map(formatSpecError).join('\n'));
  return r.value.runs.map((run) => ({ point: run.point, out: executeRun(run, { trace, pcap }) }));
}

const tshark = hasTshark;

const ns = (ms: number): number => Math.round(ms * 1e6);

describe('TCP Fast Open in the handshake experiment', () => {
  const all = runs(true);
  const at = (latency: string, tfo: string): RunOutput => {
    const hit = all.find((r) => r.point['topology.latency'] === latency && r.point['tfo'] === tfo);
    if (!hit) throw new Error(`no run at ${latency} ${tfo}`);
    return hit.out;
  };

  it('a repeat visit gets its answer one RTT sooner than a first visit (less 14.304 µs of serialization), at every latency', () => {
    for (const [latency, l] of [
      ['25ms', 25],
      ['50ms', 50],
    ] as const) {
      const rtt = 2 * (l + 1) * 1e6;
      const first = ns(metric(at(latency, 'first-visit'), 'request_ms.p50'));
      const repeat = ns(metric(at(latency, 'repeat-visit'), 'request_ms.p50'));
      expect(first).toBe(2 * rtt + 219_040);
      expect(repeat).toBe(rtt + 204_736);
      expect(first - repeat).toBe(rtt + 14_304);
      if (latency === '25ms')
        expect([first / 1e6, repeat / 1e6, (first - repeat - rtt) / 1e3]).toEqual([
          N.TFO_FIRST_MS,
          N.TFO_REPEAT_MS,
          N.TFO_SERIALIZATION_US,
        ]);
      // without Fast Open the request also takes two round trips (no option bytes: 1408 ns less)
      expect(ns(metric(at(latency, 'off'), 'request_ms.p50'))).toBe(2 * rtt + 217_632);
    }
  });

  it('counts cookie requests, accepted SYN data and fallbacks', () => {
    const off = at('25ms', 'off');
    const first = at('25ms', 'first-visit');
    const repeat = at('25ms', 'repeat-visit');
    expect([
      metric(off, 'tfo.requested'),
      metric(off, 'tfo.accepted'),
      metric(off, 'tfo.fallback'),
      metric(off, 'tfo_queue.capacity'),
    ]).toEqual([0, 0, 0, 0]);
    // every first visit asks for a cookie; none sends data in its SYN
    expect(metric(first, 'tfo.requested')).toBe(metric(first, 'connections.attempted'));
    expect(metric(first, 'tfo.accepted')).toBe(0);
    // repeat visits: a client's connections that start before its first cookie arrived ask too
    const attempted = metric(repeat, 'connections.attempted');
    expect(metric(repeat, 'tfo.requested')).toBeGreaterThanOrEqual(20); // 20 client hosts
    expect(metric(repeat, 'tfo.requested') + metric(repeat, 'tfo.accepted')).toBe(attempted);
    expect(metric(repeat, 'tfo.fallback')).toBe(0);
    expect(metric(repeat, 'tfo_queue.capacity')).toBe(64);
    expect(metric(repeat, 'tfo_queue.peak')).toBeGreaterThan(0);
    expect(metric(repeat, 'tfo_queue.drops')).toBe(0);
  });

  it('marks Fast Open segments in the trace and in ladder labels', () => {
    const first = traceOf(at('25ms', 'first-visit'));
    const syn = first.find((r) => r.ev === 'tx' && r['flags'] === 'S');
    expect(syn?.['tfo']).toBe('request');
    const synAck = first.find((r) => r.ev === 'tx' && r['flags'] === 'S.');
    expect(synAck?.['tfo']).toBe('cookie');
    const repeat = traceOf(at('25ms', 'repeat-visit'));
    const dataSyn = repeat.find((r) => r.ev === 'tx' && r['flags'] === 'S' && r['len'] === 200);
    expect(dataSyn?.['tfo']).toBe('cookie');
    // plain segments carry no mark
    expect(repeat.filter((r) => r.ev === 'tx' && r['flags'] === '.').every((r) => r['tfo'] === undefined)).toBe(true);

    const recs = repeat as unknown as TraceEvent[];
    const conn = listConnections(recs).find((c) => ladderModel(recs, c).messages[0]!.len === 200)!;
    const labels = ladderModel(recs, conn).messages.map((m) => m.label);
    expect(labels[0]).toBe('SYN seq=0 len=200 (Fast Open: data + cookie)');
    expect(labels[1]).toBe('SYN+ACK seq=0 ack=201');
    const firstRecs = first as unknown as TraceEvent[];
    const firstLabels = ladderModel(firstRecs, listConnections(firstRecs)[0]!).messages.map((m) => m.label);
    expect(firstLabels.slice(0, 2)).toEqual([
      'SYN seq=0 (Fast Open: cookie request)',
      'SYN+ACK seq=0 ack=1 (Fast Open: cookie)',
    ]);
  });
});

describe('TCP Fast Open in the pcap', () => {
  it.runIf(tshark)(
    `tshark decodes the option in a repeat visit's capture: a cookie request, then SYN data with the cookie${tshark ? '' : ' (skipped: tshark not installed)'}`,
    () => {
      const [run] = runs(
        false,
        [
          'sweep={topology.latency: [25ms], tfo: {repeat-visit: {tcp.fastOpen: 3, apps.web.fastOpenQueue: 64, apps.users.fastOpen: true}}}',
          'seeds=1',
          'topology.clients=1',
          'apps.users.count=2',
          'apps.users.arrival=periodic',
          'apps.users.rate=1/s',
          'charts=',
        ],
        true,
      );
      const client = run!.out.pcaps!.find((c) => c.node === 'client')!; // one client: no number
      const dir = mkdtempSync(join(tmpdir(), 'tcplab-tfo-'));
      try {
        const path = join(dir, 'client1.pcap');
        writeFileSync(path, client.bytes);
        const out = execFileSync(
          'tshark',
          [
            '-r',
            path,
            '-Y',
            'tcp.flags.syn == 1',
            '-o',
            'tcp.check_checksum:TRUE',
            '-T',
            'fields',
            '-E',
            'separator=|',
            '-e',
            'tcp.flags.ack',
            '-e',
            'tcp.len',
            '-e',
            'tcp.options.tfo.request',
            '-e',
            'tcp.options.tfo.cookie',
            '-e',
            'tcp.checksum.status',
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
        );
        const rows = out
          .trim()
          .split('\n')
          .map((l) => l.split('|'));
        const cookie = rows[1]![3]!;
        expect(cookie).toMatch(/^[0-9a-f]{16}$/); // 8 bytes, from the server
        expect(rows.map((r) => [r[0] === '1' || r[0] === 'True', Number(r[1]), r[2] !== '', r[3], r[4]])).toEqual([
          [false, 0, true, '', '1'], // first visit: SYN asking for a cookie
          [true, 0, false, cookie, '1'], // SYN-ACK bringing it
          [false, 200, false, cookie, '1'], // repeat visit: the request in the SYN, with the cookie
          [true, 0, false, '', '1'], // SYN-ACK acknowledging the data
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('TCP Fast Open under a SYN flood (experiments/syn-flood.yaml)', () => {
  it('the Fast Open queue is one more bounded resource: SYN data without a cookie fills it to its length, cookies keep the flood out of it', () => {
    const r = loadExperiment('experiments/syn-flood.yaml', {
      set: [
        'sweep.apps.flood.rate=[1000/s]',
        'sweep.defence={fast-open: {tcp.fastOpen: 3, apps.web.fastOpenQueue: 128, apps.users.fastOpen: true, apps.flood.data: 100}, fast-open-no-cookie: {tcp.fastOpen: 0x207, apps.web.fastOpenQueue: 128, apps.users.fastOpen: true, apps.flood.data: 100}}',
        'seeds=1',
        'duration=45s',
        'charts=',
      ],
    });
    if (!r.ok) throw new Error(r.errors.map(formatSpecError).join('\n'));
    const out = Object.fromEntries(
      r.value.runs.map((run) => [String(run.point['defence']), executeRun(run, { trace: false, pcap: false })]),
    );
    const withCookies = out['fast-open']!;
    const noCookie = out['fast-open-no-cookie']!;
    // the flood's SYN data carries no valid cookie: no child for it (tcp_try_fastopen), the SYN queue fills as without Fast Open
    expect(metric(withCookies, 'tfo_queue.peak')).toBeLessThan(10);
    expect(metric(withCookies, 'tfo_queue.drops')).toBe(0);
    expect(metric(withCookies, 'syn_queue.peak')).toBe(129);
    // tcp_fastopen 0x200: every SYN with data makes a child until the queue holds 128, the rest go to the SYN queue
    expect(metric(noCookie, 'tfo_queue.capacity')).toBe(N.TFO_QUEUE);
    expect(metric(noCookie, 'tfo_queue.peak')).toBe(N.TFO_QUEUE);
    // overflowing SYN data becomes an ordinary request until the SYN queue (129) is full too; after
    // that a SYN is dropped before Fast Open is tried (tcp_conn_request), so it counts there
    expect(metric(noCookie, 'tfo_queue.drops')).toBeGreaterThanOrEqual(129);
    expect(metric(noCookie, 'syn_queue.peak')).toBe(129);
    const q = noCookie.timeseries;
    // the flood starts at 10 s and stops at 40 s; its children retransmit their SYN-ACKs for 127 s
    const tfoQueue = q.value.filter(
      (_, i) => q.metric[i] === 'tfo_queue' && q.t_s[i]! >= 10 + N.TFO_QUEUE_FULL_AFTER_S,
    );
    expect(tfoQueue.length).toBe(349); // 10.2 s … 45 s
    expect(tfoQueue.every((v) => v === N.TFO_QUEUE)).toBe(true);
    expect(q.value.some((v, i) => q.metric[i] === 'tfo_queue' && q.t_s[i] === 10.1 && v < N.TFO_QUEUE)).toBe(true);
    // with cookies the Fast Open queue holds only clients' children, never for long
    const cq = withCookies.timeseries;
    expect(cq.value.filter((_, i) => cq.metric[i] === 'tfo_queue').every((v) => v < 10)).toBe(true);
  });
});
