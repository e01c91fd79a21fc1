/**
 * The trace explorer's data: connections indexed in order of first appearance, the initiator on
 * the left, handshake time from the initiator's SYN_SENT to ESTABLISHED, retransmissions, drops
 * and resets counted, records kept as written and split into chunks of CHUNK connections, each
 * chunk written as soon as the trace is past its connections' last records.
 */
import { describe, expect, it } from 'vitest';
import { CHUNK, ChunkWriter, ExploreIndexer, type ExploreRow } from '../../src/report/explorer/explore-data.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';

const C = '10.0.0.1:40000';
const S = '10.0.0.2:80';
const seg = (t: number, node: string, ev: string, src: string, dst: string, flags: string, seq: number, ack: number, extra: object = {}): TraceEvent =>
  ({ run: 'p0-s1', t, node, ev, flags, seq, ack, len: 0, win: 64240, src, dst, ...extra }) as TraceEvent;
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

/** Both passes; the files in the order they were written, and which record each chunk waited for. */
async function build(records: readonly TraceEvent[]): Promise<{ runs: { run: string; connections: number }[]; files: Map<string, string>; writtenAt: Map<string, number> }> {
  const indexer = new ExploreIndexer();
  for (const r of records) indexer.add(r);
  const index = indexer.finish();
  const files = new Map(index.files);
  const writtenAt = new Map<string, number>();
  let at = 0;
  const w = new ChunkWriter(index, (path, text) => {
    files.set(path, text);
    writtenAt.set(path, at);
  });
  for (const r of records) {
    await w.add(r, JSON.stringify(r));
    at++;
  }
  await w.finish();
  return { runs: index.runs, files, writtenAt };
}

/** Runs an explore/ file as the page does, returning what it hands to tcplabExplore. */
function evaluate(text: string): { path: string; data: unknown } {
  let got: { path: string; data: unknown } | undefined;
  new Function('tcplabExplore', text)((path: string, data: unknown) => (got = { path, data }));
  return got!;
}

describe('ExploreIndexer and ChunkWriter', () => {
  it('indexes a lost SYN: initiator, handshake from SYN_SENT, one retransmission, one drop', async () => {
    const data = await build(LOST_SYN);
    expect(data.runs).toEqual([{ run: 'p0-s1', connections: 1 }]);
    const index = evaluate(data.files.get('explore/p0-s1/index.js')!);
    expect(index.path).toBe('explore/p0-s1/index.js');
    const rows = index.data as ExploreRow[];
    expect(rows).toEqual([[0, C, S, 'client', 'server', 0, 1.04, 1040, 'SYN_SENT|SYN_RCVD|ESTABLISHED', 'ESTABLISHED', 'SYN_RCVD', 4, 1, 1, 0, 0]]);
  });

  it('puts the first SYN\'s sender on the left even when the peer appears first', async () => {
    // A stray RST from the server before the client's SYN: the server's address is seen first.
    const data = await build([seg(0.5, 'server', 'tx', S, C, 'R', 0, 0), ...LOST_SYN.slice(3)]);
    const rows = evaluate(data.files.get('explore/p0-s1/index.js')!).data as ExploreRow[];
    expect(rows[0]!.slice(1, 5)).toEqual([C, S, 'client', 'server']);
  });

  it('keeps every record of a connection as written, app records without a connection aside', async () => {
    const data = await build(LOST_SYN);
    const chunk = evaluate(data.files.get('explore/p0-s1/0.js')!).data as Record<string, TraceEvent[]>;
    expect(chunk['0']).toEqual(LOST_SYN.filter((r) => r.ev !== 'app'));
  });

  it('splits connections into chunks of CHUNK, writes each once its connections are over, and counts resets', async () => {
    const records: TraceEvent[] = [];
    for (let i = 0; i < CHUNK + 3; i++) {
      const c = `10.0.0.1:${40000 + i}`;
      records.push(seg(i, 'client', 'tx', c, S, 'S', i, 0), seg(i + 0.01, 'server', 'tx', S, c, 'R.', 0, i + 1));
    }
    const data = await build(records);
    expect(data.runs[0]!.connections).toBe(CHUNK + 3);
    expect([...data.files.keys()]).toEqual(['explore/p0-s1/index.js', 'explore/p0-s1/0.js', 'explore/p0-s1/1.js']);
    // Chunk 0 went out with the first record past its last connection's RST, not at the end.
    expect(data.writtenAt.get('explore/p0-s1/0.js')).toBe(2 * CHUNK);
    expect(data.writtenAt.get('explore/p0-s1/1.js')).toBe(records.length);
    const rows = evaluate(data.files.get('explore/p0-s1/index.js')!).data as ExploreRow[];
    expect(rows[CHUNK]![15]).toBe(1);
    expect(rows.every((r) => r[14] === 1 && r[7] === null)).toBe(true);
    expect(Object.keys(evaluate(data.files.get('explore/p0-s1/1.js')!).data as object)).toEqual([String(CHUNK), String(CHUNK + 1), String(CHUNK + 2)]);
  });
});
