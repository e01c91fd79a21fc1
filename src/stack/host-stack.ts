/**
 * The TCP stack of one host: demultiplexing by 4-tuple, then listeners by port, then RST
 * (RFC 9293 3.10.7.1); ephemeral ports; one wake-up per connection and per listener on the Sim;
 * engine outputs turned into IPv4 packets; state records for the trace; the socket API.
 * Protocol rules live in src/tcp: this file only routes.
 *
 * Wake-ups: each entity remembers the time and id of its one scheduled event. After every engine
 * call the stack compares the entity's `deadline` with it and reschedules only when the deadline
 * moved earlier; a wake-up that finds the deadline moved later just reschedules itself.
 *
 * Notifications from the engine are queued and delivered to applications when the outermost
 * stack call returns (CallBracket), so application code never runs inside an engine call.
 */
import type { EventHandler, Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_TIME_EXCEEDED } from '../wire/icmp.ts';
import { ANNOT_RETRANSMIT, PROTO_ICMP, PROTO_TCP, type Packet, type Segment } from '../wire/segment.ts';
import { IcmpVerdict } from '../tcp/icmp-error.ts';
import { RouteCache } from '../net/route-cache.ts';
import {
  ConnEvent,
  STATE_NAMES,
  TcpState,
  type EngineOutput,
  type Endpoints,
  type Errno,
  type LentEndpoints,
} from '../tcp/api.ts';
import { Connection, FO_DEFER, SegmentVerdict } from '../tcp/connection.ts';
import type { HandshakeInfo } from '../tcp/handshake.ts';
import { Listener } from '../tcp/listener.ts';
import { withSocketOptions, type TcpParams } from '../tcp/params.ts';
import { HostTcp, TW_DESTROY, TW_UNCOUNTED, type GroupCounts } from '../tcp/host-tcp.ts';
import { resetForUnmatched } from '../tcp/reset.ts';
import { TimeWaitSock } from '../tcp/time-wait-sock.ts';
import { DstMetrics } from '../tcp/dst-metrics.ts';
import { FastOpenBlackhole } from '../tcp/fastopen-blackhole.ts';
import {
  FO_EVENT_ACCEPTED,
  FO_EVENT_FALLBACK,
  FO_EVENT_REQUESTED,
  TFO_CLIENT_ENABLE,
  type FastOpenState,
} from '../tcp/fastopen.ts';
import { EphemeralPorts, type PortChecker } from './ephemeral-ports.ts';
import { FlowTable, portsKey } from './flow-table.ts';
import type { HostPort, Transport as PacketReceiver } from '../net/host.ts';
import {
  SocketError,
  type ConnectOptions,
  type ListenHandler,
  type ListenSocket,
  type RawSocket,
  type SocketHandler,
  type StackStats,
  type TcpStack,
} from './socket-api.ts';
import { StackListenSocket, StackSocket, type SocketOwner } from './sockets.ts';
import { CallBracket } from './call-bracket.ts';
import { checkBoundConnect, visitPorts } from './bind-checks.ts';

const WAKE_CONN = 1;
const WAKE_LISTENER = 2;

