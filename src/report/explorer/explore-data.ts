/**
 * The trace explorer's data (index.html's "Trace explorer" section): every traced run's
 * connections, indexed so the page loads one small index per run and then one chunk of
 * connections at a time, when the reader opens one. A run of 100 000 connections stays responsive:
 * the index is a compact table, and a connection's records are read only when it is opened.
 *
 * Files, all JavaScript so that they load from file:// as well as over http (a browser refuses
 * fetch() on file://, not <script src>):
 *   explore/<run>/index.js   tcplabExplore("<path>", [row, ...])      one row per connection
 *   explore/<run>/<k>.js     tcplabExplore("<path>", {"<i>": [record, ...], ...})
 * A row is [i, a, b, nodeA, nodeB, t0, t1, handshake_ms | null, reached, lastA, lastB, segments,
 * retransmissions, drops, rst, chunk]: `a` is the initiator (the first SYN's sender), `reached`
 * the states either side went through ("|"-joined), t in seconds. Records are trace.jsonl lines as
 * written.
 *
 * Two passes over the trace, so that memory follows the connections open at once, not the trace:
 * ExploreIndexer reads it for the index (statistics only, no records kept); ChunkWriter reads it
 * again and hands each chunk to its writer as soon as the trace has passed the last record of
 * every connection in it.
 */
import { parseConn, pairKey, recordPair, strField, numField, type TraceEvent } from '../trace-records.ts';

/** Connections per chunk file: a chunk is one request when a connection is opened. */
export const CHUNK = 200;
/** Connections the explorer indexes; a trace with more is explored up to there, and the page says so. */
export const MAX_EXPLORE_CONNECTIONS = 200_000;
/** Slowest handshakes listed for the handshake-time figures. */
export const SLOWEST = 3;

export type ExploreRow = [
  i: number, a: string, b: string, nodeA: string | null, nodeB: string | null, t0: number, t1: number, handshakeMs: number | null,
  reached: string, lastA: string, lastB: string, segments: number, retx: number, drops: number, rst: 0 | 1, chunk: number,
];

export interface ExploreRun {
  run: string;
  connections: number;
}

/** One of the slowest handshakes in the trace: where the explorer finds it. */
export interface SlowHandshake {
  run: string;
  i: number;
  handshakeMs: number;
  /** "client3 → server". */
  label: string;
}

export interface ExploreIndex {
  runs: ExploreRun[];
  /** The slowest handshakes over every traced run, slowest first (at most SLOWEST). */
  slowest: SlowHandshake[];
  /** The index files (explore/<run>/index.js), by path relative to index.html. */
  files: Map<string, string>;
  /** Set when the trace held more than MAX_EXPLORE_CONNECTIONS: the simulated time where the explorer stops. */
  cutAt?: number;
  /** Trace records the index covers (the second pass stops there). */
  records: number;
  /** Per run: connection number by endpoint pair, and per chunk the time of its last record. */
  chunks: Map<string, { conn: Map<string, number>; lastT: number[] }>;
}

/** Where a chunk file goes: written to disk by the CLI, kept in memory by the playground. */
export type ExploreSink = (path: string, text: string) => void | Promise<void>;

export const runDir = (run: string): string => `explore/${encodeURIComponent(run || 'run')}`;

interface Conn {
  i: number;
  a: string;
  b: string;
  oriented: boolean;
  t0: number;
  t1: number;
  /** States either side entered, in order, "|"-joined (a flood's half-open entries have one or none). */
  reached: string;
  /** The initiator's SYN_SENT and first ESTABLISHED, per local address until the sides are known. */
  synSent: Map<string, number> | undefined;
  established: Map<string, number> | undefined;
  segments: number;
  retx: number;
  drops: number;
  rst: boolean;
  /** Segments sent that occupy sequence space, to tell retransmissions; made on first use. */
  sent: Set<string> | undefined;
  /** Last state per local address (both ends' states, before orientation is final). */
  last: Map<string, string> | undefined;
}

interface RunState {
  conns: Map<string, Conn>;
  order: Conn[];
  /** Node seen at each address, with the rank of the evidence (state 0, tx 1, rx 2). */
  nodes: Map<string, [string, number]>;
}

