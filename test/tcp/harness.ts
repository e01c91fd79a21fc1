/**
 * Trace-style fixtures for the engine: a recording EngineOutput, a packetdrill-like segment
 * parser with sequence numbers relative to each side's ISN, fixtures that put a connection in a
 * given state, and a back-to-back pair of engines with a delay between them.
 */
import { ConnEvent, STATE_NAMES, TcpState, type EngineOutput, type Endpoints, type Errno } from '../../src/tcp/api.ts';
import { Connection, SegmentVerdict } from '../../src/tcp/connection.ts';
import type { HandshakeInfo } from '../../src/tcp/handshake.ts';
import { tcpParams, type TcpParams } from '../../src/tcp/params.ts';
import { initialWindow, ourWindowScale, tsValue } from '../../src/tcp/window.ts';
import { MS, type Nanos } from '../../src/sim/time.ts';
import { parseFlags } from '../../src/wire/flags.ts';
import { formatSegment } from '../../src/wire/format.ts';
import { ACK, RST, SYN, type Segment, type TcpOptions } from '../../src/wire/segment.ts';

export const LOCAL = 0x0a000002;
export const REMOTE = 0x0a000001;
export const EP: Endpoints = { localAddr: LOCAL, localPort: 40000, remoteAddr: REMOTE, remotePort: 80 };
/** Our ISN and the peer's, so relative numbers read like packetdrill (both start at 0). */
export const OUR_ISS = 1_000_000;
export const PEER_ISS = 7_000_000;

export interface Sent {
  t: Nanos;
  seg: Segment;
  retransmit: boolean;
  ecn: number;
}

export class Recorder implements EngineOutput {
  sent: Sent[] = [];
  states: string[] = [];
  events: string[] = [];
  now: Nanos = 0;
  /** Optional hook: called for every transmitted segment (the pair's wire). */
  onTransmit: ((seg: Segment, retransmit: boolean) => void) | null = null;
  /** Optional hook: socket notifications (e.g. an application reading on READABLE). */
  onNotify: ((what: ConnEvent, errno?: Errno) => void) | null = null;

  transmit(_ep: Endpoints, seg: Segment, retransmit: boolean, ecn = 0): void {
    this.sent.push({ t: this.now, seg, retransmit, ecn });
    if (this.onTransmit !== null) this.onTransmit(seg, retransmit);
  }
  stateChanged(_ep: Endpoints, from: TcpState, to: TcpState): void {
    this.states.push(`${STATE_NAMES[from]}>${STATE_NAMES[to]}`);
  }
  notify(_ep: Endpoints, what: ConnEvent, errno?: Errno): void {
    const name = Object.entries(ConnEvent).find(([, v]) => v === what)![0];
    this.events.push(errno === undefined ? name : `${name}:${errno}`);
    if (this.onNotify !== null) this.onNotify(what, errno);
  }
  take(): Sent[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
  takeStates(): string[] {
    const s = this.states;
    this.states = [];
    return s;
  }
  takeEvents(): string[] {
    const s = this.events;
    this.events = [];
    return s;
  }
}

/** Our segment in packetdrill form relative to both ISNs, without window and options: "P. 1:1001(1000) ack 1". */
export function brief(seg: Segment, ourIss = OUR_ISS, peerIss = PEER_ISS): string {
  const full = formatSegment(seg, { seq: ourIss, ack: peerIss });
  return full.replace(/ win \d+.*$/, '');
}

/** Our segment with window and options. */
export function full(seg: Segment, ourIss = OUR_ISS, peerIss = PEER_ISS): string {
  return formatSegment(seg, { seq: ourIss, ack: peerIss });
}

/**
 * A peer segment from packetdrill text, numbers relative to the ISNs:
 * "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>", "F. 1:1(0) ack 2 win 257",
 * "- 1:1001(1000) win 20000" (no flags). TS values are absolute; sack edges relative to our ISN.
 */
export function peer(text: string, ourIss = OUR_ISS, peerIss = PEER_ISS): Segment {
  const m = /^\s*(\S+)\s+(\d+):(\d+)\((\d+)\)(?:\s+ack\s+(\d+))?(?:\s+win\s+(\d+))?(?:\s+<([^>]*)>)?\s*$/.exec(text);
  if (!m) throw new Error(`bad segment text: ${text}`);
  const flags = m[1] === '-' ? 0 : parseFlags(m[1]!);
  if (flags === null) throw new Error(`bad flags: ${m[1]}`);
  const len = Number(m[4]);
  let options: TcpOptions | null = null;
  if (m[7] !== undefined && m[7].trim() !== '') {
    options = {};
    for (const part of m[7].split(',')) {
      const p = part.trim().split(/\s+/);
      switch (p[0]) {
        case 'mss':
          options.mss = Number(p[1]);
          break;
        case 'sackOK':
          options.sackPermitted = true;
          break;
        case 'wscale':
          options.wscale = Number(p[1]);
          break;
        case 'TS':
          options.timestamp = { val: Number(p[2]) >>> 0, ecr: Number(p[4]) >>> 0 };
          break;
        case 'sack':
          options.sack = p.slice(1).map((r) => {
            const [a, b] = r.split(':').map(Number);
            return [(a! + ourIss) >>> 0, (b! + ourIss) >>> 0] as [number, number];
          });
          break;
        case 'nop':
          break;
        default:
          throw new Error(`unknown option ${p[0]}`);
      }
    }
  }
  return {
    srcPort: EP.remotePort,
    dstPort: EP.localPort,
    seq: (Number(m[2]) + peerIss) >>> 0,
    ack: m[5] !== undefined ? (Number(m[5]) + ourIss) >>> 0 : 0,
    flags,
    window: m[6] !== undefined ? Number(m[6]) : 65535,
    urgent: 0,
    options,
    len,
    payload: null,
  };
}

/** One connection under test, with its clock; segments read relative to both ISNs. */
export class Trace {
  now: Nanos = 0;
  constructor(
    readonly c: Connection,
    readonly rec: Recorder,
    readonly ourIss = OUR_ISS,
    readonly peerIss = PEER_ISS,
  ) {}

