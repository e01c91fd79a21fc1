/**
 * Runs one parsed script against a fresh simulated host, on the virtual clock, with packetdrill's
 * semantics (run.c, run_packet.c, run_system_call.c):
 * - relative times count from when the previous event finished, except that consecutive inbound
 *   packets are anchored to each other's script times;
 * - inbound packets are injected at their time; system calls start at theirs;
 * - an outbound line takes the next packet the engine sent on the connection under test (packets
 *   on other connections are passed over, as packetdrill's sniffer does; a line that names its
 *   ports, a tcplab extension for multi-connection scripts, takes the next packet to the peer
 *   whatever its connection), compares it field by
 *   field, then checks its time against `--tolerance_usecs` (default 4 ms) plus 12.5 % of the
 *   time since the previous event; so a packet the script does not expect fails the next line;
 * - a segment shorter than the line expects is joined with the ones that follow it, as packetdrill
 *   joins what a TSO/GSO sender splits (unless --strict_segments), with the flags of the last
 *   segment and the CWR of the first (packetdrill aggregate_packets);
 * - the script ends after its last event: packets sent later are not examined (as packetdrill).
 */
import { Sim, type EventHandler } from '../sim/simulator.ts';
import { SEC, US, type Nanos } from '../sim/time.ts';
import { Tracer } from '../sim/trace.ts';
import type { HostPort } from '../net/host.ts';
import type { TcpInfoFields } from '../stack/socket-api.ts';
import type { TcpParams } from '../tcp/params.ts';
import { formatSegment } from '../wire/format.ts';
import type { Packet, Segment } from '../wire/segment.ts';
import { CWR, FIN, PROTO_TCP, PSH } from '../wire/segment.ts';
import { parseCode, runCode } from './code.ts';
import type { PyStmt } from './python.ts';
import type { DrillConfig } from './config.ts';
import { ECN_CODEPOINTS, Flows, inboundPacket } from './flows.ts';
import { inboundIcmp } from './icmp.ts';
import { Nstat } from './nstat.ts';
import type { DrillStack, DrillStackFactory } from './host.ts';
import { actualPacketText, compareOutbound, learnFromOutbound, scriptPacketText } from './match.ts';
import type { PacketEvent, DrillScript, ScriptEvent } from './script.ts';
import { Syscalls, type SyscallHost } from './syscalls.ts';
import { cookieHex, fastOpenCookie, parseFastOpenKeys } from '../tcp/fastopen-cookie.ts';
import { flushesMetrics, qdiscDropsAll, sysctlsFromCommands } from './sysctl.ts';

/** How long past a missed deadline the runner looks for a late packet, to report when it came. */
const LATE_HORIZON = 300 * SEC;
/** How long a call that should not block may run before the runner gives up on it. */
const INLINE_HORIZON = 300 * SEC;

const ECN_NAMES = ['noecn', 'ect1', 'ect0', 'ce'];

/** Runs the function an event carries (poll and epoll_wait timeouts: rare, so a closure is fine). */
const RUN_CALLBACK: EventHandler<() => void> = { onEvent: (_sim, _tag, fn) => fn() };

interface Captured {
  packet: Packet;
  at: Nanos;
}

interface CodeCheck {
  line: number;
  stmts: PyStmt[];
  info: TcpInfoFields;
}

/** Seconds with at least three decimals: 0.100s, 7.000s, 0.104500s. */
export function formatSeconds(ns: Nanos): string {
  const s = (ns / SEC).toFixed(6).replace(/0{1,3}$/, '');
  return `${s}s`;
}

export class ScriptRun implements SyscallHost {
  readonly sim = new Sim();
  readonly tracer = new Tracer();
  readonly stack: DrillStack;
  readonly flows: Flows;
  readonly syscalls: Syscalls;
  private readonly captured: Captured[] = [];
  private nextCaptured = 0;
  private waitingForPacket = false;
  private waitingForCall = false;
  private failure: string | null = null;
  private last: { at: Nanos; inbound: boolean } | null = null;
  private readonly codeChecks: CodeCheck[] = [];
  private readonly nstat = new Nstat();