const runOf = (rec: TraceEvent): string => (typeof rec.run === 'string' ? rec.run : '');

/** The first pass: every connection's statistics, no records. */
export class ExploreIndexer {
  private readonly runs = new Map<string, RunState>();
  private connections = 0;
  private records = 0;
  private cutAt: number | undefined;

  /** Adds one trace record. False once MAX_EXPLORE_CONNECTIONS are indexed and a new one appears. */
  add(rec: TraceEvent): boolean {
    if (this.cutAt !== undefined) return false;
    const runId = runOf(rec);
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = { conns: new Map(), order: [], nodes: new Map() }));
    const pair = recordPair(rec);
    if (!pair) {
      this.records++;
      return true;
    }
    const key = pairKey(pair[0], pair[1]);
    let c = run.conns.get(key);
    if (!c) {
      if (this.connections >= MAX_EXPLORE_CONNECTIONS) {
        this.cutAt = rec.t;
        return false;
      }
      this.connections++;
      c = {
        i: run.order.length, a: pair[0], b: pair[1], oriented: false, t0: rec.t, t1: rec.t, reached: '',
        synSent: undefined, established: undefined, segments: 0, retx: 0, drops: 0, rst: false, sent: undefined, last: undefined,
      };
      run.conns.set(key, c);
      run.order.push(c);
    }
    this.records++;
    this.noteNode(run, rec);
    c.t1 = rec.t;
    const flags = strField(rec, 'flags') ?? '';
    if (rec.ev === 'tx') {
      c.segments++;
      const src = strField(rec, 'src')!;
      // The first SYN's sender is the initiator, drawn on the left (as ladder-model.ts does).
      if (!c.oriented && flags.includes('S') && !flags.includes('.')) {
        c.oriented = true;
        if (c.a !== src) [c.a, c.b] = [src, c.a];
      }
      if (flags.includes('R')) c.rst = true;
      const len = numField(rec, 'len') ?? 0;
      if (len > 0 || flags.includes('S') || flags.includes('F')) {
        const id = `${src}|${flags}|${numField(rec, 'seq')}|${len}`;
        c.sent ??= new Set();
        if (c.sent.has(id) || rec.retx === true) c.retx++;
        else c.sent.add(id);
      }
    } else if (rec.ev === 'drop') c.drops++;
    else if (rec.ev === 'state') {
      const local = parseConn(strField(rec, 'conn') ?? '')?.[0];
      const to = strField(rec, 'to');
      if (local && to) {
        if (!c.reached.split('|').includes(to)) c.reached = c.reached === '' ? to : `${c.reached}|${to}`;
        (c.last ??= new Map()).set(local, to);
        if (to === 'SYN_SENT' && !(c.synSent ??= new Map()).has(local)) c.synSent.set(local, rec.t);
        if (to === 'ESTABLISHED' && !(c.established ??= new Map()).has(local)) c.established.set(local, rec.t);
      }
    }
    return true;
  }

  private noteNode(run: RunState, rec: TraceEvent): void {
    let addr: string | undefined;
    let rank = 3;
    if (rec.ev === 'state') [addr, rank] = [parseConn(strField(rec, 'conn') ?? '')?.[0], 0];
    else if (rec.ev === 'tx') [addr, rank] = [strField(rec, 'src'), 1];
    else if (rec.ev === 'rx') [addr, rank] = [strField(rec, 'dst'), 2];
    if (!addr) return;
    const had = run.nodes.get(addr);
    if (!had || had[1] > rank) run.nodes.set(addr, [rec.node, rank]);
  }

  finish(): ExploreIndex {
    const files = new Map<string, string>();
    const runs: ExploreRun[] = [];
    const slowest: SlowHandshake[] = [];
    const chunks: ExploreIndex['chunks'] = new Map();
    for (const [runId, run] of this.runs) {
      if (run.order.length === 0) continue;
      const rows: ExploreRow[] = run.order.map((c) => {
        const start = c.synSent?.get(c.a);
        const est = c.established?.get(c.a);
        const hs = start !== undefined && est !== undefined ? Math.round((est - start) * 1e9) / 1e6 : null;
        return [
          c.i, c.a, c.b, run.nodes.get(c.a)?.[0] ?? null, run.nodes.get(c.b)?.[0] ?? null, c.t0, c.t1, hs,
          c.reached, c.last?.get(c.a) ?? '', c.last?.get(c.b) ?? '', c.segments, c.retx, c.drops, c.rst ? 1 : 0, Math.floor(c.i / CHUNK),
        ];
      });
      const index = `${runDir(runId)}/index.js`;
      files.set(index, `tcplabExplore(${JSON.stringify(index)},[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]);\n`);
      const lastT: number[] = [];
      for (const c of run.order) {
        const k = Math.floor(c.i / CHUNK);
        lastT[k] = Math.max(lastT[k] ?? -Infinity, c.t1);
      }
      const conn = new Map<string, number>();
      for (const [key, c] of run.conns) conn.set(key, c.i);
      chunks.set(runId, { conn, lastT });
      runs.push({ run: runId, connections: run.order.length });
      for (const r of rows) if (r[7] !== null) slowest.push({ run: runId, i: r[0], handshakeMs: r[7], label: `${r[3] ?? r[1]} → ${r[4] ?? r[2]}` });
      slowest.sort((x, y) => y.handshakeMs - x.handshakeMs);
      slowest.length = Math.min(slowest.length, SLOWEST);
    }
    const out: ExploreIndex = { runs, slowest, files, records: this.records, chunks };
    if (this.cutAt !== undefined) out.cutAt = this.cutAt;
    return out;
  }
}

