/**
 * One connection's exchange, read from trace records, as a ladder (sequence) diagram needs it:
 * the two endpoints (initiator first), every segment with its send time, its arrival time at the
 * peer or where it was dropped, a Wireshark-style label with sequence numbers relative to each
 * side's ISN, and each endpoint's TCP state changes.
 */
import { flagNames, numField, pairKey, parseConn, recordPair, strField } from './trace-records.ts';
import type { PacketTraceEvent, TraceEvent } from './trace-records.ts';

export interface LadderEndpoint {
  addr: string;
  /** The node traced at this address; null when it never appears (a spoofed source). */
  node: string | null;
  /** Initial sequence number: the seq of its SYN, else of the first segment it sent. */
  isn: number | null;
}

export interface LadderDrop {
  t: number;
  node: string;
  reason: string;
}

export interface LadderMessage {
  /** Index of the sending endpoint (0 = left, the initiator). */
  from: 0 | 1;
  tTx: number;
  /** Arrival at the peer; null when it never arrived (or the peer is not traced). */
  tRx: number | null;
  drop: LadderDrop | null;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number | null;
  retx: boolean;
  /** "SYN+ACK seq=0 ack=1", with " (retx)" on retransmissions and "(Fast Open: …)" on Fast Open SYNs and SYN-ACKs. */
  label: string;
  /** Absolute numbers and timing, for a tooltip. */
  detail: string;
}

export interface StateChange {
  t: number;
  from: string;
  to: string;
}

export interface LadderModel {
  endpoints: [LadderEndpoint, LadderEndpoint];
  messages: LadderMessage[];
  states: [StateChange[], StateChange[]];
  tStart: number;
  tEnd: number;
}

export interface ConnectionRef {
  /** Endpoints, initiator first. */
  a: string;
  b: string;
  nodeA: string | null;
  nodeB: string | null;
  firstT: number;
}

/** Node at each address: a state record's local end beats a tx source beats an rx destination. */
function nodesByAddress(records: readonly TraceEvent[]): Map<string, string> {
  const rank = new Map<string, number>();
  const out = new Map<string, string>();
  const offer = (addr: string | undefined, node: string, r: number): void => {
    if (!addr) return;
    if ((rank.get(addr) ?? 99) <= r) return;
    rank.set(addr, r);
    out.set(addr, node);
  };
  for (const rec of records) {
    if (rec.ev === 'state') {
      const c = parseConn(strField(rec, 'conn') ?? '');
      if (c) offer(c[0], rec.node, 0);
    } else if (rec.ev === 'tx') offer(strField(rec, 'src'), rec.node, 1);
    else if (rec.ev === 'rx') offer(strField(rec, 'dst'), rec.node, 2);
  }
  return out;
}

/** Every connection in the records, in order of first appearance. */
export function listConnections(records: readonly TraceEvent[]): ConnectionRef[] {
  const nodes = nodesByAddress(records);
  const byPair = new Map<string, ConnectionRef>();
  const order: ConnectionRef[] = [];
  const oriented = new Set<ConnectionRef>();
  for (const rec of records) {
    const pair = recordPair(rec);
    if (!pair) continue;
    const key = pairKey(pair[0], pair[1]);
    let c = byPair.get(key);
    if (!c) {
      c = {
        a: pair[0],
        b: pair[1],
        nodeA: nodes.get(pair[0]) ?? null,
        nodeB: nodes.get(pair[1]) ?? null,
        firstT: rec.t,
      };
      byPair.set(key, c);
      order.push(c);
    }
    // Until a SYN says otherwise, the first record's source (or local end) is on the left. The
    // first SYN decides, once: in a simultaneous open the peer's SYN must not swap the sides back,
    // so the client stays on the left in every ladder.
    const flags = strField(rec, 'flags');
    if (rec.ev === 'tx' && !oriented.has(c) && flags !== undefined && flags.includes('S') && !flags.includes('.')) {
      oriented.add(c);
      const src = strField(rec, 'src')!;
      if (c.a !== src) {
        c.b = c.a;
        c.a = src;
        [c.nodeA, c.nodeB] = [c.nodeB, c.nodeA];
      }
    }
  }
  return order;
}

