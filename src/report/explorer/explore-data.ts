/**
 * The trace explorer's data (index.html's "Trace explorer" section): every traced run's
 * connections, indexed so the page loads one small index per run and then one chunk of
 * connections at a time, when the reader opens one. A run of 100 000 connections stays responsive:
 * the index is a compact table, and a connection's records are read only when it is opened.
 *
 * Files, all JavaScript so that they load from file:// as well as over http (a browser refuses
 * fetch() on file://, not <script src>):
 *   explore/<run>/index.js   tcplabExplore("<path>", [row, ...])      one row per connection
 *   explore/<run>/<k>.js     tcplabExplore("<path>", [[i, record], ...])   records in trace order
 * A row is [i, a, b, nodeA, nodeB, t0, t1, handshake_ms | null, reached, lastA, lastB, segments,
 * retransmissions, drops, rst, chunk]: `a` is the initiator (the first SYN's sender), `reached`
 * the states either side went through ("|"-joined), t in seconds. Records are trace.jsonl lines as
 * written, each with the number of its connection, which lives in chunk floor(i / CHUNK).
 *
 * One pass over the trace (the same pass that reads it for the figures, report-build.ts), and
 * memory that does not grow with the trace: ExploreIndexer keeps statistics only, no records, and
 * ChunkAppender appends each record's line to its chunk file as it is read, a few MB at a time.
 */
import type { TcpStateName } from '../../schema/trace.ts';
import {
  parseConn,
  pairKey,
  recordPair,
  strField,
  numField,
  type PacketTraceEvent,
  type TraceEvent,
} from '../trace-records.ts';

/** Connections per chunk file: a chunk is one request when a connection is opened. */
export const CHUNK = 200;
/** Connections the explorer indexes; a trace with more is explored up to there, and the page says so. */
export const MAX_EXPLORE_CONNECTIONS = 200_000;
/** Slowest handshakes listed for the handshake-time figures (per run in the index, per figure on the page). */
export const SLOWEST = 3;

export type ExploreRow = [
  i: number,
  a: string,
  b: string,
  nodeA: string | null,
  nodeB: string | null,
  t0: number,
  t1: number,
  handshakeMs: number | null,
  reached: string,
  lastA: string,
  lastB: string,
  segments: number,
  retx: number,
  drops: number,
  rst: 0 | 1,
  chunk: number,
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
  /**
   * Each traced run's slowest handshakes that took longer than the run's median (at most SLOWEST a
   * run, slowest first): the outliers a handshake-time figure links to their ladders.
   */
  slowest: SlowHandshake[];
  /** The index files (explore/<run>/index.js), by path relative to index.html. */
  files: Map<string, string>;
  /** Set when the trace held more than MAX_EXPLORE_CONNECTIONS: the simulated time where the explorer stops. */
  cutAt?: number;
}

/**
 * Where the explorer's files go: each call appends `text` to the file at `path` (relative to
 * index.html), creating it on the first. Written to disk by the CLI, kept in memory by the playground.
 */
export type ExploreSink = (path: string, text: string) => void | Promise<void>;

/** What ExploreIndexer.add returns for a record of no connection, and once the index is full. */
export const NO_CONNECTION = -1;
export const CUT = -2;

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

function newConn(i: number, pair: [string, string], t: number): Conn {
  return {
    i,
    a: pair[0],
    b: pair[1],
    oriented: false,
    t0: t,
    t1: t,
    reached: '',
    synSent: undefined,
    established: undefined,
    segments: 0,
    retx: 0,
    drops: 0,
    rst: false,
    sent: undefined,
    last: undefined,
  };
}

/** A sent segment: counts it, orients the connection at its first SYN, tells retransmissions. */
function noteSent(c: Conn, rec: PacketTraceEvent): void {
  const flags = strField(rec, 'flags') ?? '';
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
}

/** A state change: the states reached, each side's last, and when the handshake began and ended. */
function noteState(c: Conn, rec: TraceEvent): void {
  const local = parseConn(strField(rec, 'conn') ?? '')?.[0];
  const to = strField(rec, 'to');
  if (!local || !to) return;
  if (!c.reached.split('|').includes(to)) c.reached = c.reached === '' ? to : `${c.reached}|${to}`;
  (c.last ??= new Map()).set(local, to);
  if (to === ('SYN_SENT' satisfies TcpStateName) && !(c.synSent ??= new Map()).has(local)) c.synSent.set(local, rec.t);
  if (to === ('ESTABLISHED' satisfies TcpStateName) && !(c.established ??= new Map()).has(local))
    c.established.set(local, rec.t);
}

/** The first pass: every connection's statistics, no records. */
export class ExploreIndexer {
  private readonly runs = new Map<string, RunState>();
  private connections = 0;
  private cutAt: number | undefined;

