/**
 * The trace explorer's data: connections indexed in order of first appearance, the initiator on
 * the left, handshake time from the initiator's SYN_SENT to ESTABLISHED, retransmissions, drops
 * and resets counted, records kept as written and split into chunks of CHUNK connections, all
 * made in one pass over the trace, each chunk's text appended in pieces a bounded buffer at a time.
 */
import { describe, expect, it } from 'vitest';
import {
  CHUNK,
  chunkRecords,
  CUT,
  ExploreBuilder,
  ExploreIndexer,
  MAX_EXPLORE_CONNECTIONS,
  NO_CONNECTION,
  type ExploreChunk,
  type ExploreRow,
} from '../../src/report/explorer/explore-data.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';

const C = '10.0.0.1:40000';
const S = '10.0.0.2:80';
const seg = (
  t: number,
  node: string,
  ev: string,
  src: string,
  dst: string,
  flags: string,
  seq: number,
  ack: number,
  extra: object = {},
): TraceEvent => ({ run: 'p0-s1', t, node, ev, flags, seq, ack, len: 0, win: 64240, src, dst, ...extra }) as TraceEvent;
const state = (t: number, node: string, local: string, remote: string, from: string, to: string): TraceEvent =>
  ({ run: 'p0-s1', t, node, ev: 'state', conn: `${local}>${remote}`, from, to }) as TraceEvent;

/** A lost SYN, retransmitted after 1 s, then the handshake. The server's rx comes first in the file. */
const LOST_SYN: TraceEvent[] = [
  state(0, 'client', C, S, 'CLOSED', 'SYN_SENT'),
  seg(0, 'client', 'tx', C, S, 'S', 100, 0),
  seg(0.01, 'r1', 'drop', C, S, 'S', 100, 0, { reason: 'loss' }),
  seg(1, 'client', 'tx', C, S, 'S', 100, 0),
  seg(1.02, 'server', 'rx', C, S, 'S', 100, 0),
  state(1.02, 'server', S, C, 'LISTEN', 'SYN_RCVD'),
  seg(1.02, 'server', 'tx', S, C, 'S.', 500, 101),
  seg(1.04, 'client', 'rx', S, C, 'S.', 500, 101),
  state(1.04, 'client', C, S, 'SYN_SENT', 'ESTABLISHED'),
  seg(1.04, 'client', 'tx', C, S, '.', 101, 501),
  { run: 'p0-s1', t: 1.04, node: 'client', ev: 'app', app: 'users', what: 'connected' } as TraceEvent,
];

/** One pass; the files as appended to, and how many appends each took. */
async function build(
  records: readonly TraceEvent[],
  budget?: number,
): Promise<{ runs: { run: string; connections: number }[]; files: Map<string, string>; appends: Map<string, number> }> {
  const files = new Map<string, string>();
  const appends = new Map<string, number>();
  const b = new ExploreBuilder((path, text) => {
    files.set(path, (files.get(path) ?? '') + text);
    appends.set(path, (appends.get(path) ?? 0) + 1);
  }, budget);
  for (const r of records) await b.add(r, JSON.stringify(r));
  const index = await b.finish();
  return { runs: index.runs, files, appends };
}

/** Runs an explore/ file as the page does, returning what it hands to tcplabExplore. */
function evaluate(text: string): { path: string; data: unknown } {
  let got: { path: string; data: unknown } | undefined;
  new Function('tcplabExplore', text)((path: string, data: unknown) => (got = { path, data }));
  return got!;
}

