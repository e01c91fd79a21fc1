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
 */
import { parseConn, pairKey, recordPair, strField, numField, type TraceEvent } from '../trace-records.ts';

/** Connections per chunk file: a chunk is one request when a connection is opened. */
export const CHUNK = 200;
/** Trace bytes the explorer holds; a larger trace is explored up to here, and the page says so. */
export const MAX_EXPLORE_BYTES = 256 * 1024 * 1024;
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

export interface ExploreData {
  runs: ExploreRun[];
  /** The slowest handshakes over every traced run, slowest first (at most SLOWEST). */
  slowest: SlowHandshake[];
  /** Files under explore/, by path relative to index.html. */
  files: Map<string, string>;
  /** Set when the trace was larger than MAX_EXPLORE_BYTES: the simulated time where the explorer stops. */
  cutAt?: number;
}

interface Conn {
  i: number;
  a: string;
  b: string;
  oriented: boolean;
  t0: number;
  t1: number;
  lines: string[];
  reached: Set<string>;
  last: Map<string, string>;
  synSent: Map<string, number>;
  established: Map<string, number>;
  segments: number;
  retx: number;
  drops: number;
  rst: boolean;
  sent: Set<string>;
}

interface RunState {
  conns: Map<string, Conn>;
  order: Conn[];
  /** Node seen at each address, with the rank of the evidence (state 0, tx 1, rx 2). */
  nodes: Map<string, [string, number]>;
}

export class ExploreBuilder {
  private readonly runs = new Map<string, RunState>();
  private bytes = 0;
  private cutAt: number | undefined;

  /** Adds one trace record (and its line as written). False once the byte budget is spent. */
  add(rec: TraceEvent, line: string): boolean {
    if (this.cutAt !== undefined) return false;
    this.bytes += line.length + 1;
    if (this.bytes > MAX_EXPLORE_BYTES) {
      this.cutAt = rec.t;
      return false;
    }
    const runId = typeof rec.run === 'string' ? rec.run : '';
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = { conns: new Map(), order: [], nodes: new Map() }));
    const pair = recordPair(rec);
    if (!pair) return true;
    this.noteNode(run, rec);
    const key = pairKey(pair[0], pair[1]);
    let c = run.conns.get(key);
    if (!c) {
      c = {
        i: run.order.length, a: pair[0], b: pair[1], oriented: false, t0: rec.t, t1: rec.t, lines: [], reached: new Set(), last: new Map(),
        synSent: new Map(), established: new Map(), segments: 0, retx: 0, drops: 0, rst: false, sent: new Set(),
      };
      run.conns.set(key, c);
      run.order.push(c);
    }
    c.t1 = rec.t;
    c.lines.push(line);
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
        if (c.sent.has(id) || rec.retx === true) c.retx++;
        else c.sent.add(id);
      }
    } else if (rec.ev === 'drop') c.drops++;
    else if (rec.ev === 'state') {
      const local = parseConn(strField(rec, 'conn') ?? '')?.[0];
      const to = strField(rec, 'to');
      if (local && to) {
        c.reached.add(to);
        c.last.set(local, to);
        if (to === 'SYN_SENT' && !c.synSent.has(local)) c.synSent.set(local, rec.t);
        if (to === 'ESTABLISHED' && !c.established.has(local)) c.established.set(local, rec.t);
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

  finish(): ExploreData {
    const files = new Map<string, string>();
    const runs: ExploreRun[] = [];
    const slowest: SlowHandshake[] = [];
    for (const [runId, run] of this.runs) {
      if (run.order.length === 0) continue;
      const dir = `explore/${encodeURIComponent(runId || 'run')}`;
      const rows: ExploreRow[] = run.order.map((c) => {
        const start = c.synSent.get(c.a);
        const est = c.established.get(c.a);
        const hs = start !== undefined && est !== undefined ? Math.round((est - start) * 1e9) / 1e6 : null;
        return [
          c.i, c.a, c.b, run.nodes.get(c.a)?.[0] ?? null, run.nodes.get(c.b)?.[0] ?? null, c.t0, c.t1, hs,
          [...c.reached].join('|'), c.last.get(c.a) ?? '', c.last.get(c.b) ?? '', c.segments, c.retx, c.drops, c.rst ? 1 : 0, Math.floor(c.i / CHUNK),
        ];
      });
      const index = `${dir}/index.js`;
      files.set(index, `tcplabExplore(${JSON.stringify(index)},[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]);\n`);
      for (let k = 0; k * CHUNK < run.order.length; k++) {
        const path = `${dir}/${k}.js`;
        const parts = run.order.slice(k * CHUNK, (k + 1) * CHUNK).map((c) => `"${c.i}":[\n${c.lines.join(',\n')}\n]`);
        files.set(path, `tcplabExplore(${JSON.stringify(path)},{\n${parts.join(',\n')}\n});\n`);
      }
      runs.push({ run: runId, connections: run.order.length });
      for (const r of rows) if (r[7] !== null) slowest.push({ run: runId, i: r[0], handshakeMs: r[7], label: `${r[3] ?? r[1]} → ${r[4] ?? r[2]}` });
      slowest.sort((x, y) => y.handshakeMs - x.handshakeMs);
      slowest.length = Math.min(slowest.length, SLOWEST);
    }
    const out: ExploreData = { runs, slowest, files };
    if (this.cutAt !== undefined) out.cutAt = this.cutAt;
    return out;
  }
}