  constructor(
    private readonly script: DrillScript,
    private readonly cfg: DrillConfig,
    readonly params: TcpParams,
    factory: DrillStackFactory,
  ) {
    this.flows = new Flows({
      localAddr: cfg.localAddr,
      remoteAddr: cfg.remoteAddr,
      bindPort: cfg.bindPort,
      defaultRemotePort: cfg.defaultRemotePort,
    });
    const port: HostPort = {
      name: 'drill',
      address: cfg.localAddr,
      sim: this.sim,
      tracer: this.tracer,
      send: (packet: Packet) => this.capture(packet),
    };
    this.stack = factory(port, params);
    this.syscalls = new Syscalls(this);
    resolveCookieSymbols(script, cfg, params);
  }

  get now(): Nanos {
    return this.sim.now;
  }
  get remoteAddr(): number {
    return this.cfg.remoteAddr;
  }
  get connectPort(): number {
    return this.cfg.connectPort;
  }
  get bindPort(): number {
    return this.cfg.bindPort;
  }

  private capture(packet: Packet): void {
    this.captured.push({ packet, at: this.sim.now });
    if (this.waitingForPacket) this.sim.stop();
  }

  fail(message: string): void {
    if (this.failure === null) this.failure = message;
    this.sim.stop();
  }

  schedule(at: Nanos, fn: () => void): void {
    this.sim.at(at, RUN_CALLBACK, 0, fn);
  }

  callFinished(): void {
    if (this.waitingForCall) this.sim.stop();
  }

  private tolerance(expected: Nanos, since: Nanos | null): Nanos {
    const base = this.cfg.toleranceUsecs * US;
    const dynamic = since === null ? 0 : Math.floor(((expected - since) * this.cfg.tolerancePercent) / 100);
    return Math.max(base, dynamic);
  }

  /** packetdrill's verify_time: the dynamic part counts from the previous event's script time. */
  checkTime(what: string, expected: Nanos, actual: Nanos): string | null {
    const tol = this.tolerance(expected, this.last?.at ?? null);
    if (Math.abs(actual - expected) <= tol) return null;
    return `timing error: expected ${what} at ${formatSeconds(expected)} but it happened at ${formatSeconds(actual)} (tolerance ${formatSeconds(tol)})`;
  }

  /** Runs the simulation up to `t` (events at `t` included) unless something stops it first. */
  private runUntil(t: Nanos): void {
    if (this.failure === null && t >= this.sim.now) this.sim.run({ until: t });
  }

  /** Event times made absolute, as packetdrill's adjust_relative_event_times does. */
  private adjust(ev: ScriptEvent): { at: Nanos; end: Nanos | null; callEnd: Nanos | null } {
    const inbound = ev.type === 'packet' && ev.direction === 'in';
    const offset = this.last !== null && this.last.inbound && inbound ? this.last.at : this.sim.now;
    const t = ev.time;
    let at: Nanos;
    let end: Nanos | null = null;
    switch (t.kind) {
      case 'absolute':
        at = t.at;
        break;
      case 'relative':
        at = offset + t.at;
        break;
      case 'absolute-range':
        at = t.at;
        end = t.end;
        break;
      case 'relative-range':
        at = offset + t.at;
        end = offset + t.end;
        break;
      case 'any':
        at = this.sim.now;
        break;
    }
    let callEnd: Nanos | null = null;
    if (ev.type === 'syscall' && ev.blockingEnd !== null)
      callEnd = t.kind === 'relative' ? offset + ev.blockingEnd : ev.blockingEnd;
    return { at, end, callEnd };
  }