/**
 * The second pass: each connection's records as written, grouped into chunk files, each handed to
 * the sink once the trace is past the last record of its connections (runs are contiguous in
 * trace.jsonl: a run's remaining chunks go when the next run starts).
 */
export class ChunkWriter {
  private seen = 0;
  private run: string | undefined;
  private readonly done = new Set<string>();
  private pending = new Map<number, Map<number, string[]>>();
  /** Chunks of the current run by the time of their last record, and how many are written. */
  private order: number[] = [];
  private cursor = 0;

  constructor(private readonly index: ExploreIndex, private readonly sink: ExploreSink) {}

  /** Adds one record (the same records, in the same order, as the index saw). */
  async add(rec: TraceEvent, line: string): Promise<void> {
    if (this.seen >= this.index.records) return;
    const runId = runOf(rec);
    const pair = recordPair(rec);
    if (!pair) {
      this.seen++;
      return;
    }
    const plan = this.index.chunks.get(runId);
    const i = plan?.conn.get(pairKey(pair[0], pair[1]));
    if (plan === undefined || i === undefined) return; // past the cut: the index never counted it
    this.seen++;
    if (runId !== this.run) {
      if (this.run !== undefined) await this.flushRun();
      if (this.done.has(runId)) return; // a run seen again: not a trace tcplab wrote; keep the first part
      this.run = runId;
      this.order = plan.lastT.map((_, k) => k).sort((x, y) => plan.lastT[x]! - plan.lastT[y]! || x - y);
      this.cursor = 0;
    }
    // Every chunk whose connections all ended before this record is complete.
    while (this.cursor < this.order.length && plan.lastT[this.order[this.cursor]!]! < rec.t) await this.flush(this.order[this.cursor++]!);
    const k = Math.floor(i / CHUNK);
    let chunk = this.pending.get(k);
    if (!chunk) this.pending.set(k, (chunk = new Map()));
    let lines = chunk.get(i);
    if (!lines) chunk.set(i, (lines = []));
    lines.push(line);
  }

  async finish(): Promise<void> {
    if (this.run !== undefined) await this.flushRun();
  }

  private async flushRun(): Promise<void> {
    while (this.cursor < this.order.length) await this.flush(this.order[this.cursor++]!);
    this.done.add(this.run!);
    this.pending = new Map();
  }

  private async flush(k: number): Promise<void> {
    const chunk = this.pending.get(k) ?? new Map<number, string[]>();
    this.pending.delete(k);
    const path = `${runDir(this.run!)}/${k}.js`;
    const parts = [...chunk.keys()].sort((x, y) => x - y).map((i) => `"${i}":[\n${chunk.get(i)!.join(',\n')}\n]`);
    await this.sink(path, `tcplabExplore(${JSON.stringify(path)},{\n${parts.join(',\n')}\n});\n`);
  }
}
