/**
 * Test fixture for the listener: a recording EngineOutput and a ListenerHost whose "connections"
 * are plain records, so tests read as packet traces (deliver a segment, get exactly what we sent).
 */
import { formatFlags } from '../../src/wire/flags.ts';
import { ACK, SYN, type Segment, type TcpOptions } from '../../src/wire/segment.ts';
import {
  STATE_NAMES,
  type ConnEvent,
  type EngineOutput,
  type Endpoints,
  type Errno,
  type TcpState,
} from '../../src/tcp/api.ts';
import type { HandshakeInfo } from '../../src/tcp/handshake.ts';
import { Listener, type ListenerHost } from '../../src/tcp/listener.ts';
import { tcpParams, type TcpParams } from '../../src/tcp/params.ts';
import { CookieSecret } from '../../src/tcp/syn-cookies.ts';
import type { DstMetrics } from '../../src/tcp/dst-metrics.ts';
import type { Nanos } from '../../src/sim/time.ts';

export const SERVER = 0x0a000001; // 10.0.0.1
export const CLIENT = 0x0a000002; // 10.0.0.2
export const ISS = 5000;

export interface Sent {
  t: Nanos;
  seg: Segment;
  to: number;
  retransmit: boolean;
}
export interface Child {
  h: HandshakeInfo;
  acks: Segment[];
  aborted: boolean;
}

export class Recorder implements EngineOutput {
  sent: Sent[] = [];
  states: string[] = [];
  notes: number[] = [];
  now = 0;
  transmit(ep: Endpoints, seg: Segment, retransmit: boolean): void {
    this.sent.push({ t: this.now, seg, to: ep.remoteAddr, retransmit });
  }
  stateChanged(ep: Endpoints, from: TcpState, to: TcpState): void {
    this.states.push(`${ep.remoteAddr.toString(16)}:${ep.remotePort} ${STATE_NAMES[from]}>${STATE_NAMES[to]}`);
  }
  notify(_ep: Endpoints, what: ConnEvent, _errno?: Errno): void {
    this.notes.push(what);
  }
  /** Takes what was sent since the last call. */
  take(): Sent[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
}

export class FakeHost implements ListenerHost<Child> {
  children: Child[] = [];
  initialSeq(): number {
    return ISS;
  }
  tsOffset(_laddr: number, raddr: number): number {
    return raddr === CLIENT ? 1_000_000 : 0;
  }
  completeHandshake(h: HandshakeInfo, ack: Segment): Child {
    const c = { h, acks: [ack], aborted: false };
    this.children.push(c);
    return c;
  }
  abortChild(child: Child): void {
    child.aborted = true;
  }
}

export function makeListener(
  overrides: Partial<TcpParams> = {},
  backlog = 128,
  profile: 'linux' | 'rfc9293' = 'linux',
  metrics: DstMetrics | null = null,
) {
  const out = new Recorder();
  const host = new FakeHost();
  const params = tcpParams(profile, { timers: 'exact', ...overrides }); // nominal times (see harness.ts)
  let k = 0x1234567;
  const secret = CookieSecret.from(() => (k = (Math.imul(k, 1103515245) + 12345) >>> 0));
  const listener = new Listener<Child>({
    localAddr: SERVER,
    localPort: 80,
    backlog,
    params,
    out,
    host,
    secret,
    cacheKey: [7, 9],
    metrics,
  });
  return { out, host, listener, params, secret };
}

export function seg(
  flags: number,
  seq: number,
  ack: number,
  opts: TcpOptions | null = null,
  srcPort = 40000,
  len = 0,
): Segment {
  return {
    srcPort,
    dstPort: 80,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags,
    window: 65535,
    urgent: 0,
    options: opts,
    len,
    payload: null,
  };
}

export const SYN_OPTS: TcpOptions = { mss: 1460, sackPermitted: true, timestamp: { val: 100, ecr: 0 }, wscale: 7 };

export function syn(srcPort = 40000, seq = 0, opts: TcpOptions | null = SYN_OPTS): Segment {
  return seg(SYN, seq, 0, opts, srcPort);
}

export function finalAck(synAck: Segment, opts: TcpOptions | null = null, len = 0): Segment {
  return { ...seg(ACK, synAck.ack, synAck.seq + 1, opts, synAck.dstPort, len) };
}

/** Runs the listener's timer up to `until`, recording the time of each wake-up. */
export function runTimers(listener: Listener<Child>, out: Recorder, until: Nanos): void {
  for (let d = listener.deadline; d <= until; d = listener.deadline) {
    out.now = d;
    listener.onTimer(d);
  }
  out.now = until;
}

/** One-line packetdrill-style rendering: "S. 5000:5000(0) ack 1". */
export function line(s: Sent): string {
  const g = s.seg;
  return `${formatFlags(g.flags)} ${g.seq}:${(g.seq + g.len) >>> 0}(${g.len})${g.flags & ACK ? ` ack ${g.ack}` : ''}`;
}
