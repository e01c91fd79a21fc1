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
 * stack call returns, so application code never runs inside an engine call.
 */
import { Rng } from '../sim/rng.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { SEC, type Nanos } from '../sim/time.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_TIME_EXCEEDED } from '../wire/icmp.ts';
import { ANNOT_RETRANSMIT, PROTO_ICMP, PROTO_TCP, type Packet, type Segment } from '../wire/segment.ts';
import { IcmpVerdict } from '../tcp/icmp-error.ts';
import { RouteCache } from '../net/route-cache.ts';
import { ConnEvent, STATE_NAMES, TcpState, type EngineOutput, type Endpoints, type Errno } from '../tcp/api.ts';
import { Connection, FO_DEFER, SegmentVerdict, type HandshakeInfo } from '../tcp/connection.ts';
import { Listener } from '../tcp/listener.ts';
import { withSocketOptions, type TcpParams } from '../tcp/params.ts';
import { jiffiesOffset } from '../tcp/timer-wheel.ts';
import { resetForUnmatched } from '../tcp/reset.ts';
import { TimeWaitSock } from '../tcp/time-wait-sock.ts';
import { CookieSecret, keyedHash4 } from '../tcp/syn-cookies.ts';
import { DstMetrics } from '../tcp/dst-metrics.ts';
import { FastOpenBlackhole } from '../tcp/fastopen-blackhole.ts';
import { FO_EVENT_ACCEPTED, FO_EVENT_FALLBACK, FO_EVENT_REQUESTED, TFO_CLIENT_ENABLE, type FastOpenState } from '../tcp/fastopen.ts';
import { EphemeralPorts, type PortChecker } from './ephemeral-ports.ts';
import { FlowTable, portsKey } from './flow-table.ts';
import type { HostPort, Transport as PacketReceiver } from '../net/host.ts';
import { SocketError, type ConnectOptions, type ListenHandler, type ListenSocket, type RawSocket, type SocketHandler, type StackStats, type TcpStack } from './socket-api.ts';
import { StackListenSocket, StackSocket, type SocketOwner } from './sockets.ts';

const WAKE_CONN = 1;
const WAKE_LISTENER = 2;

/** Counts shared by a group of hosts (HostStack.groupCounts). */
export interface GroupCounts {
  established: number;
  timeWait: number;
}

/** TIME-WAIT sockets over every host of a world, now and at most at once (HostStack.timeWaitTotal). */
export interface TimeWaitTotal {
  timeWait: number;
  peak: number;
}

export class HostStack implements TcpStack, PacketReceiver, EngineOutput, EventHandler, SocketOwner, PortChecker {
  readonly address: number;
  readonly counters: Required<StackStats> = {
    segmentsSent: 0, segmentsRetransmitted: 0, established: 0, timeWait: 0, timeWaitPeak: 0,
    fastOpenRequested: 0, fastOpenAccepted: 0, fastOpenFallback: 0,
  };
  /** Active Fast Open blackhole detection, host-wide as Linux's per-namespace state; `events` is TCPFastOpenBlackhole. */
  readonly fastOpenBlackhole = new FastOpenBlackhole();
  /**
   * Established and TIME-WAIT counts summed over a group of hosts, kept as they change (set by the
   * experiment's time series): a sample then reads one object, not the counters of 100k hosts.
   */
  groupCounts: GroupCounts | null = null;
  /** The world-wide TIME-WAIT count this host adds to (set by whoever builds the world; metric time_wait.peak_total). */
  timeWaitTotal: TimeWaitTotal | null = null;
  private readonly sim: Sim;
  private readonly flows = new FlowTable<StackSocket>();
  /** Listening sockets by port; created by the first listen() (most hosts are only clients). */
  private listeners: Map<number, StackListenSocket> | null = null;
  private readonly ports: EphemeralPorts;
  /** What past connections learned per destination (Linux tcp_metrics); the engine reads and writes it. */
  readonly metrics = new DstMetrics();
  private readonly cookieSecret: CookieSecret;
  // Secret key words as signed 32-bit integers (small integers, never boxed); the keyed hashes
  // read them modulo 2^32, so the values are the uint32 words the stream produced.
  private readonly isnKeyA: number;
  private readonly isnKeyB: number;
  private readonly tsKeyA: number;
  private readonly tsKeyB: number;
  private readonly cacheKeyA: number;
  private readonly cacheKeyB: number;
  private readonly scratch: Endpoints = { localAddr: 0, localPort: 0, remoteAddr: 0, remotePort: 0 };
  private ipId = 0;
  /** The ISS for the connect() that just took over a TIME-WAIT tuple (tcp_tw_reuse), or -1. */
  private reuseIsn = -1;
  private depth = 0;
  /**
   * Queued notifications as flat triples (target, what, errno): no object per event. The array
   * keeps its capacity (emptying it with length = 0 would free it, and the next event would grow
   * a new one); `queued` counts the entries in use.
   */
  private queue: unknown[] = new Array(6); // exact: a first write to [] reserves 17
  private queued = 0;

