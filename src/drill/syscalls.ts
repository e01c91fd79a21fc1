/**
 * The script's system calls on the socket API. A file-descriptor table maps the script's fds to
 * sockets; calls on blocking sockets that cannot finish at once (connect, accept, read, write)
 * wait for the socket's handler to report progress, as a thread blocked in the kernel would.
 * As in packetdrill (run_system_call.c): a call written `start...end` may block and the script
 * goes on meanwhile, its return checked against `end`; any other call must return at once.
 */
import type { Nanos } from '../sim/time.ts';
import type { ListenHandler, SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import { SocketError } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { TcpParams } from '../tcp/params.ts';
import { SYMBOLS } from './constants.ts';
import { formatExpr, intValue, structFields, wordValue } from './expr.ts';
import type { Flows } from './flows.ts';
import type { DrillStack } from './host.ts';
import type { SyscallEvent } from './script.ts';
import { getSockOpt, inherit, setSockOpt, type FdEntry } from './sockopts.ts';

/** What a call returned: a value, or -1 with an errno. */
interface Outcome {
  ret: number;
  errno: string | null;
}

/** A try at finishing a call: an outcome, or null to keep waiting. */
type Attempt = () => Outcome | null;

interface Pending {
  ev: SyscallEvent;
  fd: number;
  start: Nanos;
  /** The `...end` time, or null for a call that should not have blocked. */
  end: Nanos | null;
  attempt: Attempt;
}

export interface SyscallHost {
  readonly now: Nanos;
  readonly stack: DrillStack;
  readonly flows: Flows;
  readonly params: TcpParams;
  readonly remoteAddr: number;
  readonly connectPort: number;
  readonly bindPort: number;
  /** A timing error message, or null when `actual` is within tolerance of `expected`. */
  checkTime(what: string, expected: Nanos, actual: Nanos): string | null;
  /** Records the script's first failure and stops the simulation. */
  fail(message: string): void;
  /** A blocked call finished (the runner may stop waiting for it). */
  callFinished(): void;
}

const OK = (ret: number): Outcome => ({ ret, errno: null });
const ERR = (errno: string): Outcome => ({ ret: -1, errno });

function errnoOf(e: unknown): string {
  if (e instanceof SocketError) return e.code;
  throw e;
}

export class Syscalls {
  private readonly fds = new Map<number, FdEntry>();
  pending: Pending | null = null;
  /** The connection a `%{ }%` block looks at: the last one accepted or connected. */
  underTest: FdEntry | null = null;

  constructor(private readonly host: SyscallHost) {}

  /** Starts the call at `start`; `end` is its `...end` time when the script lets it block. */
  run(ev: SyscallEvent, start: Nanos, end: Nanos | null): void {
    if (this.pending !== null) {
      this.host.fail(`line ${ev.line}: blocking system call while another blocking system call is already in progress (line ${this.pending.ev.line})`);
      return;
    }
    const attempt = this.prepare(ev);
    if (typeof attempt === 'string') {
      this.host.fail(`line ${ev.line}: ${attempt}`);
      return;
    }
    const fd = intValue(ev.args[0] ?? { kind: 'ellipsis' }) ?? -1;
    const first = attempt();
    if (first !== null) {
      this.finish(ev, start, end, first);
      return;
    }
    this.pending = { ev, fd, start, end, attempt };
  }

  /** The socket or listener on `fd` reported progress: retry its blocked call. */
  private wake(fd: number): void {
    const p = this.pending;
    if (p === null || p.fd !== fd) return;
    const outcome = p.attempt();
    if (outcome === null) return;
    this.pending = null;
    this.finish(p.ev, p.start, p.end, outcome);
    this.host.callFinished();
  }

  private finish(ev: SyscallEvent, start: Nanos, end: Nanos | null, o: Outcome): void {
    const want = intValue(ev.result);
    const fmt = (ret: number, errno: string | null): string => (ret === -1 && errno !== null ? `-1 ${errno}` : String(ret));
    if ((want !== null && want !== o.ret) || (want === -1 && ev.errno !== null && o.errno !== ev.errno)) {
      this.host.fail(`line ${ev.line}: ${ev.name}() returned ${fmt(o.ret, o.errno)}, expected ${fmt(want ?? NaN, ev.errno ?? formatExpr(ev.result))}`);
      return;
    }
    const late = end === null
      ? this.host.checkTime('system call return', start, this.host.now)
      : this.host.checkTime('blocking system call return', end, this.host.now);
    if (late !== null) this.host.fail(`line ${ev.line}: ${ev.name}(): ${late}`);
  }

  private socketHandler(fd: number): SocketHandler {
    const wake = (): void => this.wake(fd);
    return {
      onConnected: wake,
      onReadable: wake,
      onWritable: wake,
      onError: (_sock: TcpSocket, errno: Errno) => {
        const e = this.fds.get(fd);
        if (e !== undefined) e.error = errno;
        wake();
      },
    };
  }

  private listenHandler(fd: number): ListenHandler {
    return { onAcceptable: () => this.wake(fd) };
  }

  private lowestFreeFd(): number {
    let fd = 3;
    while (this.fds.has(fd)) fd++;
    return fd;
  }

  private entry(fd: number): FdEntry | null {
    return this.fds.get(fd) ?? null;
  }

  /** Turns a call into an attempt function, or a message for a malformed call. */
  private prepare(ev: SyscallEvent): Attempt | string {
    const a = ev.args;
    const fd = intValue(a[0] ?? { kind: 'ellipsis' }) ?? -1;
    const e = ev.name === 'socket' ? null : this.entry(fd);
    if (ev.name !== 'socket' && e === null) return () => ERR('EBADF');
    switch (ev.name) {
      case 'socket':
        return () => {
          const type = intValue(a[1]!) ?? 0;
          const nfd = this.lowestFreeFd();
          this.fds.set(nfd, {
            fd: nfd, nonblocking: (type & SYMBOLS.SOCK_NONBLOCK!) !== 0, kind: 'socket', params: {}, noDelay: false,
            lingerZero: false, sndBuf: null, rcvBuf: null, bound: null, listener: null, sock: null, error: null,
          });
          return OK(nfd);
        };
      case 'setsockopt':
        return () => {
          const bad = setSockOpt(e!, wordValue(a[2]!) ?? '?', a[3] ?? { kind: 'ellipsis' });
          return bad === null ? OK(0) : ERR('ENOPROTOOPT');
        };
      case 'getsockopt':
        return () => {
          const bad = getSockOpt(e!, wordValue(a[2]!) ?? '?', a[3] ?? { kind: 'ellipsis' }, this.host.params);
          if (bad !== null) this.host.fail(`line ${ev.line}: ${bad}`);
          return OK(0);
        };
      case 'fcntl':
        return () => {
          if (wordValue(a[1]!) === 'F_GETFL') return OK(SYMBOLS.O_RDWR! | (e!.nonblocking ? SYMBOLS.O_NONBLOCK! : 0));
          e!.nonblocking = ((intValue(a[2]!) ?? 0) & SYMBOLS.O_NONBLOCK!) !== 0;
          return OK(0);
        };
      case 'bind':
        return () => {
          const port = structFields(a[1]!)?.get('sin_port');
          e!.bound = port === undefined ? this.host.bindPort : (intValue(port) ?? this.host.bindPort);
          return OK(0);
        };
      case 'listen':
        return () => this.listen(e!, intValue(a[1]!) ?? undefined);
      case 'accept':
        return () => this.accept(e!);
      case 'connect':
        return this.connect(e!);
      case 'read':
      case 'recv':
        return () => this.read(e!, intValue(a[2]!) ?? 0);
      case 'write':
      case 'send':
        return this.write(e!, intValue(a[2]!) ?? 0);
      case 'shutdown':
        return () => {
          if (e!.kind !== 'conn' || e!.sock === null) return ERR('ENOTCONN');
          const how = intValue(a[1]!);
          try {
            e!.sock.shutdown(how === 0 ? 'rd' : how === 1 ? 'wr' : 'rdwr');
          } catch (err) {
            return ERR(errnoOf(err));
          }
          return OK(0);
        };
      case 'close':
        return () => {
          if (e!.kind === 'listener') e!.listener!.close();
          else if (e!.kind === 'conn') e!.sock!.close();
          this.fds.delete(fd);
          if (this.underTest === e) this.underTest = null;
          return OK(0);
        };
      case 'ioctl':
        return () => {
          if (e!.kind !== 'conn' || e!.sock === null) return ERR('EINVAL');
          const want = intValue(a[2]!);
          if (want !== e!.sock.readable) this.host.fail(`line ${ev.line}: ioctl ${wordValue(a[1]!)}: expected ${want} bytes readable, got ${e!.sock.readable}`);
          return OK(0);
        };
      default:
        return `system call ${ev.name}() not supported`;
    }
  }

  private listen(e: FdEntry, backlog: number | undefined): Outcome {
    if (e.kind !== 'socket') return ERR('EINVAL');
    try {
      e.listener = this.host.stack.listen(e.bound ?? this.host.bindPort, this.listenHandler(e.fd), backlog, e.params);
    } catch (err) {
      return ERR(errnoOf(err));
    }
    e.kind = 'listener';
    return OK(0);
  }

  private accept(e: FdEntry): Outcome | null {
    if (e.kind !== 'listener' || e.listener === null) return ERR('EINVAL');
    const nfd = this.lowestFreeFd();
    const sock = e.listener.accept(this.socketHandler(nfd));
    if (sock === null) return e.nonblocking ? ERR('EAGAIN') : null;
    const c: FdEntry = {
      fd: nfd, nonblocking: false, kind: 'conn', params: {}, noDelay: false, lingerZero: false,
      sndBuf: null, rcvBuf: null, bound: sock.localPort, listener: null, sock, error: null,
    };
    inherit(e, c);
    this.fds.set(nfd, c);
    this.underTest = c;
    return OK(nfd);
  }

  private connect(e: FdEntry): Attempt {
    let started = false;
    return () => {
      if (!started) {
        started = true;
        if (e.kind === 'listener') return ERR('EINVAL');
        if (e.kind === 'conn') return ERR(e.sock?.state === 'SYN_SENT' ? 'EALREADY' : 'EISCONN');
        try {
          e.sock = this.host.stack.connect(this.host.remoteAddr, this.host.connectPort, this.socketHandler(e.fd), {
            localPort: e.bound ?? undefined, lingerZero: e.lingerZero, noDelay: e.noDelay, params: e.params,
            reuseAddr: e.reuseAddr === true,
          });
        } catch (err) {
          return ERR(errnoOf(err));
        }
        e.kind = 'conn';
        this.underTest = e;
        this.host.flows.connecting(e.sock.localPort, this.host.connectPort);
        if (e.nonblocking) return ERR('EINPROGRESS');
      }
      const sock = e.sock!;
      if (sock.state === 'ESTABLISHED' || sock.state === 'CLOSE_WAIT') return OK(0);
      const err = e.error ?? (sock.state === 'CLOSED' ? sock.takeError() : null);
      if (err !== null) {
        sock.takeError(); // a failed blocking connect() reports the error and clears SO_ERROR
        e.error = null;
        return ERR(err);
      }
      return null;
    };
  }

  private read(e: FdEntry, max: number): Outcome | null {
    if (e.kind !== 'conn' || e.sock === null) return ERR('ENOTCONN');
    try {
      return OK(e.sock.recv(max));
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'EAGAIN') return ERR(code);
      if (e.error !== null) {
        const pending = e.error;
        e.error = null;
        e.sock.takeError();
        return ERR(pending);
      }
      return e.nonblocking ? ERR('EAGAIN') : null;
    }
  }

  /** write(): a blocking socket queues everything before returning (Linux tcp_sendmsg waits for memory). */
  private write(e: FdEntry, total: number): Attempt {
    let done = 0;
    return () => {
      if (e.kind !== 'conn' || e.sock === null) return ERR(e.kind === 'conn' ? 'EPIPE' : 'ENOTCONN');
      try {
        while (done < total) {
          const n = e.sock.send(total - done);
          if (n === 0) break;
          done += n;
        }
      } catch (err) {
        const code = errnoOf(err);
        return done > 0 ? OK(done) : ERR(code);
      }
      if (done === total) return OK(done);
      if (e.error !== null) return done > 0 ? OK(done) : ERR(e.error);
      if (e.nonblocking) return done > 0 ? OK(done) : ERR('EAGAIN');
      return null;
    };
  }

  /** TCP_INFO of the connection under test, for `%{ }%` blocks. */
  connUnderTest(): TcpSocket | null {
    return this.underTest?.sock ?? null;
  }
}