/**
 * Picks a connection: `conn` may be "ip:port>ip:port", "ip:port", an IP, or a node name; the
 * first match in time wins. Without `conn`, the first connection whose two ends are both traced
 * (so not a spoofed flood SYN), else the first one.
 */
export function selectConnection(records: readonly TraceEvent[], conn?: string): ConnectionRef | null {
  const all = listConnections(records);
  if (conn === undefined || conn === '') return all.find((c) => c.nodeA && c.nodeB) ?? all[0] ?? null;
  const pair = conn.split(/\s*(?:<>|<->|>|\s)\s*/).filter(Boolean);
  if (pair.length === 2) {
    const key = pairKey(pair[0]!, pair[1]!);
    return all.find((c) => pairKey(c.a, c.b) === key) ?? null;
  }
  const one = pair[0] ?? conn;
  const isAddr = /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(one);
  return (
    all.find((c) => {
      if (isAddr)
        return one.includes(':') ? c.a === one || c.b === one : c.a.startsWith(`${one}:`) || c.b.startsWith(`${one}:`);
      return c.nodeA === one || c.nodeB === one;
    }) ?? null
  );
}

interface Pkt {
  rec: PacketTraceEvent;
  key: string;
}

function packetKey(rec: TraceEvent): string {
  return `${strField(rec, 'src')}>${strField(rec, 'dst')}|${strField(rec, 'flags') ?? ''}|${numField(rec, 'seq') ?? ''}|${numField(rec, 'ack') ?? ''}|${numField(rec, 'len') ?? 0}`;
}

/**
 * For each tx, the latest matching record at or after it whose own latest preceding identical tx
 * is this one: an rx at 1.211 s belongs to the SYN retransmitted at 1.2 s, not the lost one at 0.2 s.
 */
function matchAfter(txs: readonly Pkt[], others: readonly Pkt[]): Map<Pkt, Pkt> {
  const byKey = new Map<string, Pkt[]>();
  for (const tx of txs) {
    let list = byKey.get(tx.key);
    if (!list) byKey.set(tx.key, (list = []));
    list.push(tx);
  }
  const out = new Map<Pkt, Pkt>();
  for (const o of others) {
    const list = byKey.get(o.key);
    if (!list) continue;
    let best: Pkt | null = null;
    for (const tx of list) {
      if (tx.rec.t > o.rec.t || out.has(tx)) continue;
      if (!best || tx.rec.t >= best.rec.t) best = tx;
    }
    if (best) out.set(best, o);
  }
  return out;
}

const U32 = 2 ** 32;
const rel = (v: number, base: number | null): number => (base === null ? v : (((v - base) % U32) + U32) % U32);

export interface LadderOptions {
  /** Print absolute sequence numbers instead of ISN-relative ones. */
  absolute?: boolean;
}

type Side = 0 | 1 | -1;

/** The records of one connection split into sends (by the endpoint's own node), arrivals and drops. */
function packetsOf(
  mine: readonly TraceEvent[],
  side: (addr: string | undefined) => Side,
  nodes: readonly [string | null, string | null],
): { txs: Pkt[]; rxs: Pkt[]; drops: Pkt[] } {
  const txs: Pkt[] = [];
  const rxs: Pkt[] = [];
  const drops: Pkt[] = [];
  for (const r of mine) {
    const s = side(strField(r, 'src'));
    const d = side(strField(r, 'dst'));
    if (s === -1 || d === -1) continue;
    if (r.ev === 'tx' && (nodes[s] === null || r.node === nodes[s])) txs.push({ rec: r, key: packetKey(r) });
    else if (r.ev === 'rx' && r.node === nodes[d]) rxs.push({ rec: r, key: packetKey(r) });
    else if (r.ev === 'drop') drops.push({ rec: r, key: packetKey(r) });
  }
  return { txs, rxs, drops };
}

