/**
 * A scripted socket application: a timeline of socket calls on one host (listen, accept, connect,
 * send, read, shutdown, close, SO_LINGER 0, setsockopt), for the textbook scenarios a lecture
 * draws as ladder diagrams: simultaneous open (both sides connect() to each other's fixed port at
 * once), simultaneous close, half-close with data after FIN, close with unread data (RST, as
 * Linux tcp_close does), keepalive probes.
 *
 * It behaves like a small program using blocking calls, one connection at a time:
 * - `accept` takes the next connection as soon as one is queued at or after its time;
 * - `send` queues its bytes; what the send buffer cannot take yet goes out as space frees, and a
 *   later shutdown/close waits for it (as a blocking write() would return first);
 * - data is read as it arrives unless `autoRead: false`, then only by `read` steps;
 * - `setsockopt`/`linger0` before the socket exists apply to the socket the next connect, listen
 *   (inherited by accepted sockets, as on Linux) or accept makes.
 * Every step and every outcome is noted in the trace (`ev: app`); connect outcomes go to the
 * metrics like a client's.
 */
import type { ScriptApp, ScriptStep, SocketOptions } from './app-specs.ts';
import type { ScriptNote } from '../schema/trace.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import {
  SocketError,
  type ListenHandler,
  type ListenSocket,
  type SocketHandler,
  type TcpSocket,
} from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { TcpParams } from '../tcp/params.ts';
import { formatIpv4 } from '../wire/ip.ts';
import type { AppContext } from './context.ts';

const STEP = 1;
/** recv() size when reading "what is there". */
const READ_ALL = 1 << 30;