  /** Runs every event; the result is null when the script passed, else its first failure. */
  run(): string | null {
    for (const ev of this.script.events) {
      if (this.failure !== null) break;
      const { at, end, callEnd } = this.adjust(ev);
      switch (ev.type) {
        case 'packet':
          if (ev.direction === 'in') this.inject(ev, at);
          else this.expectOutbound(ev, at, end);
          break;
        case 'syscall':
          this.runUntil(at);
          if (this.failure !== null) break;
          this.timely(ev.line, 'system call start', at);
          if (this.failure !== null) break;
          this.syscalls.run(ev, at, callEnd);
          if (this.syscalls.pending !== null && this.syscalls.pending.end === null)
            this.waitForCall(INLINE_HORIZON, 'blocked, but a call without a "...end" time must return at once');
          break;
        case 'command':
          this.runUntil(at);
          if (flushesMetrics(ev.command)) this.stack.flushMetrics?.();
          {
            const failed = this.nstat.run(ev.command, (name) => this.mib(name));
            if (failed !== null) this.fail(`line ${ev.line}: ${failed}`);
          }
          {
            const drop = qdiscDropsAll(ev.command);
            if (drop !== null) this.stack.localDrop = drop;
          }
          // Fast Open sysctls written between sockets (the upstream fastopen scripts) apply to the sockets made after.
          if (this.stack.setSysctls !== undefined) {
            const changed = sysctlsFromCommands(ev.command, () => null).params;
            if (Object.keys(changed).length > 0) this.stack.setSysctls(changed);
          }
          break;
        case 'code':
          this.runUntil(at);
          this.snapshot(ev.line, ev.code);
          break;
      }
      this.last = { at, inbound: ev.type === 'packet' && ev.direction === 'in' };
    }
    if (this.failure === null && this.syscalls.pending !== null) {
      const p = this.syscalls.pending;
      this.waitForCall(
        (p.end ?? this.sim.now) + this.tolerance(p.end ?? this.sim.now, this.last?.at ?? null) - this.sim.now,
        'was still blocked at the end of the script',
      );
    }
    if (this.failure === null) this.checkCode();
    return this.failure;
  }

  /** A Linux MIB counter by nstat name, from the stack (null: it keeps none of that kind). */
  private mib(name: string): number | null {
    const icmp = this.stack.icmpStats;
    if (name === 'TcpExtOutOfWindowIcmps') return icmp?.outOfWindowIcmps ?? null;
    if (name === 'IcmpInErrors') return icmp?.inErrors ?? null;
    return null;
  }

  private timely(line: number, what: string, at: Nanos): void {
    const late = this.checkTime(what, at, this.sim.now);
    if (late !== null) this.fail(`line ${line}: ${late}`);
  }

  private inject(ev: PacketEvent, at: Nanos): void {
    this.runUntil(at);
    if (this.failure !== null) return;
    this.timely(ev.line, 'inbound packet', at);
    if (this.failure !== null) return;
    const flow = this.flows.forInbound(ev);
    const packet =
      ev.icmp !== undefined
        ? inboundIcmp(ev.icmp, flow, this.flows.ends)
        : inboundPacket(ev, flow, this.flows.ends, this.cfg.tsEcrScaled);
    if (typeof packet === 'string') {
      this.fail(`line ${ev.line}: ${packet}`);
      return;
    }
    this.stack.receive(packet);
  }

  /** Waits for a blocked call to finish within `horizon`; fails with `complaint` when it does not. */
  private waitForCall(horizon: Nanos, complaint: string): void {
    const p = this.syscalls.pending;
    if (p === null || this.failure !== null) return;
    this.waitingForCall = true;
    this.runUntil(this.sim.now + Math.max(0, horizon));
    this.waitingForCall = false;
    if (this.failure === null && this.syscalls.pending === p)
      this.fail(`line ${p.ev.line}: ${p.ev.name}() ${complaint}`);
  }