describe('ExploreBuilder', () => {
  it('indexes a lost SYN: initiator, handshake from SYN_SENT, one retransmission, one drop', async () => {
    const data = await build(LOST_SYN);
    expect(data.runs).toEqual([{ run: 'p0-s1', connections: 1 }]);
    const index = evaluate(data.files.get('explore/p0-s1/index.js')!);
    expect(index.path).toBe('explore/p0-s1/index.js');
    const rows = index.data as ExploreRow[];
    expect(rows).toEqual([
      [
        0,
        C,
        S,
        'client',
        'server',
        0,
        1.04,
        1040,
        'SYN_SENT|SYN_RCVD|ESTABLISHED',
        'ESTABLISHED',
        'SYN_RCVD',
        4,
        1,
        1,
        0,
        0,
      ],
    ]);
  });

  it("puts the first SYN's sender on the left even when the peer appears first", async () => {
    // A stray RST from the server before the client's SYN: the server's address is seen first.
    const data = await build([seg(0.5, 'server', 'tx', S, C, 'R', 0, 0), ...LOST_SYN.slice(3)]);
    const rows = evaluate(data.files.get('explore/p0-s1/index.js')!).data as ExploreRow[];
    expect(rows[0]!.slice(1, 5)).toEqual([C, S, 'client', 'server']);
  });

  it('keeps every record of a connection as written, app records without a connection aside', async () => {
    const data = await build(LOST_SYN);
    const chunk = evaluate(data.files.get('explore/p0-s1/0.js')!).data as ExploreChunk;
    expect(chunk.every(([i]) => i === 0)).toBe(true);
    expect(chunkRecords(chunk).get(0)).toEqual(LOST_SYN.filter((r) => r.ev !== 'app'));
  });

  it('splits connections into chunks of CHUNK, appends to them in pieces under its buffer, and counts resets', async () => {
    const records: TraceEvent[] = [];
    for (let i = 0; i < CHUNK + 3; i++) {
      const c = `10.0.0.1:${40000 + i}`;
      records.push(seg(i, 'client', 'tx', c, S, 'S', i, 0), seg(i + 0.01, 'server', 'tx', S, c, 'R.', 0, i + 1));
    }
    const whole = await build(records);
    // A buffer of 8 KB: the chunks are written in many appends, and come out the same.
    const pieces = await build(records, 8 << 10);
    expect(whole.runs[0]!.connections).toBe(CHUNK + 3);
    expect([...whole.files.keys()].sort()).toEqual([
      'explore/p0-s1/0.js',
      'explore/p0-s1/1.js',
      'explore/p0-s1/index.js',
    ]);
    expect(whole.appends.get('explore/p0-s1/0.js')).toBe(1);
    expect(pieces.appends.get('explore/p0-s1/0.js')).toBeGreaterThan(5);
    expect(pieces.files).toEqual(whole.files);
    const rows = evaluate(whole.files.get('explore/p0-s1/index.js')!).data as ExploreRow[];
    expect(rows[CHUNK]![15]).toBe(1);
    expect(rows.every((r) => r[14] === 1 && r[7] === null)).toBe(true);
    const second = chunkRecords(evaluate(whole.files.get('explore/p0-s1/1.js')!).data as ExploreChunk);
    expect([...second.keys()]).toEqual([CHUNK, CHUNK + 1, CHUNK + 2]);
    expect(second.get(CHUNK)).toEqual(records.slice(2 * CHUNK, 2 * CHUNK + 2));
  });

  it('numbers connections per run, says NO_CONNECTION for a record of none, and CUT past the limit', () => {
    const indexer = new ExploreIndexer();
    expect(indexer.add(LOST_SYN[1]!)).toBe(0);
    expect(indexer.add({ ...LOST_SYN[1]!, run: 'p1-s1' } as TraceEvent)).toBe(0);
    expect(indexer.add(LOST_SYN[10]!)).toBe(NO_CONNECTION);
    for (let i = 1; i < MAX_EXPLORE_CONNECTIONS - 1; i++)
      indexer.add(seg(i, 'client', 'tx', `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:1`, S, 'S', 0, 0));
    expect(indexer.add(seg(9e5, 'client', 'tx', '10.255.0.1:1', S, 'S', 0, 0))).toBe(CUT);
    expect(indexer.add(LOST_SYN[1]!)).toBe(CUT);
    expect(indexer.finish().cutAt).toBe(9e5);
  });
});