  /** A peer segment from packetdrill text, relative to this trace's ISNs. */
  peer(text: string): Segment {
    return peer(text, this.ourIss, this.peerIss);
  }

  /** Moves the clock (without running timers). */
  at(t: Nanos): this {
    this.now = t;
    this.rec.now = t;
    return this;
  }

  /** Delivers a peer segment; returns what we sent in answer (brief form). */
  in(text: string | Segment): string[] {
    const seg = typeof text === 'string' ? this.peer(text) : text;
    this.rec.now = this.now;
    this.c.onSegment(seg, this.now);
    return this.rec.take().map((s) => brief(s.seg, this.ourIss, this.peerIss));
  }

  /** Delivers a peer segment; returns what we sent with windows and options. */
  inFull(text: string | Segment): string[] {
    const seg = typeof text === 'string' ? this.peer(text) : text;
    this.rec.now = this.now;
    this.c.onSegment(seg, this.now);
    return this.rec.take().map((s) => full(s.seg, this.ourIss, this.peerIss));
  }

  /** Delivers a segment and returns the verdict too. */
  inVerdict(text: string): { out: string[]; verdict: SegmentVerdict } {
    this.rec.now = this.now;
    const verdict = this.c.onSegment(this.peer(text), this.now);
    return { out: this.rec.take().map((s) => brief(s.seg, this.ourIss, this.peerIss)), verdict };
  }

  /** Runs every timer up to `until`; returns what was sent as "t_ms brief". */
  runTimers(until: Nanos): string[] {
    const out: string[] = [];
    for (let guard = 0; guard < 100_000; guard++) {
      const d = this.c.deadline;
      if (d > until) break;
      this.at(d);
      this.c.onTimer(d);
      for (const s of this.rec.take()) out.push(`${fmtMs(s.t)} ${brief(s.seg, this.ourIss, this.peerIss)}`);
    }
    this.at(until);
    return out;
  }