  /** Does `p` belong to the flow the line expects (or, with no flow yet, to the scripted peer)? */
  private onFlow(p: Packet, ev: PacketEvent): boolean {
    const s = p.tcp;
    if (p.protocol !== PROTO_TCP || s === null || p.dst !== this.cfg.remoteAddr) return false;
    // A line that names its ports takes the next packet to the peer, whichever connection it is on.
    if (ev.ports !== null) return true;
    const f = this.flows.current;
    return f === null || (s.srcPort === f.localPort && s.dstPort === f.remotePort);
  }

  /** The next packet the engine sends on the line's flow by `deadline`, or null. */
  private nextPacket(ev: PacketEvent, deadline: Nanos): Captured | null {
    for (;;) {
      while (this.nextCaptured < this.captured.length) {
        const c = this.captured[this.nextCaptured++]!;
        if (this.onFlow(c.packet, ev)) return c;
      }
      if (this.failure !== null || this.sim.now >= deadline) return null;
      this.waitingForPacket = true;
      this.runUntil(deadline);
      this.waitingForPacket = false;
      if (this.nextCaptured >= this.captured.length && (this.sim.now >= deadline || this.failure !== null)) return null;
    }
  }

  /** Joins the segments that follow `first` until they carry the line's payload (TSO/GSO). */
  private aggregate(ev: PacketEvent, first: Captured, deadline: Nanos): { seg: Segment; last: Captured } | string {
    let seg = first.packet.tcp!;
    if (this.cfg.strictSegments || seg.len === 0 || seg.len >= ev.len) return { seg, last: first };
    let last = first;
    let prev = seg;
    let flags = seg.flags;
    let len = seg.len;
    while (len < ev.len) {
      const next = this.nextPacket(ev, deadline);
      if (next === null) break;
      const s = next.packet.tcp!;
      const loose = ~(PSH | FIN | CWR);
      if (s.seq !== (prev.seq + prev.len) >>> 0 || s.ack !== prev.ack || (s.flags & loose) !== (prev.flags & loose)) {
        return `joining segments for a ${ev.len}-byte line: ${actualPacketText(s, this.flows.current!)} does not continue ${actualPacketText(prev, this.flows.current!)}`;
      }
      if (len + s.len < ev.len && s.len !== prev.len) {
        return `joining segments for a ${ev.len}-byte line: fragment of ${s.len} bytes after one of ${prev.len}`;
      }
      // packetdrill aggregate_packets: the headers of the last packet, seq and CWR of the first.
      flags = (s.flags & ~CWR) | (seg.flags & CWR);
      len += s.len;
      prev = s;
      last = next;
    }
    seg = { ...seg, flags, len };
    return { seg, last };
  }

  /** Matches an outbound line against the next packet(s) the engine sent. */
  private expectOutbound(ev: PacketEvent, at: Nanos, end: Nanos | null): void {
    const any = ev.time.kind === 'any';
    const tol = this.tolerance(at, this.last?.at ?? null);
    const deadline = any ? this.sim.now + LATE_HORIZON : (end ?? at) + tol;
    const want = scriptPacketText(ev);
    const first = this.nextPacket(ev, deadline);
    if (this.failure !== null) return;
    if (first === null) {
      const late = this.nextPacket(ev, deadline + LATE_HORIZON);
      if (this.failure !== null) return;
      if (late === null) {
        this.fail(
          `line ${ev.line}: expected outbound ${want} at ${formatSeconds(at)}, but the engine sent nothing more on that connection`,
        );
        return;
      }
      this.verify(ev, late.packet.tcp!, late, late, at, end, any, tol);
      return;
    }
    const joined = this.aggregate(ev, first, deadline);
    if (typeof joined === 'string') {
      this.fail(`line ${ev.line}: ${joined}`);
      return;
    }
    this.verify(ev, joined.seg, first, joined.last, at, end, any, tol);
  }

