/**
 * The engine fuzz model, shared by the property test (test/tcp/property.test.ts), the bounded
 * fuzz in the suite (test/fuzz) and `npm run fuzz`: fixtures for a connection in every state,
 * random and mutated segments, timer runs and user calls, and the TCB invariants after every
 * step. A broken invariant throws InvariantError; anything else thrown is an engine crash.
 */
import fc from 'fast-check';
import { STATE_NAMES, TcpState } from '../../src/tcp/api.ts';
import type { Connection } from '../../src/tcp/connection.ts';
import type { TcpParams } from '../../src/tcp/params.ts';
import { sizeGoal } from '../../src/tcp/send-skbs.ts';
import { seqLe, seqSub } from '../../src/tcp/seq.ts';
import { windowSpace } from '../../src/tcp/window.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, FIN, PSH, RST, SYN, type Segment, type TcpOptions } from '../../src/wire/segment.ts';
import { activeEstablished, passiveEstablished, synSent, type Trace } from './harness.ts';

export class InvariantError extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new InvariantError(what);
}

export type Fixture = (profile: 'linux' | 'rfc9293', isn?: Isn, params?: Partial<TcpParams>) => Trace;

/** Both ISNs, so the same runs can be made near the 2^32 wrap. */
export interface Isn {
  iss?: number;
  peerIss?: number;
}

export const FIXTURES: Record<string, Fixture> = {
  SYN_SENT: (profile, isn = {}, params = {}) => synSent({ profile, params, ...isn }),
  SYN_RCVD: (profile, isn = {}, params = {}) => {
    const t = synSent({ profile, params, ...isn });
    t.in('S 0:0(0) win 65535 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 3>');
    return t;
  },
  ESTABLISHED: (profile, isn = {}, params = {}) =>
    activeEstablished({ profile, params, ...isn, peerOptions: 'mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 3' }),
  ESTABLISHED_busy: (profile, isn = {}, params = {}) => {
    const t = passiveEstablished({ profile, params, ...isn });
    t.c.send(20000, t.now);
    t.in('. 2001:3001(1000) ack 1 win 257');
    return t;
  },
  FIN_WAIT_1: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn });
    t.c.send(3000, t.now);
    t.c.close(t.now);
    return t;
  },
  FIN_WAIT_2: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn });
    t.c.shutdown('wr', t.now);
    t.in('. 1:1(0) ack 2 win 65535');
    return t;
  },
  FIN_WAIT_2_closed: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn });
    t.c.close(t.now);
    t.in('. 1:1(0) ack 2 win 65535');
    return t;
  },
  CLOSE_WAIT: (profile, isn = {}, params = {}) => {
    const t = passiveEstablished({ profile, params, ...isn });
    t.in('F. 1:1(0) ack 1 win 257');
    t.c.send(5000, t.now);
    return t;
  },
  CLOSING: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn });
    t.c.close(t.now);
    t.in('F. 1:1(0) ack 1 win 65535');
    return t;
  },
  LAST_ACK: (profile, isn = {}, params = {}) => {
    const t = passiveEstablished({ profile, params, ...isn });
    t.in('F. 1:1(0) ack 1 win 257');
    t.c.close(t.now);
    return t;
  },
  TIME_WAIT: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn, peerOptions: 'mss 1000,TS val 5 ecr 0' });
    t.c.close(t.now);
    t.in('F. 1:1(0) ack 2 win 65535 <nop,nop,TS val 6 ecr 0>');
    return t;
  },
  CLOSED: (profile, isn = {}, params = {}) => {
    const t = activeEstablished({ profile, params, ...isn });
    t.c.abort(t.now);
    return t;
  },
};

/** A segment description relative to the connection, so most land near the windows. */
export interface SegSpec {
  flags: number;
  seqOff: number;
  ackOff: number;
  near: boolean;
  rawSeq: number;
  rawAck: number;
  window: number;
  len: number;
  ts: null | { val: number; ecr: number };
  sack: Array<[number, number]> | null;
  syn: null | { mss?: number; wscale?: number };
}