/** ISNs: the SYN's seq, else the first seq the side sent (a RST from a closed port). */
function isnsOf(
  txs: readonly Pkt[],
  rxs: readonly Pkt[],
  side: (addr: string | undefined) => Side,
): [number | null, number | null] {
  const isn: [number | null, number | null] = [null, null];
  for (const p of txs) {
    const s = side(strField(p.rec, 'src')) as 0 | 1;
    if ((strField(p.rec, 'flags') ?? '').includes('S') && isn[s] === null) isn[s] = numField(p.rec, 'seq') ?? null;
  }
  for (const p of [...txs, ...rxs]) {
    const s = side(strField(p.rec, 'src')) as 0 | 1;
    if (isn[s] === null) isn[s] = numField(p.rec, 'seq') ?? null;
  }
  return isn;
}

interface MessageContext {
  addrs: readonly [string, string];
  isn: [number | null, number | null];
  absolute: boolean;
  rx: Pkt | undefined;
  drop: Pkt | undefined;
  /** Seen before with the same numbers and flags: a retransmission if it occupies sequence space. */
  repeat: boolean;
  /** HTTP/2 frames each side wrote (from `h2 frame` app records), to name the streams a segment carries. */
  frames: [H2Frame[], H2Frame[]];
}

/** One HTTP/2 frame in its sender's byte stream (offset 0 = the first byte after the SYN). */
interface H2Frame {
  offset: number;
  bytes: number;
  stream: number;
}

/** The `h2 frame` records of the connection, per sending side, in stream order. */
function h2FramesOf(mine: readonly TraceEvent[], side: (addr: string | undefined) => Side): [H2Frame[], H2Frame[]] {
  const out: [H2Frame[], H2Frame[]] = [[], []];
  for (const r of mine) {
    if (r.ev !== 'app' || r.what !== 'h2 frame') continue;
    const c = parseConn(strField(r, 'conn') ?? '');
    const s = c === null ? -1 : side(c[0]);
    const offset = numField(r, 'offset');
    const bytes = numField(r, 'bytes');
    const stream = numField(r, 'stream');
    if (s === -1 || offset === undefined || bytes === undefined || stream === undefined) continue;
    out[s].push({ offset, bytes, stream });
  }
  return out;
}

/** "streams 1, 3, 5": the streams (not 0, the connection) with frame bytes in [start, end). */
function streamsIn(frames: readonly H2Frame[], start: number, end: number): string {
  const ids: number[] = [];
  for (const f of frames) {
    if (f.offset >= end || f.offset + f.bytes <= start || f.stream === 0) continue;
    if (!ids.includes(f.stream)) ids.push(f.stream);
  }
  return ids.length === 0 ? '' : `${ids.length === 1 ? 'stream' : 'streams'} ${ids.join(', ')}`;
}

/** One sent segment as the diagram shows it, with its Wireshark-style label. */
function messageOf(p: Pkt, from: 0 | 1, c: MessageContext): LadderMessage {
  const r = p.rec;
  const flags = strField(r, 'flags') ?? '';
  const seq = numField(r, 'seq') ?? 0;
  const ack = numField(r, 'ack') ?? 0;
  const len = numField(r, 'len') ?? 0;
  // Without an explicit marker, a segment that occupies sequence space and repeats one
  // already sent is a retransmission (a repeated pure ACK is a duplicate ACK, not a retx).
  const occupies = len > 0 || flags.includes('S') || flags.includes('F');
  const retx = r.retx === true || (occupies && c.repeat);
  const rs = c.absolute ? seq : rel(seq, c.isn[from]);
  const ra = c.absolute ? ack : rel(ack, c.isn[from === 0 ? 1 : 0]);
  let label = `${flagNames(flags)} seq=${rs}`;
  if (flags.includes('.')) label += ` ack=${ra}`;
  if (len > 0) label += ` len=${len}`;
  const fastOpen = fastOpenNote(strField(r, 'tfo'), flags, len);
  if (fastOpen !== '') label += ` (${fastOpen})`;
  if (len > 0 && c.frames[from].length > 0) {
    // Relative seq 1 is the first data byte (the SYN took 0).
    const start = rel(seq, c.isn[from]) - 1;
    const streams = streamsIn(c.frames[from], start, start + len);
    if (streams !== '') label += ` · ${streams}`;
  }
  if (retx) label += ' (retx)';
  const win = numField(r, 'win') ?? null;
  const { rx, drop: dr } = c;
  const timing = rx
    ? `sent ${fmtS(r.t)} s, arrived ${fmtS(rx.rec.t)} s`
    : dr
      ? `sent ${fmtS(r.t)} s, dropped at ${dr.rec.node} ${fmtS(dr.rec.t)} s`
      : `sent ${fmtS(r.t)} s, never received`;
  return {
    from,
    tTx: r.t,
    tRx: rx ? rx.rec.t : null,
    drop: dr ? { t: dr.rec.t, node: dr.rec.node, reason: strField(dr.rec, 'reason') ?? 'dropped' } : null,
    flags,
    seq,
    ack,
    len,
    win,
    retx,
    label,
    detail: `${c.addrs[from]} → ${c.addrs[from === 0 ? 1 : 0]} ${flags} seq ${seq} ack ${ack} len ${len}${win !== null ? ` win ${win}` : ''}; ${timing}`,
  };
}

