/**
 * A scripted stand-in for the host stack, to test the runner's packetdrill semantics on their own:
 * each test says what the "engine" sends and when, then checks the verdict the runner gives.
 */
import type { EventHandler, Sim } from '../../src/sim/simulator.ts';
import type { Nanos } from '../../src/sim/time.ts';
import type { HostPort } from '../../src/net/host.ts';
import {
  type ConnectOptions,
  type ListenHandler,
  type ListenSocket,
  type ListenerSnapshot,
  type RawSocket,
  type SocketHandler,
  type StackStats,
  type TcpInfo,
  type TcpInfoFields,
  type TcpSocket,
} from '../../src/stack/socket-api.ts';
import type { Errno } from '../../src/tcp/api.ts';
import type { TcpParams } from '../../src/tcp/params.ts';
import { TCP_INFO_FIELDS } from '../../src/tcp/tcp-info.ts';
import { DRILL_REMOTE_ADDRESS } from '../../src/drill/host.ts';
import type { DrillStack } from '../../src/drill/host.ts';
import { PROTO_TCP, type Packet, type Segment } from '../../src/wire/segment.ts';

export function segment(fields: Partial<Segment>): Segment {
  return {
    srcPort: 8080,
    dstPort: 40000,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 65535,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
    ...fields,
  };
}

const SEND: EventHandler<{ port: HostPort; packet: Packet }> = {
  onEvent(_sim: Sim, _tag: number, { port, packet }): void {
    port.send(packet);
  },
};

export class FakeSocket implements TcpSocket {
  state = 'ESTABLISHED';
  readable = 0;
  eof = false;
  error: Errno | null = null;
  /** Bytes send() accepts before it reports a full buffer. */
  room = Infinity;
  written = 0;
  readonly localAddr: number;
  constructor(
    readonly stack: FakeStack,
    readonly localPort: number,
    readonly remotePort: number,
    public handler: SocketHandler,
  ) {
    this.localAddr = stack.address;
  }
  get remoteAddr(): number {
    return DRILL_REMOTE_ADDRESS;
  }
  takeError(): Errno | null {
    const e = this.error;
    this.error = null;
    return e;
  }
  send(bytes: number): number {
    const n = Math.min(bytes, this.room);
    this.room -= n;
    this.written += n;
    if (n > 0) this.stack.onSend(this, n, this.stack);
    return n;
  }
  recv(max: number): number | Errno {
    if (this.readable === 0) {
      if (this.eof) return 0;
      return 'EAGAIN';
    }
    const n = Math.min(max, this.readable);
    this.readable -= n;
    return n;
  }
  shutdown(): void {}
  close(): void {
    this.stack.closed.push(this);
    this.stack.onClose(this, this.stack);
  }
  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K]): void {
    this.options[name] = value;
  }
  readonly options: Partial<TcpParams> = {};
  setNoDelay(): void {}
  setLingerZero(): void {}
  info(): TcpInfo {
    return {
      state: this.state,
      cwnd: 14600,
      ssthresh: 1 << 30,
      srtt: 0,
      rto: 1e9,
      retransmits: 0,
      bytesAcked: 0,
      bytesReceived: 0,
    };
  }
  /** A TCP_INFO as the engine reports it: cwnd 14 packets, everything else 0. */
  linuxInfo(): TcpInfoFields {
    return Object.fromEntries(TCP_INFO_FIELDS.map((f) => [f, f === 'snd_cwnd' ? 14 : 0])) as unknown as TcpInfoFields;
  }
  get unacked(): number {
    return 0;
  }
  get unsent(): number {
    return 0;
  }
  get writable(): boolean {
    return this.room > 0;
  }
  get mss(): number {
    return 1000;
  }
  setCork(): void {}
  setNotsentLowat(): void {}
  setUserMss(): void {}
}

export class FakeListener implements ListenSocket {
  readonly queue: FakeSocket[] = [];
  constructor(
    readonly localPort: number,
    readonly backlog: number,
    public handler: ListenHandler,
  ) {}
  setUserMss(): void {}
  accept(handler?: SocketHandler): FakeSocket | null {
    const s = this.queue.shift() ?? null;
    if (s !== null && handler !== undefined) s.handler = handler;
    return s;
  }
  /** A handshake completed: queue the socket and tell the application. */
  complete(s: FakeSocket): void {
    this.queue.push(s);
    this.handler.onAcceptable?.(this);
  }
  close(): void {}
  stats(): ListenerSnapshot {
    return {
      synQueue: 0,
      synQueueCapacity: 0,
      synQueuePeak: 0,
      synQueueDrops: 0,
      acceptQueue: this.queue.length,
      acceptQueueCapacity: 0,
      acceptQueuePeak: 0,
      acceptQueueDrops: 0,
      cookiesSent: 0,
      cookiesAccepted: 0,
    };
  }
}

export class FakeStack implements DrillStack {
  readonly address: number;
  readonly received: Array<{ at: Nanos; packet: Packet }> = [];
  readonly listeners = new Map<number, FakeListener>();
  readonly sockets: FakeSocket[] = [];
  readonly closed: FakeSocket[] = [];
  /** Called for every packet the script injects. */
  onPacket: (p: Packet, stack: FakeStack) => void = () => {};
  /** Called when the script connects, writes, closes. */
  onConnect: (s: FakeSocket, stack: FakeStack) => void = () => {};
  onSend: (s: FakeSocket, bytes: number, stack: FakeStack) => void = () => {};
  onClose: (s: FakeSocket, stack: FakeStack) => void = () => {};

  constructor(
    readonly port: HostPort,
    readonly params: TcpParams,
  ) {
    this.address = port.address;
  }

  get now(): Nanos {
    return this.port.sim.now;
  }

  /** The "engine" sends a segment to the scripted peer `delay` from now. */
  emit(fields: Partial<Segment>, delay: Nanos = 0): void {
    const packet: Packet = {
      src: this.address,
      dst: DRILL_REMOTE_ADDRESS,
      ttl: 64,
      id: 0,
      protocol: PROTO_TCP,
      tcp: segment(fields),
      dataBytes: 0,
      annot: 0,
    };
    this.port.sim.after(delay, SEND, 0, { port: this.port, packet });
  }

  /** Runs `fn` on the simulated clock `delay` from now. */
  later(delay: Nanos, fn: () => void): void {
    this.port.sim.after(delay, { onEvent: () => fn() });
  }

  receive(packet: Packet): void {
    this.received.push({ at: this.now, packet });
    this.onPacket(packet, this);
  }

  connect(_remoteAddr: number, remotePort: number, handler: SocketHandler, options?: ConnectOptions): FakeSocket {
    const s = new FakeSocket(this, options?.localPort ?? 50000, remotePort, handler);
    s.state = 'SYN_SENT';
    this.sockets.push(s);
    this.onConnect(s, this);
    return s;
  }

  listen(port: number, handler: ListenHandler, backlog = 128): FakeListener {
    const l = new FakeListener(port, backlog, handler);
    this.listeners.set(port, l);
    return l;
  }

  /** A connection the listener on `port` hands to accept(). */
  establish(port: number, remotePort = 40000): FakeSocket {
    const s = new FakeSocket(this, port, remotePort, {});
    this.sockets.push(s);
    this.listeners.get(port)!.complete(s);
    return s;
  }

  openRaw(): RawSocket {
    throw new Error('not in the fake');
  }
  stats(): StackStats {
    return { segmentsSent: 0, segmentsRetransmitted: 0, established: 0, timeWait: 0, timeWaitPeak: 0 };
  }
}