export class HostStack
  extends CallBracket
  implements
    TcpStack,
    PacketReceiver,
    EngineOutput,
    EventHandler<StackSocket | StackListenSocket>,
    SocketOwner,
    PortChecker
{
  // The host's counters (StackStats), as fields: one object fewer per host. HostTcp counts the
  // connection states into the three it shares (StateCounts: this stack is its `counts`).
  segmentsSent = 0;
  segmentsRetransmitted = 0;
  /** Connections now in ESTABLISHED or CLOSE_WAIT (Linux's CurrEstab); kept by HostTcp. */
  established = 0;
  /** Connections now in TIME-WAIT, and the most at once; kept by HostTcp. */
  timeWait = 0;
  timeWaitPeak = 0;
  fastOpenRequested = 0;
  fastOpenAccepted = 0;
  fastOpenFallback = 0;
  /** Made by the first Fast Open connection (most hosts never make one): see `fastOpenBlackhole`. */
  private blackhole: FastOpenBlackhole | null = null;
  /** The host's TCP state and rules: secrets, ISN and TSval offsets, state counts, TIME-WAIT policy. */
  readonly tcp: HostTcp;
  private readonly sim: Sim;
  private readonly flows = new FlowTable<StackSocket>();
  /** Listening sockets by port; created by the first listen() (most hosts are only clients). */
  private listeners: Map<number, StackListenSocket> | null = null;
  private readonly ports: EphemeralPorts;
  /** What past connections learned per destination (Linux tcp_metrics); the engine reads and writes it. */
  readonly metrics = new DstMetrics();
  private ipId = 0;

  constructor(
    private readonly port: HostPort,
    params: TcpParams,
    seed: number,
  ) {
    super();
    this.sim = port.sim;
    const tcp = (this.tcp = new HostTcp(params, seed, port.name, this));
    this.ports = new EphemeralPorts(params.ephemeralLow, params.ephemeralHigh, tcp, params.twReuse);
  }

  /**
   * Active Fast Open blackhole detection, host-wide as Linux's per-namespace state; `events` is
   * TCPFastOpenBlackhole. Made when first read: the engine reads it only for connections that use
   * Fast Open, and a new one is in the state an untouched one would be in (never paused).
   */
  get fastOpenBlackhole(): FastOpenBlackhole {
    return (this.blackhole ??= new FastOpenBlackhole());
  }

  /** The host's address (its port's; read by connect and listen, not per segment). */
  get address(): number {
    return this.port.address;
  }

  /** The host's parameters, with its jiffies phase (timer-wheel.ts) filled in. */
  get params(): TcpParams {
    return this.tcp.params;
  }

  /**
   * Established and TIME-WAIT counts summed over a group of hosts, kept as they change (set by the
   * experiment's time series): a sample then reads one object, not the counters of 100k hosts.
   */
  get groupCounts(): GroupCounts | null {
    return this.tcp.groupCounts;
  }

  set groupCounts(g: GroupCounts | null) {
    this.tcp.groupCounts = g;
  }

  get now(): Nanos {
    return this.sim.now;
  }

  /** Connections the demultiplexer holds (every state but CLOSED, listeners apart). */
  get connectionCount(): number {
    return this.flows.size;
  }

  /** The counters now (a new object per call). */
  stats(): Required<StackStats> {
    return {
      segmentsSent: this.segmentsSent,
      segmentsRetransmitted: this.segmentsRetransmitted,
      established: this.established,
      timeWait: this.timeWait,
      timeWaitPeak: this.timeWaitPeak,
      fastOpenRequested: this.fastOpenRequested,
      fastOpenAccepted: this.fastOpenAccepted,
      fastOpenFallback: this.fastOpenFallback,
    };
  }

  // --- TcpStack ---

  connect(
    remoteAddr: number,
    remotePort: number,
    handler: SocketHandler,
    options: ConnectOptions = {},
  ): StackSocket | Errno {
    const params = options.params ? withSocketOptions(this.params, options.params) : this.params;
    const now = this.sim.now;
    this.begin();
    try {
      let lport: number;
      if (options.localPort !== undefined) {
        lport = options.localPort;
        const refused = checkBoundConnect(
          this.flows,
          this.listeners,
          this,
          lport,
          remoteAddr,
          remotePort,
          options.reuseAddr === true,
        );
        if (refused !== null) return refused;
      } else {
        lport = this.ports.pick(this.address, remoteAddr, remotePort, this);
        if (lport < 0) return 'EADDRNOTAVAIL'; // no free ephemeral port toward that destination
      }
      // A holder left on the tuple is a TIME-WAIT that portUsable let go (tcp_tw_reuse).
      const held = this.flows.get(remoteAddr, portsKey(lport, remotePort));
      let iss: number;
      if (held !== undefined) {
        iss = this.tcp.takeOverTimeWait(held.conn, now);
        this.touch(held);
      } else {
        iss = this.tcp.initialSeq(this.address, lport, remoteAddr, remotePort, now);
      }
      const ep: Endpoints = { localAddr: this.address, localPort: lport, remoteAddr, remotePort };
      const s = new StackSocket(this, handler, options.reuseAddr === true);
      this.flows.set(remoteAddr, portsKey(lport, remotePort), s);
      this.ports.flowChanged(lport, remoteAddr, remotePort, true, false);
      let fastOpen = options.fastOpen ?? -1;
      let fastOpenFlags = options.fastOpenFlags ?? 0;
      // TCP_FASTOPEN_CONNECT (Linux tcp_fastopen_defer_connect): a Fast Open connect without data yet.
      if (
        fastOpen < 0 &&
        (options.fastOpenConnect === true || params.fastOpenConnect) &&
        (params.fastOpen & TFO_CLIENT_ENABLE) !== 0
      ) {
        fastOpen = 0;
        fastOpenFlags = FO_DEFER;
      }
      s.conn = Connection.connect(
        ep,
        params,
        iss,
        now,
        this,
        this.tcp.tsOffset(this.address, remoteAddr),
        this.metrics,
        fastOpen,
        fastOpenFlags,
        options.ipTos ?? 0,
        options.pmtuDisc ?? 1,
      );
      if (options.lingerZero) s.conn.setLingerZero(true);
      if (options.noDelay) s.conn.setNoDelay(true, now);
      this.touch(s);
      return s;
    } finally {
      this.end();
    }
  }

  listen(port: number, handler: ListenHandler, backlog?: number, params?: Partial<TcpParams>): ListenSocket | Errno {
    if (this.listeners?.has(port)) return 'EADDRINUSE';
    const p = params ? withSocketOptions(this.params, params) : this.params;
    const l = new StackListenSocket(this, port, backlog ?? p.backlog, p, handler);
    l.listener = new Listener<StackSocket>({
      localAddr: this.address,
      localPort: port,
      backlog: l.backlog,
      params: p,
      out: this,
      host: l,
      secret: this.tcp.cookieSecret,
      cacheKey: this.tcp.cacheKey(),
      metrics: this.metrics,
    });
    (this.listeners ??= new Map()).set(port, l);
    this.ports.listenerChanged(port, true);
    return l;
  }

  openRaw(): RawSocket {
    const port = this.port;
    return { send: (packet: Packet) => port.send(packet) };
  }

  // --- packets in ---

  receive(packet: Packet): void {
    const seg = packet.tcp;
    if (seg === null) {
      if (packet.protocol === PROTO_ICMP) this.receiveIcmp(packet);
      return;
    }
    const now = this.sim.now;
    this.begin();
    let isn = -1;
    const s = this.flows.get(packet.src, portsKey(seg.dstPort, seg.srcPort));
    if (s !== undefined) {
      const verdict = s.conn.onSegment(seg, now, packet.ecn ?? 0);
      this.touch(s);
      if (verdict === SegmentVerdict.REOPEN)
        isn = this.tcp.takeOverTimeWait(s.conn, now); // TIME-WAIT took a new SYN
      else {
        this.end();
        return;
      }
    }
    const l = this.listeners?.get(seg.dstPort);
    if (l !== undefined) {
      l.listener.onSegment(seg, packet.src, packet.dst, now, isn, packet.ecn ?? 0);
      this.touch(l);
    } else {
      // RFC 9293 3.10.7.1: no TCB, no listener (also: a SYN-ACK for a connection we never opened)
      const rst = resetForUnmatched(seg);
      if (rst !== null) {
        // made here, not kept per host: this path is rare and 10^5 hosts would each hold one
        const ep: Endpoints = {
          localAddr: packet.dst,
          localPort: seg.dstPort,
          remoteAddr: packet.src,
          remotePort: seg.srcPort,
        };
        this.transmit(ep, rst, false);
      }
    }
    this.end();
  }

  /**
   * An ICMP error (Linux icmp_unreach -> tcp_v4_err): demultiplexed by the TCP header it quotes
   * (our address and port as source, the peer's as destination) to a connection, or to a pending
   * request of a listener (tcp_req_err); one quoting nothing of ours is dropped (ICMP InErrors).
   */
  private receiveIcmp(packet: Packet): void {
    const m = packet.icmp;
    const q = m?.quoted;
    const qs = q?.tcp ?? null;
    if (m === undefined || q === undefined || qs === null || q.protocol !== PROTO_TCP) return;
    const stats = (this.icmpStats ??= { inErrors: 0, outOfWindowIcmps: 0 });
    const now = this.sim.now;
    this.begin();
    const s = this.flows.get(q.dst, portsKey(qs.srcPort, qs.dstPort));
    let verdict: IcmpVerdict = IcmpVerdict.HANDLED;
    if (s !== undefined) {
      // TIME-WAIT ignores ICMP (tcp_v4_err: inet_twsk_put).
      if (!(s.conn instanceof TimeWaitSock)) {
        verdict = s.conn.onIcmpError(m.type, m.code, m.mtu, qs.seq, s.accepted, now);
        this.touch(s);
      }
    } else {
      const l = this.listeners?.get(qs.srcPort);
      // tcp_req_err: only net/host unreachable and time exceeded drop the request (parameter problem too, never sent here).
      const abort =
        m.type === ICMP_TIME_EXCEEDED ||
        (m.type === ICMP_DEST_UNREACH && (m.code === ICMP_NET_UNREACH || m.code === ICMP_HOST_UNREACH));
      if (l === undefined) stats.inErrors++;
      else if (!l.listener.onIcmpError(q.dst, qs.dstPort, q.src, qs.seq, abort)) verdict = IcmpVerdict.OUT_OF_WINDOW;
      if (l !== undefined) this.touch(l);
    }
    if (verdict === IcmpVerdict.OUT_OF_WINDOW) stats.outOfWindowIcmps++;
    this.end();
  }

  /** ICMP counters, made by the first ICMP error (nstat's IcmpInErrors, TcpExtOutOfWindowIcmps). */
  icmpStats: { inErrors: number; outOfWindowIcmps: number } | null = null;
  /** Learned path MTUs; made by the first ICMP fragmentation-needed (an empty cache knows none). */
  private routes: RouteCache | null = null;

  pathMtu(remoteAddr: number): number {
    return this.routes === null ? 0 : this.routes.mtu(remoteAddr, this.sim.now);
  }

  updatePathMtu(remoteAddr: number, mtu: number, deviceMtu: number): number {
    return (this.routes ??= new RouteCache()).update(remoteAddr, mtu, deviceMtu, this.sim.now);
  }

  // --- EngineOutput ---

  fastOpen(_ep: LentEndpoints, event: number): void {
    if (event === FO_EVENT_REQUESTED) this.fastOpenRequested++;
    else if (event === FO_EVENT_ACCEPTED) this.fastOpenAccepted++;
    else if (event === FO_EVENT_FALLBACK) this.fastOpenFallback++;
  }

  transmit(ep: LentEndpoints, seg: Segment, retransmit: boolean, ecn = 0, tos = 0, noDf = false): void {
    this.segmentsSent++;
    if (retransmit) this.segmentsRetransmitted++;
    this.ipId = (this.ipId + 1) & 0xffff;
    const packet: Packet = {
      src: ep.localAddr,
      dst: ep.remoteAddr,
      ttl: 64,
      id: this.ipId,
      protocol: PROTO_TCP,
      tcp: seg,
      dataBytes: 0,
      annot: retransmit ? ANNOT_RETRANSMIT : 0,
    };
    // Only ECN connections mark packets: the common packet keeps its shape.
    if (ecn !== 0) packet.ecn = ecn;
    if (tos !== 0) packet.tos = tos;
    if (noDf) packet.df = false;
    this.port.send(packet);
  }

  stateChanged(ep: LentEndpoints, from: TcpState, to: TcpState): void {
    this.tcp.countState(from, to);
    if (to === TcpState.TIME_WAIT) {
      const s = this.flows.get(ep.remoteAddr, portsKey(ep.localPort, ep.remotePort));
      if (s !== undefined) {
        // tcp_tw_reuse may take this port over later (only if the connection used timestamps)
        this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, true, s.conn.tsOk);
        this.tcp.enterTimeWait(s, this.sim.now);
      }
    } else if (from === TcpState.TIME_WAIT) {
      const s = this.flows.get(ep.remoteAddr, portsKey(ep.localPort, ep.remotePort));
      if (s !== undefined) {
        this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, true, false);
        this.tcp.leaveTimeWait(s);
      }
    }
    const tracer = this.port.tracer;
    if (tracer.events) {
      tracer.emit({
        t: this.sim.now,
        node: this.port.name,
        ev: 'state',
        conn: `${formatIpv4(ep.localAddr)}:${ep.localPort}>${formatIpv4(ep.remoteAddr)}:${ep.remotePort}`,
        from: STATE_NAMES[from]!,
        to: STATE_NAMES[to]!,
      });
    }
  }

  notify(ep: LentEndpoints, what: ConnEvent, errno?: Errno): void {
    let target: StackSocket | StackListenSocket | undefined;
    if (what === ConnEvent.ACCEPTABLE) {
      target = this.listeners?.get(ep.localPort);
    } else {
      const key = portsKey(ep.localPort, ep.remotePort);
      const s = this.flows.get(ep.remoteAddr, key);
      if (s === undefined) return;
      target = s;
      if (what === ConnEvent.FREED) {
        // forget it now, so a new incarnation of the tuple can register at once
        s.markFreed();
        this.tcp.leaveTimeWait(s); // freed from TIME-WAIT without a TIME_WAIT → CLOSED record first
        if (this.flows.delete(ep.remoteAddr, key, s))
          this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, false, false);
        this.dropWake(s);
      } else if (what === ConnEvent.ERROR) {
        s.error = errno ?? null;
      }
    }
    if (target !== undefined) this.enqueue(target, what, errno);
  }

  // --- wake-ups ---

  /** A wake-up: the datum is the socket or listener it was scheduled for (touch). */
  onEvent(_sim: Sim, _tag: number, e: StackSocket | StackListenSocket): void {
    const now = this.sim.now;
    this.begin();
    if (e instanceof StackSocket) {
      const s = e;
      s.wakeId = -1;
      s.wakeAt = Infinity;
      if (!s.freed) {
        if (s.conn.deadline <= now) s.conn.onTimer(now);
        this.touch(s);
      }
    } else {
      const l = e;
      l.wakeId = -1;
      l.wakeAt = Infinity;
      if (l.listener.deadline <= now) l.listener.onTimer(now);
      this.touch(l);
    }
    this.end();
  }

  /**
   * After an engine call: apply a pending TIME-WAIT overflow, swap a closed TIME-WAIT connection
   * for its compact record (Linux tcp_time_wait: inet_twsk replaces the sock), then keep one
   * wake-up at the deadline.
   */
  touch(e: StackSocket | StackListenSocket): void {
    let d: Nanos;
    let tag: number;
    if (e instanceof StackSocket) {
      if (e.timeWaitMark === TW_DESTROY && !e.freed) {
        e.timeWaitMark = TW_UNCOUNTED;
        e.conn.destroy(this.sim.now);
      }
      if (e.freed) return;
      const c = e.conn;
      if (c.state === TcpState.TIME_WAIT && c instanceof Connection) {
        const tw = TimeWaitSock.from(c);
        if (tw !== null) {
          e.compact(tw);
          // The wake-up of a timer TIME-WAIT cleared would fire only to re-arm for the expiry:
          // once per connection, so move it now (elsewhere a deadline moving later lets it fire).
          if (e.wakeAt < tw.deadline) this.dropWake(e);
        }
      }
      d = e.conn.deadline;
      tag = WAKE_CONN;
    } else {
      d = e.listener.deadline;
      tag = WAKE_LISTENER;
    }
    if (d < e.wakeAt) {
      if (e.wakeId >= 0) this.sim.cancel(e.wakeId);
      const now = this.sim.now;
      e.wakeAt = d;
      e.wakeId = this.sim.at(d > now ? d : now, this, tag, e);
    }
  }

  // --- for sockets and listeners ---

  createChild(l: StackListenSocket, h: HandshakeInfo, ack: Segment, now: Nanos): StackSocket {
    const s = this.childSocket(l, h);
    s.conn = Connection.fromHandshake(h, l.params, now, this, this.metrics, ack);
    s.conn.onSegment(ack, now); // data (or FIN) on the third ACK
    this.touch(s);
    return s;
  }

  createFastOpenChild(
    l: StackListenSocket,
    h: HandshakeInfo,
    syn: Segment,
    fo: FastOpenState,
    now: Nanos,
  ): StackSocket {
    const s = this.childSocket(l, h);
    s.conn = Connection.fromFastOpen(h, syn, fo, l.params, now, this, this.metrics);
    this.touch(s);
    return s;
  }

  /** A listener's new connection, registered for demultiplexing before its Connection exists. */
  private childSocket(l: StackListenSocket, h: HandshakeInfo): StackSocket {
    const s = new StackSocket(this, null, l.reuseAddr);
    this.flows.set(h.ep.remoteAddr, portsKey(h.ep.localPort, h.ep.remotePort), s);
    this.ports.flowChanged(h.ep.localPort, h.ep.remoteAddr, h.ep.remotePort, true, false);
    return s;
  }

  removeListener(l: StackListenSocket): void {
    if (this.listeners?.get(l.localPort) === l) {
      this.listeners.delete(l.localPort);
      this.ports.listenerChanged(l.localPort, false);
    }
    this.dropWake(l);
  }

  /** Cancels the pending wake-up of a socket or listener, if it has one. */
  private dropWake(e: StackSocket | StackListenSocket): void {
    if (e.wakeId >= 0) this.sim.cancel(e.wakeId);
    e.wakeId = -1;
    e.wakeAt = Infinity;
  }

  /** PortChecker: the connections toward raddr:rport and the listening ports, to build a port index. */
  visitPorts(
    raddr: number,
    rport: number,
    visit: (lport: number, reusable: boolean) => void,
    listening: (lport: number) => void,
  ): void {
    visitPorts(this.flows, this.listeners, raddr, rport, visit, listening);
  }

  /** The host's queue refuses every packet (EngineOutput.localDrop): a drill's `tc qdisc ... limit 0`. */
  localDrop = false;

  /** A sysctl written while the host runs: sockets created from now on see it (connect, listen). */
  setSysctls(changes: Partial<TcpParams>): void {
    this.tcp.setSysctls(changes);
  }

  /** `ip tcp_metrics flush`: forget every destination's metrics. */
  flushMetrics(): void {
    this.metrics.flush();
  }

  forgetDestination(remoteAddr: number): void {
    this.metrics.delete(remoteAddr);
  }

  /**
   * PortChecker: is the 4-tuple free? A TIME-WAIT holder connect() may take over under
   * tcp_tw_reuse (HostTcp.mayReuse) counts as free; connect() then takes it over.
   */
  portUsable(lport: number, raddr: number, rport: number): boolean {
    if (this.listeners?.has(lport)) return false;
    const s = this.flows.get(raddr, portsKey(lport, rport));
    return s === undefined || this.tcp.mayReuse(s.conn, this.sim.now);
  }
}