  /** What was sent by a user call. */
  sent(): string[] {
    return this.rec.take().map((s) => brief(s.seg, this.ourIss, this.peerIss));
  }
}

/** Milliseconds, trimmed: 1000, 40, 0.5. */
export function fmtMs(t: Nanos): string {
  return String(Math.round((t / MS) * 1000) / 1000);
}

export interface OpenOptions {
  params?: Partial<TcpParams>;
  profile?: 'linux' | 'rfc9293';
  /** Options of the peer's SYN-ACK / SYN. */
  peerOptions?: string;
  peerWindow?: number;
  /** RTT of the handshake. */
  rtt?: Nanos;
  tsOffset?: number;
  /** Our ISN and the peer's (default OUR_ISS, PEER_ISS): near 2^32 to test the wrap. */
  iss?: number;
  peerIss?: number;
}

/**
 * The engine's rules at their nominal times: `timers: exact` unless a test asks for the wheel
 * (test/tcp/timer-wheel.test.ts shows what the wheel does to each timer).
 */
export function params(o: OpenOptions = {}): TcpParams {
  return tcpParams(o.profile ?? 'linux', { timers: 'exact', ...o.params });
}

/** SYN_SENT: connect() at t = 0, the SYN taken off the record. */
export function synSent(o: OpenOptions = {}): Trace {
  const rec = new Recorder();
  const iss = (o.iss ?? OUR_ISS) >>> 0;
  const c = Connection.connect(EP, params(o), iss, 0, rec, o.tsOffset ?? 0);
  const t = new Trace(c, rec, iss, (o.peerIss ?? PEER_ISS) >>> 0);
  rec.take();
  rec.takeStates();
  return t;
}

/**
 * ESTABLISHED by an active open: SYN at 0, SYN-ACK after `rtt` (default 100 ms), our ACK.
 * By default the peer sends no options but MSS 1000 (as the Linux gtests), so segments read simply.
 */
export function activeEstablished(o: OpenOptions = {}): Trace {
  const t = synSent(o);
  t.at(o.rtt ?? 100 * MS);
  const opts = o.peerOptions ?? 'mss 1000';
  t.in(`S. 0:0(0) ack 1 win ${o.peerWindow ?? 65535} <${opts}>`);
  t.rec.takeStates();
  t.rec.takeEvents();
  return t;
}

/** ESTABLISHED by a passive open (fromHandshake + the third ACK), SYN-ACK sent at 0, ACK at `rtt`. */
export function passiveEstablished(
  o: OpenOptions & { peerWscale?: number; sackOk?: boolean; tsOk?: boolean } = {},
): Trace {
  const rec = new Recorder();
  const p = params(o);
  const rtt = o.rtt ?? 100 * MS;
  const iss = (o.iss ?? OUR_ISS) >>> 0;
  const peerIss = (o.peerIss ?? PEER_ISS) >>> 0;
  const h: HandshakeInfo = {
    ep: EP,
    iss,
    irs: peerIss,
    peerWindow: o.peerWindow ?? 32792,
    peerMss: 1000,
    peerWscale: o.peerWscale ?? 7,
    ourWscale: ourWindowScale(p),
    sackOk: o.sackOk ?? true,
    tsOk: o.tsOk ?? false,
    tsRecent: 0,
    tsOffset: 0,
    synAckSentAt: 0,
  };
  const c = Connection.fromHandshake(h, p, rtt, rec);
  const t = new Trace(c, rec, iss, peerIss);
  t.at(rtt);
  t.in(`. 1:1(0) ack 1 win ${o.peerWscale === -1 ? (o.peerWindow ?? 32792) : 257}`);
  rec.takeStates();
  rec.takeEvents();
  return t;
}

// ---------------------------------------------------------------------------------------------
// Two engines back to back

interface Flight {
  at: Nanos;
  to: 0 | 1;
  seg: Segment;
  seq: number;
}

/**
 * Two engines wired back to back: every segment one emits arrives at the other `delay` later,
 * unless `drop` says otherwise. Side 1 may be passive: a tiny listener answers its first SYN
 * with a SYN-ACK and builds the connection from the handshake when the ACK arrives.
 */
export class Pair {
  now: Nanos = 0;
  readonly rec: [Recorder, Recorder] = [new Recorder(), new Recorder()];
  conn: [Connection | null, Connection | null] = [null, null];
  readonly eps: [Endpoints, Endpoints];
  drop: ((seg: Segment, from: 0 | 1) => boolean) | null = null;
  /** Extra delay per segment (reordering when it varies); none by default. */
  jitter: ((seg: Segment, from: 0 | 1) => Nanos) | null = null;
  /** Every segment on the wire as "t_ms a>b brief", for trace assertions. */
  log: string[] = [];
  private flights: Flight[] = [];
  private order = 0;
  private listenParams: TcpParams | null = null;
  private pendingSynAck: { iss: number; syn: Segment; sentAt: Nanos } | null = null;

  /** `isns`: side 0's and side 1's ISN (default OUR_ISS, PEER_ISS). */
  constructor(
    readonly delay: Nanos,
    readonly params: [TcpParams, TcpParams],
    readonly isns: [number, number] = [OUR_ISS, PEER_ISS],
  ) {
    this.eps = [
      { localAddr: LOCAL, localPort: 40000, remoteAddr: REMOTE, remotePort: 80 },
      { localAddr: REMOTE, localPort: 80, remoteAddr: LOCAL, remotePort: 40000 },
    ];
    for (const side of [0, 1] as const) {
      this.rec[side].onTransmit = (seg) => this.wire(side, seg);
    }
  }

  private iss(side: 0 | 1): number {
    return this.isns[side] >>> 0;
  }