  /**
   * Adds one trace record: the number of its connection in its run, NO_CONNECTION for a record
   * of none, CUT once MAX_EXPLORE_CONNECTIONS are indexed and a new one appears (and after).
   */
  add(rec: TraceEvent): number {
    if (this.cutAt !== undefined) return CUT;
    const runId = runOf(rec);
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = { conns: new Map(), order: [], nodes: new Map() }));
    const pair = recordPair(rec);
    if (!pair) return NO_CONNECTION;
    const key = pairKey(pair[0], pair[1]);
    let c = run.conns.get(key);
    if (!c) {
      if (this.connections >= MAX_EXPLORE_CONNECTIONS) {
        this.cutAt = rec.t;
        return CUT;
      }
      this.connections++;
      c = newConn(run.order.length, pair, rec.t);
      run.conns.set(key, c);
      run.order.push(c);
    }
    this.noteNode(run, rec);
    c.t1 = rec.t;
    if (rec.ev === 'tx') noteSent(c, rec);
    else if (rec.ev === 'drop') c.drops++;
    else if (rec.ev === 'state') noteState(c, rec);
    return c.i;
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
    for (const [runId, run] of this.runs) {
      if (run.order.length === 0) continue;
      const rows: ExploreRow[] = run.order.map((c) => {
        const start = c.synSent?.get(c.a);
        const est = c.established?.get(c.a);
        const hs = start !== undefined && est !== undefined ? Math.round((est - start) * 1e9) / 1e6 : null;
        return [
          c.i,
          c.a,
          c.b,
          run.nodes.get(c.a)?.[0] ?? null,
          run.nodes.get(c.b)?.[0] ?? null,
          c.t0,
          c.t1,
          hs,
          c.reached,
          c.last?.get(c.a) ?? '',
          c.last?.get(c.b) ?? '',
          c.segments,
          c.retx,
          c.drops,
          c.rst ? 1 : 0,
          Math.floor(c.i / CHUNK),
        ];
      });
      const index = `${runDir(runId)}/index.js`;
      files.set(
        index,
        `tcplabExplore(${JSON.stringify(index)},[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]);\n`,
      );
      runs.push({ run: runId, connections: run.order.length });
      const timed = rows.filter((r) => r[7] !== null).sort((x, y) => y[7]! - x[7]! || x[0] - y[0]);
      const median = timed[Math.floor(timed.length / 2)]?.[7] ?? 0;
      for (const r of timed.filter((x) => x[7]! > median).slice(0, SLOWEST))
        slowest.push({ run: runId, i: r[0], handshakeMs: r[7]!, label: `${r[3] ?? r[1]} → ${r[4] ?? r[2]}` });
    }
    const out: ExploreIndex = { runs, slowest, files };
    if (this.cutAt !== undefined) out.cutAt = this.cutAt;
    return out;
  }
}

/**
 * A chunk file's records: the trace's lines of its connections, in trace order, each with its
 * connection number. The page groups them by connection when the chunk loads.
 */
export type ExploreChunk = [i: number, record: TraceEvent][];

/** A chunk's records grouped by connection number, in trace order. */
export function chunkRecords(chunk: ExploreChunk): Map<number, TraceEvent[]> {
  const out = new Map<number, TraceEvent[]>();
  for (const [i, rec] of chunk) {
    let list = out.get(i);
    if (!list) out.set(i, (list = []));
    list.push(rec);
  }
  return out;
}

/** Characters of chunk text held before they are appended to their files. */
export const CHUNK_BUFFER = 4 << 20;

/**
 * Chunk files made in the one pass over the trace: each record's line goes to its connection's
 * chunk as it is read. A connection's last record is known only at the end, so a chunk cannot be
 * written whole while the trace is read; instead its text is appended in pieces, held until
 * CHUNK_BUFFER characters wait over all chunks, so memory stays bounded however large the trace.
 */
export class ChunkAppender {
  private pending = new Map<string, string[]>();
  private readonly opened = new Set<string>();
  private held = 0;

  constructor(
    private readonly sink: ExploreSink,
    private readonly budget = CHUNK_BUFFER,
  ) {}

  /** Adds the line of one record of connection `i` of `run`. Returns a promise only when it writes. */
  add(run: string, i: number, line: string): void | Promise<void> {
    const path = `${runDir(run)}/${Math.floor(i / CHUNK)}.js`;
    let parts = this.pending.get(path);
    if (!parts) {
      this.pending.set(path, (parts = []));
      if (!this.opened.has(path)) {
        this.opened.add(path);
        parts.push(`tcplabExplore(${JSON.stringify(path)},[\n`);
      }
    }
    const piece = `[${i},${line}],\n`; // a trailing comma before "]" is allowed in an array literal
    parts.push(piece);
    this.held += piece.length;
    if (this.held > this.budget) return this.flush();
  }

  /** Ends every chunk file. */
  async finish(): Promise<void> {
    for (const path of this.opened) {
      let parts = this.pending.get(path);
      if (!parts) this.pending.set(path, (parts = []));
      parts.push(']);\n');
    }
    await this.flush();
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    this.held = 0;
    for (const [path, parts] of pending) await this.sink(path, parts.join(''));
  }
}

/**
 * The explorer's files from one pass over the trace: the index from each connection's statistics
 * (written at the end), its records appended to their chunk as they come. Past
 * MAX_EXPLORE_CONNECTIONS it takes nothing more, so every file ends at the same record.
 */
export class ExploreBuilder {
  private readonly indexer = new ExploreIndexer();
  private readonly chunks: ChunkAppender;
  private cut = false;

  constructor(
    private readonly sink: ExploreSink,
    budget = CHUNK_BUFFER,
  ) {
    this.chunks = new ChunkAppender(sink, budget);
  }

  /** Adds one trace record and its line as written. Returns a promise only when it writes. */
  add(rec: TraceEvent, line: string): void | Promise<void> {
    if (this.cut) return;
    const i = this.indexer.add(rec);
    if (i === CUT) this.cut = true;
    else if (i !== NO_CONNECTION) return this.chunks.add(runOf(rec), i, line);
  }

  /** Ends the chunk files and writes each run's index. */
  async finish(): Promise<ExploreIndex> {
    await this.chunks.finish();
    const index = this.indexer.finish();
    for (const [path, text] of index.files) await this.sink(path, text);
    return index;
  }
}