export const segSpec: fc.Arbitrary<SegSpec> = fc.record({
  flags: fc.oneof(
    fc.constantFrom(ACK, ACK | PSH, ACK | FIN, RST, RST | ACK, SYN, SYN | ACK, FIN, 0, ACK | FIN | PSH),
    fc.integer({ min: 0, max: 255 }),
  ),
  seqOff: fc.integer({ min: -70000, max: 140000 }),
  ackOff: fc.integer({ min: -70000, max: 40000 }),
  near: fc.boolean(),
  rawSeq: fc.nat({ max: 0xffffffff }),
  rawAck: fc.nat({ max: 0xffffffff }),
  window: fc.oneof(fc.constantFrom(0, 1, 257, 65535), fc.nat({ max: 65535 })),
  len: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  ts: fc.option(fc.record({ val: fc.nat({ max: 0xffffffff }), ecr: fc.nat({ max: 0xffffffff }) })),
  sack: fc.option(fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { maxLength: 4 })),
  syn: fc.option(
    fc.record({
      mss: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      wscale: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    }),
  ),
});

export function build(c: Connection, s: SegSpec): Segment {
  let options: TcpOptions | null = null;
  if (s.ts !== null || s.sack !== null || s.syn !== null) {
    options = {};
    if (s.ts !== null) options.timestamp = s.ts;
    if (s.sack !== null) options.sack = s.sack;
    if (s.syn !== null) {
      if (s.syn.mss !== undefined) options.mss = s.syn.mss;
      if (s.syn.wscale !== undefined) options.wscale = s.syn.wscale;
    }
  }
  return {
    srcPort: c.ep.remotePort,
    dstPort: c.ep.localPort,
    seq: s.near ? (c.rcvNxt + s.seqOff) >>> 0 : s.rawSeq,
    ack: s.near ? (c.sndUna + s.ackOff) >>> 0 : s.rawAck,
    flags: s.flags,
    window: s.window,
    urgent: 0,
    options,
    len: s.len,
    payload: null,
  };
}