  /** The host's parameters, with its jiffies phase (timer-wheel.ts) filled in. */
  params: TcpParams;

  constructor(private readonly port: HostPort, params: TcpParams, seed: number) {
    const offset = jiffiesOffset(params, (scope) => new Rng(seed, scope === 'run' ? 'jiffies' : `host:${port.name}:jiffies`).float());
    this.params = withJiffiesOffset(params, offset);
    this.address = port.address;
    this.sim = port.sim;
    // Drawn in a fixed order from one stream; nothing here outlives the constructor but the words.
    // (No closure over the stream: a function object per host, and its name, add up.)
    const rng = new Rng(seed, `host:${port.name}:tcp-secrets`);
    this.cookieSecret = new CookieSecret(rng.nextU32() | 0, rng.nextU32() | 0, rng.nextU32() | 0, rng.nextU32() | 0);
    this.isnKeyA = rng.nextU32() | 0;
    this.isnKeyB = rng.nextU32() | 0;
    this.tsKeyA = rng.nextU32() | 0;
    this.tsKeyB = rng.nextU32() | 0;
    this.cacheKeyA = rng.nextU32() | 0;
    this.cacheKeyB = rng.nextU32() | 0;
    const portKeyA = rng.nextU32() | 0;
    const portKeyB = rng.nextU32() | 0;
    this.ports = new EphemeralPorts(params.ephemeralLow, params.ephemeralHigh, portKeyA, portKeyB, seed, port.name, params.twReuse);
  }

  get now(): Nanos {
    return this.sim.now;
  }

  /** Connections the demultiplexer holds (every state but CLOSED, listeners apart). */
  get connectionCount(): number {
    return this.flows.size;
  }

  stats(): StackStats {
    return this.counters;
  }

  // --- TcpStack ---

  connect(remoteAddr: number, remotePort: number, handler: SocketHandler, options: ConnectOptions = {}): StackSocket {
    const params = options.params ? withSocketOptions(this.params, options.params) : this.params;
    const now = this.sim.now;
    this.begin();
    try {
      let lport: number;
      if (options.localPort !== undefined) {
        lport = options.localPort;
        this.checkBoundConnect(lport, remoteAddr, remotePort, options.reuseAddr === true);
      } else {
        lport = this.ports.pick(this.address, remoteAddr, remotePort, this);
        if (lport < 0) throw new SocketError('EADDRNOTAVAIL', `no free port toward ${formatIpv4(remoteAddr)}:${remotePort}`);
      }
      const ep: Endpoints = { localAddr: this.address, localPort: lport, remoteAddr, remotePort };
      const s = new StackSocket(this, handler);
      this.flows.set(remoteAddr, portsKey(lport, remotePort), s);
      this.ports.flowChanged(lport, remoteAddr, remotePort, true, false);
      const iss = this.reuseIsn >= 0 ? this.reuseIsn : this.initialSeq(this.address, lport, remoteAddr, remotePort, now);
      this.reuseIsn = -1;
      s.reuseAddr = options.reuseAddr === true;
      let fastOpen = options.fastOpen ?? -1;
      let fastOpenFlags = options.fastOpenFlags ?? 0;
      // TCP_FASTOPEN_CONNECT (Linux tcp_fastopen_defer_connect): a Fast Open connect without data yet.
      if (fastOpen < 0 && (options.fastOpenConnect === true || params.fastOpenConnect) && (params.fastOpen & TFO_CLIENT_ENABLE) !== 0) {
        fastOpen = 0;
        fastOpenFlags = FO_DEFER;
      }
      s.conn = Connection.connect(ep, params, iss, now, this, this.tsOffset(this.address, remoteAddr), this.metrics, fastOpen, fastOpenFlags,
        options.ipTos ?? 0, options.pmtuDisc ?? 1);
      if (options.lingerZero) s.conn.setLingerZero(true);
      if (options.noDelay) s.conn.setNoDelay(true, now);
      this.touch(s);
      return s;
    } finally {
      this.end();
    }
  }