/**
 * TCP Fast Open in words (the trace's `tfo` field, RFC 7413): a SYN asking for a cookie, a SYN
 * carrying data with its cookie (or without one, tcp_fastopen 0x4), a SYN-ACK bringing a cookie.
 */
function fastOpenNote(tfo: string | undefined, flags: string, len: number): string {
  const syn = flags.includes('S');
  if (tfo === 'request') return 'Fast Open: cookie request';
  if (tfo === 'cookie')
    return syn && !flags.includes('.') && len > 0 ? 'Fast Open: data + cookie' : 'Fast Open: cookie';
  return syn && len > 0 ? 'Fast Open: data' : '';
}

/** Each side's state changes, from its own node's state records. */
function statesOf(
  mine: readonly TraceEvent[],
  side: (addr: string | undefined) => Side,
  nodes: readonly [string | null, string | null],
): [StateChange[], StateChange[]] {
  const states: [StateChange[], StateChange[]] = [[], []];
  for (const r of mine) {
    if (r.ev !== 'state') continue;
    const c = parseConn(strField(r, 'conn') ?? '');
    if (!c) continue;
    const s = side(c[0]);
    if (s === -1 || (nodes[s] !== null && r.node !== nodes[s])) continue;
    states[s].push({ t: r.t, from: strField(r, 'from') ?? '?', to: strField(r, 'to') ?? '?' });
  }
  return states;
}

/** The ladder of one connection. */
export function ladderModel(
  records: readonly TraceEvent[],
  conn: ConnectionRef,
  opts: LadderOptions = {},
): LadderModel {
  const key = pairKey(conn.a, conn.b);
  const mine = records.filter((r) => {
    const p = recordPair(r);
    return p !== null && pairKey(p[0], p[1]) === key;
  });
  const addrs = [conn.a, conn.b] as const;
  const nodes = [conn.nodeA, conn.nodeB] as const;
  const side = (addr: string | undefined): Side => (addr === addrs[0] ? 0 : addr === addrs[1] ? 1 : -1);
  const { txs, rxs, drops } = packetsOf(mine, side, nodes);
  const rxOf = matchAfter(txs, rxs);
  const dropOf = matchAfter(txs, drops);
  const isn = isnsOf(txs, rxs, side);
  const seen = new Set<string>();
  const frames = h2FramesOf(mine, side);
  const messages = txs.map((p) => {
    const repeat = seen.has(p.key);
    seen.add(p.key);
    return messageOf(p, side(strField(p.rec, 'src')) as 0 | 1, {
      addrs,
      isn,
      absolute: opts.absolute === true,
      rx: rxOf.get(p),
      drop: dropOf.get(p),
      repeat,
      frames,
    });
  });
  messages.sort((x, y) => x.tTx - y.tTx);
  let tStart = Infinity;
  let tEnd = -Infinity;
  for (const r of mine) {
    tStart = Math.min(tStart, r.t);
    tEnd = Math.max(tEnd, r.t);
  }
  return {
    endpoints: [
      { addr: conn.a, node: conn.nodeA, isn: isn[0] },
      { addr: conn.b, node: conn.nodeB, isn: isn[1] },
    ],
    messages,
    states: statesOf(mine, side, nodes),
    tStart: Number.isFinite(tStart) ? tStart : 0,
    tEnd: Number.isFinite(tEnd) ? tEnd : 0,
  };
}

function fmtS(t: number): string {
  return t.toFixed(6);
}