export type Op =
  | { kind: 'seg'; spec: SegSpec }
  | { kind: 'echo'; which: number; mutate: number; delta: number }
  | { kind: 'time'; dt: number }
  | { kind: 'send'; n: number }
  | { kind: 'recv'; n: number }
  | { kind: 'user'; call: 'close' | 'abort' | 'shutdown-wr' | 'shutdown-rd' | 'nodelay' | 'destroy' };

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: segSpec.map((spec) => ({ kind: 'seg' as const, spec })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('echo' as const),
      which: fc.nat(),
      mutate: fc.nat({ max: 6 }),
      delta: fc.integer({ min: -3000, max: 3000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('time' as const),
      dt: fc.oneof(
        fc.integer({ min: 0, max: 2000 }).map((x) => x * MS),
        fc.integer({ min: 0, max: 300 }).map((x) => x * SEC),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('send' as const), n: fc.integer({ min: 0, max: 100000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('recv' as const), n: fc.integer({ min: 0, max: 100000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('user' as const),
      call: fc.constantFrom('close', 'abort', 'shutdown-wr', 'shutdown-rd', 'nodelay', 'destroy'),
    }),
  },
);

/** A segment we sent, reflected back as if from the peer (swapped roles), then mutated. */
export function echo(t: Trace, sent: Segment[], o: Extract<Op, { kind: 'echo' }>): Segment | null {
  if (sent.length === 0) return null;
  const s = sent[o.which % sent.length]!;
  const seg: Segment = {
    ...s,
    srcPort: s.dstPort,
    dstPort: s.srcPort,
    seq: s.ack,
    ack: s.seq + s.len + (s.flags & (SYN | FIN) ? 1 : 0),
  };
  switch (o.mutate) {
    case 1:
      seg.seq = (seg.seq + o.delta) >>> 0;
      break;
    case 2:
      seg.ack = (seg.ack + o.delta) >>> 0;
      break;
    case 3:
      seg.flags ^= 1 << (Math.abs(o.delta) % 8);
      break;
    case 4:
      seg.len = Math.abs(o.delta);
      break;
    case 5:
      seg.window = Math.abs(o.delta) % 65536;
      break;
    case 6:
      seg.seq = (t.c.rcvNxt + o.delta) >>> 0;
      seg.len = Math.abs(o.delta) % 1500;
      break;
    default:
      break;
  }
  return seg;
}

/** Each connection's receive-buffer use at the last check. */
const usedBefore = new WeakMap<object, number>();

/** The largest size_goal each connection has had: the bound a write made under it still obeys. */
const largestGoal = new WeakMap<object, number>();

export function checkInvariants(t: Trace, label: string): void {
  const c = t.c;
  const where = `${label} in ${STATE_NAMES[c.state]}`;
  check(seqLe(c.sndUna, c.sndNxt), `SND.UNA ≤ SND.NXT ${where}`);
  check(seqLe(c.sndNxt, c.sndMax), `SND.NXT ≤ SND.MAX ${where}`);
  check(seqSub(c.sndMax, c.writeSeq) <= 1, `nothing sent beyond the data and FIN ${where}`);
  // With skb accounting a write checks the buffer only before a new skb (Linux tcp_sendmsg): it
  // may pass the buffer by that skb and by the refill of a split tail, each charged its payload
  // (at most the size_goal of the write, which a later, smaller MSS from the peer's SYN does not
  // shrink) plus the skb's own truesize.
  const goal = Math.max(sizeGoal(c), largestGoal.get(c) ?? 0);
  largestGoal.set(c, goal);
  const overshoot = c.params.skbTruesize > 0 ? 2 * (goal + c.params.skbTruesize) : 0;
  check(c.sendBuffered >= 0 && c.sendBuffered <= c.sndBuf + overshoot, `send buffer bounded ${where}`);
  check(c.rcvq.readable >= 0 && c.rcvq.oooBytes >= 0, `receive counts ${where}`);
  // The window may promise more than a small buffer holds (rounded up to the scale unit, as
  // Linux's ALIGN in __tcp_select_window): one segment may take the buffer over its size, as
  // Linux's tcp_try_rmem_schedule checks before charging, but nothing more arrives while it is over.
  const used = c.rcvq.readable + c.rcvq.oooBytes;
  const before = usedBefore.get(c) ?? 0;
  usedBefore.set(c, used);
  check(used <= c.rcvBuf || before <= c.rcvBuf || used <= before, `receive buffer bounded ${where}`);
  check(c.rcvWnd <= Math.max(windowSpace(c.params), 65535 * 2 ** c.rcvWscale), `window ${where}`);
  check(c.deadline === Infinity || c.deadline >= t.now, `deadline not in the past ${where}: ${c.deadline} < ${t.now}`);
  check(Number.isFinite(c.rto) && c.rto > 0, `RTO ${where}`);
  check(c.cc.cwnd >= 1, `cwnd ${where}`);
  if (c.state === TcpState.CLOSED) check(c.deadline === Infinity, `closed keeps no timer (${label})`);
}

/**
 * The transitions RFC 9293 (figure 5, section 3.10) allows a connection, plus what Linux adds
 * without leaving the diagram's spirit: an abort or a reset from any synchronized state, a
 * timeout from SYN-SENT, SYN-RECEIVED, FIN-WAIT-2 and the data states.
 */
const LEGAL: ReadonlySet<string> = new Set([
  'SYN_SENT>SYN_RCVD',
  'SYN_SENT>ESTABLISHED',
  'SYN_SENT>CLOSED',
  'SYN_RCVD>ESTABLISHED',
  'SYN_RCVD>FIN_WAIT_1',
  'SYN_RCVD>CLOSED',
  'ESTABLISHED>FIN_WAIT_1',
  'ESTABLISHED>CLOSE_WAIT',
  'ESTABLISHED>CLOSED',
  'FIN_WAIT_1>FIN_WAIT_2',
  'FIN_WAIT_1>CLOSING',
  'FIN_WAIT_1>TIME_WAIT',
  'FIN_WAIT_1>CLOSED',
  'FIN_WAIT_2>TIME_WAIT',
  'FIN_WAIT_2>CLOSED',
  'CLOSE_WAIT>LAST_ACK',
  'CLOSE_WAIT>CLOSED',
  'CLOSING>TIME_WAIT',
  'CLOSING>CLOSED',
  'LAST_ACK>CLOSED',
  'TIME_WAIT>CLOSED',
]);

export function checkStateChain(states: string[], first: string): void {
  let cur = first;
  for (const s of states) {
    const [from, to] = s.split('>');
    check(from === cur, `transition ${s} continues ${cur}`);
    check(LEGAL.has(s), `transition ${s} is one RFC 9293 allows`);
    cur = to!;
  }
}

/** The state a fixture's name promises (a suffix after the state name tells variants apart). */
export function fixtureState(name: string): string {
  if ((STATE_NAMES as readonly string[]).includes(name)) return name;
  return STATE_NAMES.find((n) => name.startsWith(`${n}_`)) ?? name;
}

export const NEAR_WRAP: Isn = { iss: 0xffffffff - 2500, peerIss: 0xffffffff - 700 };

/** Applies one step; returns whether the connection was CLOSED before it (only RSTs may go out then). */
export function applyOp(t: Trace, sent: Segment[], o: Op): boolean {
  const wasClosed = t.c.state === TcpState.CLOSED;
  switch (o.kind) {
    case 'seg':
      t.c.onSegment(build(t.c, o.spec), t.now);
      break;
    case 'echo': {
      const seg = echo(t, sent, o);
      if (seg !== null) t.c.onSegment(seg, t.now);
      break;
    }
    case 'time':
      t.runTimers(t.now + o.dt);
      break;
    case 'send':
      t.c.send(o.n, t.now);
      break;
    case 'recv':
      t.c.recv(o.n, t.now);
      break;
    case 'user':
      switch (o.call) {
        case 'close':
          t.c.close(t.now);
          break;
        case 'abort':
          t.c.abort(t.now);
          break;
        case 'shutdown-wr':
          t.c.shutdown('wr', t.now);
          break;
        case 'shutdown-rd':
          t.c.shutdown('rd', t.now);
          break;
        case 'nodelay':
          t.c.setNoDelay(true, t.now);
          break;
        case 'destroy':
          t.c.destroy(t.now);
          break;
      }
      break;
  }
  return wasClosed;
}

/** What every segment we send must be: window and length in range, 32-bit numbers, only RST from CLOSED. */
export function checkSent(seg: Segment, wasClosed: boolean): void {
  check(seg.window >= 0 && seg.window <= 65535, `window ${seg.window} in 0…65535`);
  check(seg.len >= 0, 'length not negative');
  check(seg.seq >>> 0 === seg.seq && seg.ack >>> 0 === seg.ack, 'seq and ack are 32-bit');
  // Without a TCB only resets go out (RFC 9293 3.10.7.1).
  if (wasClosed) check((seg.flags & RST) === RST, 'a closed connection only sends RST');
}

/** One fuzz case: a fixture, then the ops; throws on a broken invariant or an engine crash. */
export function runCase(
  make: Fixture,
  profile: 'linux' | 'rfc9293',
  isn: Isn,
  ops: readonly Op[],
  params: Partial<TcpParams> = {},
): void {
  const t = make(profile, isn, params);
  const start = STATE_NAMES[t.c.state]!;
  t.rec.takeStates();
  const sent: Segment[] = t.rec.take().map((s) => s.seg);
  checkInvariants(t, 'fixture');
  let freed = 0;
  t.rec.onNotify = (what) => {
    if (what === 5) freed++;
  };
  for (const o of ops) {
    const wasClosed = applyOp(t, sent, o);
    for (const s of t.rec.take()) {
      sent.push(s.seg);
      checkSent(s.seg, wasClosed);
    }
    checkInvariants(t, o.kind);
  }
  checkStateChain(t.rec.takeStates(), start);
  check(freed <= 1, 'the connection is freed at most once');
}