  private wire(from: 0 | 1, seg: Segment): void {
    const to = (1 - from) as 0 | 1;
    const text = formatSegment(seg, { seq: this.iss(from), ack: this.iss(to) }).replace(/ win \d+.*$/, '');
    if (this.drop !== null && this.drop(seg, from)) {
      this.log.push(`${fmtMs(this.now)} ${from === 0 ? 'a>b' : 'b>a'} ${text} LOST`);
      return;
    }
    this.log.push(`${fmtMs(this.now)} ${from === 0 ? 'a>b' : 'b>a'} ${text}`);
    const extra = this.jitter !== null ? this.jitter(seg, from) : 0;
    this.flights.push({ at: this.now + this.delay + extra, to, seg, seq: this.order++ });
  }

  connect(side: 0 | 1): Connection {
    this.setNow(this.now);
    const c = Connection.connect(this.eps[side], this.params[side], this.iss(side), this.now, this.rec[side]);
    this.conn[side] = c;
    return c;
  }

  /** Side 1 listens: its first SYN is answered by a minimal listener. */
  listen(): void {
    this.listenParams = this.params[1];
  }

  private setNow(t: Nanos): void {
    this.now = t;
    this.rec[0].now = t;
    this.rec[1].now = t;
  }

  private deliver(f: Flight): void {
    const c = this.conn[f.to];
    if (c !== null && c.state !== TcpState.CLOSED) {
      c.onSegment(f.seg, this.now);
      return;
    }
    if (f.to === 1 && this.listenParams !== null) this.listener(f.seg);
  }

  private listener(seg: Segment): void {
    const p = this.listenParams!;
    if ((seg.flags & (SYN | ACK | RST)) === SYN) {
      const o = seg.options;
      const wsOffer = ourWindowScale(p);
      const opts: TcpOptions = { mss: p.mss };
      if (o?.sackPermitted && p.sack) opts.sackPermitted = true;
      if (o?.timestamp && p.timestamps) opts.timestamp = { val: tsValue(0, this.now), ecr: o.timestamp.val };
      if (o?.wscale !== undefined && wsOffer >= 0) opts.wscale = wsOffer;
      this.pendingSynAck = { iss: this.iss(1), syn: seg, sentAt: this.now };
      this.rec[1].transmit(
        this.eps[1],
        {
          srcPort: 80,
          dstPort: seg.srcPort,
          seq: this.iss(1),
          ack: (seg.seq + 1) >>> 0,
          flags: SYN | ACK,
          window: initialWindow(p),
          urgent: 0,
          options: opts,
          len: 0,
          payload: null,
        },
        false,
      );
      return;
    }
    const pend = this.pendingSynAck;
    if (pend !== null && seg.flags & ACK && seg.ack === (this.iss(1) + 1) >>> 0) {
      const o = pend.syn.options;
      const wsOffer = ourWindowScale(p);
      const h: HandshakeInfo = {
        ep: this.eps[1],
        iss: this.iss(1),
        irs: pend.syn.seq,
        peerWindow: pend.syn.window,
        peerMss: o?.mss ?? 536,
        peerWscale: o?.wscale ?? -1,
        ourWscale: o?.wscale !== undefined ? wsOffer : -1,
        sackOk: !!o?.sackPermitted && p.sack,
        tsOk: !!o?.timestamp && p.timestamps,
        tsRecent: o?.timestamp?.val ?? 0,
        tsOffset: 0,
        synAckSentAt: pend.sentAt,
      };
      this.pendingSynAck = null;
      const c = Connection.fromHandshake(h, p, this.now, this.rec[1]);
      this.conn[1] = c;
      if (this.onAccept !== null) this.onAccept(c);
      c.onSegment(seg, this.now);
    }
  }

  /** Called when the minimal listener creates side 1's connection. */
  onAccept: ((c: Connection) => void) | null = null;

  /** Runs the two engines until `until` (deliveries first, then timers, at each instant). */
  run(until: Nanos): void {
    for (let guard = 0; guard < 10_000_000; guard++) {
      let next = Infinity;
      for (const f of this.flights) if (f.at < next) next = f.at;
      for (const c of this.conn) if (c !== null && c.deadline < next) next = c.deadline;
      if (next > until) break;
      this.setNow(next);
      const due = this.flights.filter((f) => f.at <= next).sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.flights = this.flights.filter((f) => f.at > next);
      for (const f of due) this.deliver(f);
      for (const c of this.conn) if (c !== null && c.deadline <= this.now) c.onTimer(this.now);
    }
    this.setNow(until);
  }
}