  private verify(
    ev: PacketEvent,
    seg: Segment,
    first: Captured,
    last: Captured,
    at: Nanos,
    end: Nanos | null,
    any: boolean,
    tol: Nanos,
  ): void {
    const flow = this.flows.forOutbound(ev, seg);
    if (ev.ports !== null && (seg.srcPort !== ev.ports.src || seg.dstPort !== ev.ports.dst)) {
      this.fail(
        `line ${ev.line}: ports: expected ${ev.ports.src}>${ev.ports.dst}, got ${seg.srcPort}>${seg.dstPort} (engine sent ${formatSegment(seg)} at ${formatSeconds(first.at)})`,
      );
      return;
    }
    learnFromOutbound(ev, seg, flow);
    const mismatch = compareOutbound(ev, seg, flow, {
      tsTickUsecs: this.cfg.tsTickUsecs,
      toleranceUsecs: this.cfg.toleranceUsecs,
    });
    const got = `${actualPacketText(seg, flow)} at ${formatSeconds(first.at)}`;
    if (mismatch !== null) {
      this.fail(`line ${ev.line}: ${mismatch} (expected ${scriptPacketText(ev)}; engine sent ${got})`);
      return;
    }
    if (ev.ecn !== null) {
      const cp = first.packet.ecn ?? 0;
      const ok = ev.ecn === 'ect01' ? cp === 1 || cp === 2 : cp === ECN_CODEPOINTS[ev.ecn];
      if (!ok) {
        this.fail(`line ${ev.line}: IP ECN: expected [${ev.ecn}], got [${ECN_NAMES[cp]}] (engine sent ${got})`);
        return;
      }
    }
    if (any) return;
    const lo = at - tol;
    const hi = (end ?? at) + tol;
    for (const c of [first, last]) {
      if (c.at < lo || c.at > hi) {
        const when = end === null ? `at ${formatSeconds(at)}` : `in ${formatSeconds(at)}~${formatSeconds(end)}`;
        this.fail(
          `line ${ev.line}: timing error: expected ${scriptPacketText(ev)} ${when} but it was sent at ${formatSeconds(c.at)} (tolerance ${formatSeconds(tol)})`,
        );
        return;
      }
    }
  }

  private snapshot(line: number, code: string): void {
    const parsed = parseCode(code);
    if (!parsed.ok) {
      this.fail(`line ${line}: ${parsed.reason}`);
      return;
    }
    const sock = this.syscalls.connUnderTest();
    if (sock === null) {
      this.fail(`line ${line}: TCP_INFO needs a connected socket under test`);
      return;
    }
    this.codeChecks.push({ line, stmts: parsed.stmts, info: sock.linuxInfo() });
  }

  /** packetdrill runs `%{ }%` blocks after the script, in order, on the TCP_INFO snapshots taken on the way. */
  private checkCode(): void {
    const vars = new Map<string, number>();
    for (const c of this.codeChecks) {
      const bad = runCode(c.stmts, c.info, vars);
      if (bad !== null) {
        this.fail(`line ${c.line}: ${bad}`);
        return;
      }
    }
  }
}

/**
 * TFO_COOKIE / TFO_COOKIE_ZERO in Fast Open options become the cookie they stand for: what the
 * server (this host) makes for the script's remote address under the script's key, or under the
 * all-zero key (the values packetdrill's wrappers pass with -D for their default addresses).
 */
function resolveCookieSymbols(script: DrillScript, cfg: DrillConfig, params: TcpParams): void {
  const key = parseFastOpenKeys(params.fastOpenKey ?? '0-0-0-0')![0]!;
  const zero = parseFastOpenKeys('0-0-0-0')![0]!;
  for (const ev of script.events) {
    if (ev.type !== 'packet' || ev.options === null) continue;
    for (const o of ev.options) {
      if (o.kind !== 'fastopen' || (o.cookie !== 'TFO_COOKIE' && o.cookie !== 'TFO_COOKIE_ZERO')) continue;
      o.cookie = cookieHex(fastOpenCookie(cfg.remoteAddr, cfg.localAddr, o.cookie === 'TFO_COOKIE' ? key : zero));
    }
  }
}