  listen(port: number, handler: ListenHandler, backlog?: number, params?: Partial<TcpParams>): ListenSocket {
    if (this.listeners?.has(port)) throw new SocketError('EADDRINUSE', `port ${port} already has a listener`);
    const p = params ? withSocketOptions(this.params, params) : this.params;
    const l = new StackListenSocket(this, port, backlog ?? p.backlog, p, handler);
    l.listener = new Listener<StackSocket>({
      localAddr: this.address, localPort: port, backlog: l.backlog, params: p, out: this, host: l,
      secret: this.cookieSecret, cacheKey: [this.cacheKeyA >>> 0, this.cacheKeyB >>> 0], metrics: this.metrics,
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
      if (verdict === SegmentVerdict.REOPEN) isn = s.conn.reopenIsn; // TIME-WAIT took a new SYN
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
        const ep = this.scratch;
        ep.localAddr = packet.dst; ep.localPort = seg.dstPort; ep.remoteAddr = packet.src; ep.remotePort = seg.srcPort;
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
      const abort = m.type === ICMP_TIME_EXCEEDED || (m.type === ICMP_DEST_UNREACH && (m.code === ICMP_NET_UNREACH || m.code === ICMP_HOST_UNREACH));
      if (l === undefined) stats.inErrors++;
      else if (!l.listener.onIcmpError(q.dst, qs.dstPort, q.src, qs.seq, abort)) verdict = IcmpVerdict.OUT_OF_WINDOW;
      if (l !== undefined) this.touch(l);
    }
    if (verdict === IcmpVerdict.OUT_OF_WINDOW) stats.outOfWindowIcmps++;
    this.end();
  }

  /** ICMP counters, made by the first ICMP error (nstat's IcmpInErrors, TcpExtOutOfWindowIcmps). */
  icmpStats: { inErrors: number; outOfWindowIcmps: number } | null = null;
  private readonly routes = new RouteCache();

  pathMtu(remoteAddr: number): number {
    return this.routes.mtu(remoteAddr, this.sim.now);
  }

  updatePathMtu(remoteAddr: number, mtu: number, deviceMtu: number): number {
    return this.routes.update(remoteAddr, mtu, deviceMtu, this.sim.now);
  }

  // --- EngineOutput ---

  fastOpen(_ep: Endpoints, event: number): void {
    const c = this.counters;
    if (event === FO_EVENT_REQUESTED) c.fastOpenRequested++;
    else if (event === FO_EVENT_ACCEPTED) c.fastOpenAccepted++;
    else if (event === FO_EVENT_FALLBACK) c.fastOpenFallback++;
  }

  transmit(ep: Endpoints, seg: Segment, retransmit: boolean, ecn = 0, tos = 0, noDf = false): void {
    const c = this.counters;
    c.segmentsSent++;
    if (retransmit) c.segmentsRetransmitted++;
    this.ipId = (this.ipId + 1) & 0xffff;
    const packet: Packet = {
      src: ep.localAddr, dst: ep.remoteAddr, ttl: 64, id: this.ipId, protocol: PROTO_TCP, tcp: seg,
      dataBytes: 0, annot: retransmit ? ANNOT_RETRANSMIT : 0,
    };
    // Only ECN connections mark packets: the common packet keeps its shape.
    if (ecn !== 0) packet.ecn = ecn;
    if (tos !== 0) packet.tos = tos;
    if (noDf) packet.df = false;
    this.port.send(packet);
  }

  stateChanged(ep: Endpoints, from: TcpState, to: TcpState): void {
    const c = this.counters;
    const wasEst = from === TcpState.ESTABLISHED || from === TcpState.CLOSE_WAIT;
    const isEst = to === TcpState.ESTABLISHED || to === TcpState.CLOSE_WAIT;
    const g = this.groupCounts;
    if (isEst && !wasEst) {
      c.established++;
      if (g !== null) g.established++;
    } else if (wasEst && !isEst) {
      c.established--;
      if (g !== null) g.established--;
    }
    if (to === TcpState.TIME_WAIT) {
      const s = this.flows.get(ep.remoteAddr, portsKey(ep.localPort, ep.remotePort));
      if (s !== undefined) {
        // tcp_tw_reuse may take this port over later (only if the connection used timestamps)
        this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, true, s.conn.tsOk);
        if (c.timeWait >= this.params.maxTimeWait) {
          // Linux "time wait bucket table overflow": the socket is closed instead of kept
          s.destroyPending = true;
        } else this.timeWaitEntered(s);
      }
    } else if (from === TcpState.TIME_WAIT) {
      const s = this.flows.get(ep.remoteAddr, portsKey(ep.localPort, ep.remotePort));
      if (s !== undefined) {
        this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, true, false);
        this.timeWaitLeft(s);
      }
    }
    const tracer = this.port.tracer;
    if (tracer.events) {
      tracer.emit({
        t: this.sim.now, node: this.port.name, ev: 'state',
        conn: `${formatIpv4(ep.localAddr)}:${ep.localPort}>${formatIpv4(ep.remoteAddr)}:${ep.remotePort}`,
        from: STATE_NAMES[from]!, to: STATE_NAMES[to]!,
      });
    }
  }

  /**
   * The one place TIME-WAIT sockets are counted (the metrics read these counts): this host's now
   * and peak, its group's (time series) and the world's (time_wait.peak_total).
   */
  private timeWaitEntered(s: StackSocket): void {
    const c = this.counters;
    s.timeWaitSince = this.sim.now;
    if (++c.timeWait > c.timeWaitPeak) c.timeWaitPeak = c.timeWait;
    if (this.groupCounts !== null) this.groupCounts.timeWait++;
    const w = this.timeWaitTotal;
    if (w !== null && ++w.timeWait > w.peak) w.peak = w.timeWait;
  }

  /** Uncounts a socket leaving TIME-WAIT (or freed in it); no-op for one never counted. */
  private timeWaitLeft(s: StackSocket): void {
    if (s.timeWaitSince < 0) return;
    s.timeWaitSince = -1;
    this.counters.timeWait--;
    if (this.groupCounts !== null) this.groupCounts.timeWait--;
    if (this.timeWaitTotal !== null) this.timeWaitTotal.timeWait--;
  }

  notify(ep: Endpoints, what: ConnEvent, errno?: Errno): void {
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
        s.freed = true;
        // freed from TIME-WAIT without a TIME_WAIT → CLOSED record first: still uncount it
        this.timeWaitLeft(s);
        if (this.flows.delete(ep.remoteAddr, key, s)) this.ports.flowChanged(ep.localPort, ep.remoteAddr, ep.remotePort, false, false);
        if (s.wakeId >= 0) this.sim.cancel(s.wakeId);
        s.wakeId = -1;
        s.wakeAt = Infinity;
      } else if (what === ConnEvent.ERROR) {
        s.error = errno ?? null;
      }
    }
    if (target === undefined) return;
    const q = this.queue, n = this.queued;
    q[n] = target;
    q[n + 1] = what;
    q[n + 2] = errno;
    this.queued = n + 3;
  }

  // --- wake-ups ---

  onEvent(_sim: Sim, tag: number, data: unknown): void {
    const now = this.sim.now;
    this.begin();
    if (tag === WAKE_CONN) {
      const s = data as StackSocket;
      s.wakeId = -1;
      s.wakeAt = Infinity;
      if (!s.freed) {
        if (s.conn.deadline <= now) s.conn.onTimer(now);
        this.touch(s);
      }
    } else {
      const l = data as StackListenSocket;
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
      if (e.destroyPending && !e.freed) {
        e.destroyPending = false;
        e.conn.destroy(this.sim.now);
      }
      if (e.freed) return;
      const c = e.conn;
      if (c.state === TcpState.TIME_WAIT && c instanceof Connection) {
        const tw = TimeWaitSock.from(c);
        if (tw !== null) e.compact(tw);
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

  begin(): void {
    this.depth++;
  }

  /** Leaves a stack call; the outermost one delivers queued notifications to applications. */
  end(): void {
    if (this.depth > 1) {
      this.depth--;
      return;
    }
    // still "inside" while delivering, so calls made by handlers queue rather than recurse
    const q = this.queue;
    for (let i = 0; i < this.queued; i += 3) {
      const target = q[i] as StackSocket | StackListenSocket;
      const errno = q[i + 2] as Errno | undefined;
      q[i] = undefined; // hold no reference to a delivered socket
      q[i + 2] = undefined;
      this.deliver(target, q[i + 1] as number, errno);
    }
    this.queued = 0;
    this.depth--;
  }

  private deliver(target: StackSocket | StackListenSocket, what: number, errno: Errno | undefined): void {
    if (target instanceof StackListenSocket) {
      if (!target.closed) target.handler.onAcceptable?.(target);
      return;
    }
    const h = target.handler;
    switch (what) {
      case ConnEvent.CONNECTED: h.onConnected?.(target); break;
      case ConnEvent.READABLE: h.onReadable?.(target); break;
      case ConnEvent.WRITABLE: h.onWritable?.(target); break;
      case ConnEvent.ERROR: h.onError?.(target, errno!); break;
      case ConnEvent.FREED: h.onFreed?.(target); break;
    }
  }

  // --- for sockets and listeners ---

  createChild(l: StackListenSocket, h: HandshakeInfo, ack: Segment, now: Nanos): StackSocket {
    const s = new StackSocket(this, null);
    this.flows.set(h.ep.remoteAddr, portsKey(h.ep.localPort, h.ep.remotePort), s);
    this.ports.flowChanged(h.ep.localPort, h.ep.remoteAddr, h.ep.remotePort, true, false);
    s.reuseAddr = l.reuseAddr;
    s.conn = Connection.fromHandshake(h, l.params, now, this, this.metrics, ack);
    s.conn.onSegment(ack, now); // data (or FIN) on the third ACK
    this.touch(s);
    return s;
  }

  createFastOpenChild(l: StackListenSocket, h: HandshakeInfo, syn: Segment, fo: FastOpenState, now: Nanos): StackSocket {
    const s = new StackSocket(this, null);
    this.flows.set(h.ep.remoteAddr, portsKey(h.ep.localPort, h.ep.remotePort), s);
    this.ports.flowChanged(h.ep.localPort, h.ep.remoteAddr, h.ep.remotePort, true, false);
    s.reuseAddr = l.reuseAddr;
    s.conn = Connection.fromFastOpen(h, syn, fo, l.params, now, this, this.metrics);
    this.touch(s);
    return s;
  }

  removeListener(l: StackListenSocket): void {
    if (this.listeners?.get(l.localPort) === l) {
      this.listeners.delete(l.localPort);
      this.ports.listenerChanged(l.localPort, false);
    }
    if (l.wakeId >= 0) this.sim.cancel(l.wakeId);
    l.wakeId = -1;
    l.wakeAt = Infinity;
  }

  /** RFC 6528 / Linux secure_tcp_seq: a keyed hash of the 4-tuple plus a 64 ns clock. */
  initialSeq(laddr: number, lport: number, raddr: number, rport: number, now: Nanos): number {
    const h = keyedHash4(this.isnKeyA, this.isnKeyB, laddr, raddr, portsKey(lport, rport), 0);
    return (h + Math.floor(now / 64)) >>> 0;
  }

  /** Linux secure_tcp_ts_off: the TSval offset, a keyed hash of the address pair. */
  tsOffset(laddr: number, raddr: number): number {
    return keyedHash4(this.tsKeyA, this.tsKeyB, laddr, raddr, 0, 0);
  }

  /** PortChecker: the connections toward raddr:rport and the listening ports, to build a port index. */
  visitPorts(raddr: number, rport: number, visit: (lport: number, reusable: boolean) => void, listening: (lport: number) => void): void {
    const a = raddr | 0;
    this.flows.forEach((addr, ports, s) => {
      if (addr !== a || (ports & 0xffff) !== rport) return;
      const c = s.conn;
      visit(ports >>> 16, c !== undefined && c.state === TcpState.TIME_WAIT && c.tsOk);
    });
    if (this.listeners !== null) for (const port of this.listeners.keys()) listening(port);
  }

  /** The host's queue refuses every packet (EngineOutput.localDrop): a drill's `tc qdisc ... limit 0`. */
  localDrop = false;

  /** A sysctl written while the host runs: sockets created from now on see it (connect, listen). */
  setSysctls(changes: Partial<TcpParams>): void {
    this.params = { ...this.params, ...changes };
  }

  /** `ip tcp_metrics flush`: forget every destination's metrics. */
  flushMetrics(): void {
    this.metrics.flush();
  }

  forgetDestination(remoteAddr: number): void {
    this.metrics.delete(remoteAddr);
  }

  /**
   * bind() then connect() from a chosen port, as Linux decides it. A listener on the port, or
   * the 4-tuple held by a socket when either side lacks SO_REUSEADDR, makes bind fail
   * (inet_csk_bind_conflict: EADDRINUSE). With SO_REUSEADDR on both, bind succeeds and connect
   * fails instead when the 4-tuple is still held, unless tcp_tw_reuse may take a TIME-WAIT
   * holder over (__inet_check_established, tcp_twsk_unique: EADDRNOTAVAIL).
   * Sockets on the same port toward other peers are not checked (tcplab keeps no port-wide
   * bind table; Linux's bind would fail without SO_REUSEADDR there too).
   */
  private checkBoundConnect(lport: number, remoteAddr: number, remotePort: number, reuseAddr: boolean): void {
    const where = `port ${lport} toward ${formatIpv4(remoteAddr)}:${remotePort}`;
    if (this.listeners?.has(lport)) throw new SocketError('EADDRINUSE', `bind: port ${lport} has a listener`);
    const held = this.flows.get(remoteAddr, portsKey(lport, remotePort));
    if (held === undefined) return;
    if (!reuseAddr || !held.reuseAddr) throw new SocketError('EADDRINUSE', `bind: ${where} is in use (${held.state})`);
    if (!this.portUsable(lport, remoteAddr, remotePort)) {
      throw new SocketError('EADDRNOTAVAIL', `connect: ${where} is still held (${held.state})`);
    }
  }

  /** PortChecker: is the 4-tuple free? A TIME-WAIT holder may be taken over under tcp_tw_reuse. */
  portUsable(lport: number, raddr: number, rport: number): boolean {
    if (this.listeners?.has(lport)) return false;
    const s = this.flows.get(raddr, portsKey(lport, rport));
    if (s === undefined) return true;
    const now = this.sim.now;
    // Linux tcp_twsk_unique: a TIME-WAIT tuple whose connection used timestamps may be taken over
    // once a second has passed since its last timestamp (tw_ts_recent_stamp); the new connection
    // then starts above everything the old one sent (write_seq = tw_snd_nxt + 65535 + 2).
    const c = s.conn;
    if (this.params.twReuse && c.state === TcpState.TIME_WAIT && c.tsOk && now - c.tsRecentAt >= 1 * SEC) {
      let isn = (c.sndMax + 65535 + 2) >>> 0;
      if (isn === 0) isn = 1;
      c.destroy(now);
      this.touch(s);
      if (this.flows.get(raddr, portsKey(lport, rport)) !== undefined) return false;
      this.reuseIsn = isn;
      return true;
    }
    return false;
  }
}

/**
 * `params` with the host's jiffies phase. Hosts sharing one params object and one phase (the
 * default `jiffies: shared`) share one copy too: a copy per host would cost ~0.5 KB each.
 */
const phased = new WeakMap<TcpParams, { offset: number; params: TcpParams }>();
function withJiffiesOffset(params: TcpParams, offset: number): TcpParams {
  if (offset === (params.jiffiesOffset ?? 0)) return params;
  const hit = phased.get(params);
  if (hit !== undefined && hit.offset === offset) return hit.params;
  const copy = { ...params, jiffiesOffset: offset };
  phased.set(params, { offset, params: copy });
  return copy;
}