export class Script implements EventHandler, SocketHandler, ListenHandler {
  /** Index of the next step to run. */
  private next = 0;
  private sock: TcpSocket | null = null;
  private listener: ListenSocket | null = null;
  /** accept steps still waiting for a connection. */
  private acceptsWanted = 0;
  /** setsockopt/linger0 given before the socket they apply to exists. */
  private pendingOptions: Partial<TcpParams> = {};
  private lingerZero = false;
  /** Bytes a send step asked for that the send buffer has not taken yet. */
  private unsent = 0;
  /** shutdown/close/send steps waiting behind `unsent`, in order. */
  private blocked: { step: ScriptStep; index: number }[] = [];
  /** The socket whose connect() has not completed, and when it was called. */
  private connecting: TcpSocket | null = null;
  private connectAt: Nanos = 0;
  /** Sockets this script opened with connect(): their later errors count as lost connections. */
  private readonly opened = new Set<TcpSocket>();
  private readonly eofSeen = new Set<TcpSocket>();
  /** A socket existed before (so a call without one is on a closed descriptor). */
  private hadSocket = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly spec: ScriptApp,
  ) {}

  start(): void {
    const first = this.spec.steps[0];
    if (first !== undefined) this.ctx.sim.at(first.at, this, STEP);
  }

  /** The socket the steps act on now (for tests and TCP_INFO). */
  get socket(): TcpSocket | null {
    return this.sock;
  }

  onEvent(sim: Sim): void {
    const steps = this.spec.steps;
    while (this.next < steps.length && steps[this.next]!.at <= sim.now) {
      const index = this.next++;
      this.run(steps[index]!, index);
    }
    if (this.next < steps.length) sim.at(steps[this.next]!.at, this, STEP);
  }

  /** Runs one step; `queued` when it comes off the blocked list (its turn has come). */
  private run(step: ScriptStep, index: number, queued = false): void {
    const sendSide = step.op === 'send' || step.op === 'shutdown' || step.op === 'close';
    if (sendSide && !queued && (this.blocked.length > 0 || (step.op !== 'send' && this.unsent > 0))) {
      this.blocked.push({ step, index });
      this.note(step.op, index, { waiting: 'send buffer', unsent: this.unsent });
      return;
    }
    switch (step.op) {
      case 'listen':
        return this.listen(step.port, step.backlog, index);
      case 'accept':
        this.acceptsWanted++;
        this.note('accept', index);
        return this.acceptQueued();
      case 'connect':
        return this.connect(step.target.node, step.target.port, step.localPort, step.reuseAddr === true, index);
      case 'send': {
        if (!this.hasSocket('send', index, { bytes: step.bytes })) return;
        this.unsent += step.bytes;
        const errno = this.push();
        this.note('send', index, errno === null ? { bytes: step.bytes } : { bytes: step.bytes, errno });
        return this.runUnblocked();
      }
      case 'read':
        if (!this.hasSocket('read', index)) return;
        return this.read(this.sock!, step.bytes ?? READ_ALL, index);
      case 'shutdown':
        if (!this.hasSocket('shutdown', index, { how: step.how })) return;
        this.note('shutdown', index, { how: step.how });
        return this.call(() => this.sock!.shutdown(step.how), 'shutdown', index);
      case 'close': {
        if (!this.hasSocket('close', index)) return;
        const sock = this.sock!;
        // Linux tcp_close: unread data (or SO_LINGER 0) turns the FIN into a RST.
        this.note('close', index, { unread: sock.readable });
        this.sock = null;
        return this.call(() => sock.close(), 'close', index);
      }
      case 'linger0':
        this.note('linger0', index, { on: step.on });
        if (this.sock !== null) this.sock.setLingerZero(step.on);
        else this.lingerZero = step.on;
        return;
      case 'setsockopt':
        this.note('setsockopt', index, { ...step.options });
        if (this.sock !== null) this.setOptions(this.sock, step.options);
        else Object.assign(this.pendingOptions, step.options);
        return;
    }
  }

  private listen(port: number, backlog: number | undefined, index: number): void {
    const fields: Record<string, unknown> = { port };
    if (backlog !== undefined) fields['backlog'] = backlog;
    const listener = this.ctx.stack.listen(port, this, backlog, this.takeOptions());
    if (typeof listener === 'string') {
      this.note('listen', index, { ...fields, errno: listener });
      return;
    }
    this.listener = listener;
    this.ctx.listening?.(listener);
    this.note('listen', index, fields);
  }

  private connect(node: string, port: number, localPort: number | undefined, reuseAddr: boolean, index: number): void {
    const { ctx } = this;
    const fields: Record<string, unknown> = { target: `${node}:${port}` };
    if (localPort !== undefined) fields['localPort'] = localPort;
    if (reuseAddr) fields['reuseAddr'] = true;
    ctx.report.connectAttempted(ctx.app, ctx.node);
    const params = this.takeOptions();
    const sock = ctx.stack.connect(ctx.addressOf(node), port, this, {
      localPort,
      reuseAddr,
      lingerZero: this.lingerZero || undefined,
      params,
    });
    if (typeof sock === 'string') {
      this.note('connect', index, { ...fields, errno: sock });
      ctx.report.connectFailed(ctx.app, ctx.node, sock);
      return;
    }
    this.lingerZero = false;
    this.sock = sock;
    this.hadSocket = true;
    this.connecting = sock;
    this.connectAt = ctx.sim.now;
    this.opened.add(sock);
    this.note('connect', index, fields);
  }

  /** Pending setsockopt options for a socket about to be made; undefined when there are none. */
  private takeOptions(): Partial<TcpParams> | undefined {
    if (Object.keys(this.pendingOptions).length === 0) return undefined;
    const o = this.pendingOptions;
    this.pendingOptions = {};
    return o;
  }

  private setOptions(sock: TcpSocket, options: SocketOptions): void {
    for (const [name, value] of Object.entries(options) as [
      keyof SocketOptions,
      SocketOptions[keyof SocketOptions],
    ][]) {
      sock.setOption(name, value as never);
    }
  }

  private hasSocket(what: ScriptNote, index: number, fields?: Record<string, unknown>): boolean {
    if (this.sock !== null) return true;
    // no connection yet (ENOTCONN), or the descriptor was closed (EBADF)
    this.note(what, index, { ...fields, errno: this.hadSocket ? 'EBADF' : 'ENOTCONN' });
    return false;
  }

  /** A socket call that may fail with an errno (EPIPE after shutdown(wr), ENOTCONN, …): noted, not thrown. */
  private call(f: () => void, what: ScriptNote, index: number): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof SocketError)) throw e;
      this.note(what, index, { errno: e.code });
    }
  }

  /**
   * Pushes queued bytes into the send buffer as far as it takes them; the rest waits for
   * onWritable. Returns the errno when send() failed (EPIPE, ECONNRESET, …): the rest is dropped.
   */
  private push(): Errno | null {
    const sock = this.sock;
    while (this.unsent > 0 && sock !== null) {
      const n = sock.send(this.unsent);
      if (typeof n !== 'number') {
        this.unsent = 0;
        return n;
      }
      if (n === 0) return null; // buffer full: onWritable continues
      this.unsent -= n;
    }
    if (sock === null) this.unsent = 0;
    return null;
  }

  /** Once every queued byte is in the send buffer, the steps that waited for it run, in order. */
  private runUnblocked(): void {
    while (this.blocked.length > 0 && this.unsent === 0) {
      const { step, index } = this.blocked.shift()!;
      this.run(step, index, true);
    }
  }

  /** More send-buffer space (or a completed connect): continue a blocked write. */
  private flush(): void {
    if (this.unsent === 0 && this.blocked.length === 0) return;
    const errno = this.push();
    if (errno !== null) this.note('send', -1, { errno });
    this.runUnblocked();
  }

  private acceptQueued(): void {
    const l = this.listener;
    while (this.acceptsWanted > 0 && l !== null) {
      const s = l.accept(this);
      if (s === null) return;
      this.acceptsWanted--;
      this.adopt(s);
    }
  }

  private adopt(s: TcpSocket): void {
    this.sock = s;
    this.hadSocket = true;
    const options = this.takeOptions();
    if (options !== undefined) this.setOptions(s, options as SocketOptions);
    if (this.lingerZero) {
      s.setLingerZero(true);
      this.lingerZero = false;
    }
    this.note('accepted', -1, { peer: `${formatIpv4(s.remoteAddr)}:${s.remotePort}`, state: s.state });
    if (this.spec.autoRead && (s.readable > 0 || s.eof)) this.read(s, READ_ALL, -1);
  }

  /** recv() until nothing is left (or `max` bytes); notes the bytes and end-of-stream. */
  private read(sock: TcpSocket, max: number, index: number): void {
    let got = 0;
    let eof = false;
    while (got < max) {
      const n = sock.recv(max - got);
      if (n === 'EAGAIN') break;
      if (typeof n !== 'number') {
        this.note('read', index, { bytes: got, errno: n });
        return;
      }
      if (n === 0) {
        eof = true;
        break;
      }
      got += n;
    }
    if (got > 0 || index >= 0) this.note('read', index, { bytes: got });
    if (eof && !this.eofSeen.has(sock)) {
      this.eofSeen.add(sock);
      this.note('eof', -1);
    }
  }

  // --- socket notifications ---

  onAcceptable(): void {
    this.acceptQueued();
  }

  onConnected(sock: TcpSocket): void {
    if (sock !== this.connecting) return;
    this.connecting = null;
    const { ctx } = this;
    ctx.report.connected(ctx.app, ctx.node, ctx.sim.now - this.connectAt);
    this.note('connected', -1, { handshake_ms: (ctx.sim.now - this.connectAt) / 1e6 });
    if (sock === this.sock) this.flush();
  }

  onReadable(sock: TcpSocket): void {
    if (this.spec.autoRead) this.read(sock, READ_ALL, -1);
  }

  onWritable(sock: TcpSocket): void {
    if (sock === this.sock) this.flush();
  }

  onError(sock: TcpSocket, errno: Errno): void {
    const { ctx } = this;
    this.note('error', -1, { errno });
    if (sock === this.connecting) {
      this.connecting = null;
      ctx.report.connectFailed(ctx.app, ctx.node, errno);
    } else if (this.opened.has(sock)) {
      ctx.report.connectionLost(ctx.app, ctx.node, errno);
    }
    if (sock === this.sock) {
      this.unsent = 0;
      this.blocked.length = 0;
    }
  }

  /** One trace line per step (`step` is its index; -1 for what the network caused). */
  private note(what: ScriptNote, step: number, fields?: Record<string, unknown>): void {
    const f: Record<string, unknown> = step >= 0 ? { step, ...fields } : { ...fields };
    this.ctx.report.note(this.ctx.app, this.ctx.node, what, f);
  }
}
