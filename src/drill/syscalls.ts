/**
 * The script's system calls on the socket API. A file-descriptor table maps the script's fds to
 * sockets; calls on blocking sockets that cannot finish at once (connect, accept, read, write)
 * wait for the socket's handler to report progress, as a thread blocked in the kernel would.
 * As in packetdrill (run_system_call.c): a call written `start...end` may block and the script
 * goes on meanwhile, its return checked against `end`; any other call must return at once.
 * This file keeps the descriptor table, the dispatch and the blocked call; connect(), read() and
 * write() themselves are in stream-calls.ts, poll() and epoll in poll-calls.ts.
 */
import type { Nanos } from '../sim/time.ts';
import type { ListenHandler, SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import { SocketError } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { TcpParams } from '../tcp/params.ts';
import { SYMBOLS } from './constants.ts';
import { formatExpr, intValue, isNull, structFields, wordValue } from './expr.ts';
import type { Flows } from './flows.ts';
import type { DrillStack } from './host.ts';
import { readMsghdr } from './msghdr.ts';
import { ERR, OK, type Attempt, type Outcome } from './outcome.ts';
import { EpollSet, type WakeKind } from './poll.ts';
import { checkCmsgs, epollCtl, epollWait, poll, type WaitContext } from './poll-calls.ts';
import type { SyscallEvent } from './script.ts';
import { getSockOpt, inherit, newFdEntry, setSockOpt, type FdEntry } from './sockopts.ts';
import { fastOpenWrite } from './fastopen.ts';
import { connectCall, readCall, writeCall, type ConnectContext } from './stream-calls.ts';

interface Pending {
  ev: SyscallEvent;
  /** Descriptors whose wake-ups retry the call (poll watches several). */
  fds: number[];
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
  /** Runs `fn` at simulated time `at` (a poll() timeout). */
  schedule(at: Nanos, fn: () => void): void;
}

/** The Fast Open send hook (see Syscalls.fastOpen). */
export type FastOpenHook = (e: FdEntry, bytes: number, flags: number, unspec?: boolean) => Attempt;

function errnoOf(e: unknown): string {
  if (e instanceof SocketError) return e.code;
  throw e;
}

export class Syscalls {
  private readonly fds = new Map<number, FdEntry>();
  /** Descriptors a reused script number pushed out of reach (still open). */
  private hidden = 0;
  pending: Pending | null = null;
  /**
   * The hook for sendto()/sendmsg() with MSG_FASTOPEN on a socket (TCP Fast Open, its own issue):
   * given the descriptor, the byte count and the other flags, it returns the call's attempt.
   * Null until Fast Open is modelled.
   */
  fastOpen: FastOpenHook | null = null;
  /** Set by an attempt that blocks on several descriptors (poll, epoll_wait). */
  private waitFds: number[] | null = null;
  /** The connection a `%{ }%` block looks at: the last one accepted or connected. */
  underTest: FdEntry | null = null;

  /** What poll-calls.ts needs from here. */
  private readonly waits: WaitContext;

  /** What stream-calls.ts connect() needs from here. */
  private readonly connects: ConnectContext;

  constructor(private readonly host: SyscallHost) {
    this.connects = {
      host,
      socketHandler: (fd) => this.socketHandler(fd),
      underTest: (e) => {
        this.underTest = e;
      },
    };
    const foCtx = {
      params: host.params,
      connect: (e: FdEntry, bytes: number, flags: number) => connectCall(this.connects, e, bytes, flags),
    };
    this.fastOpen = (e, bytes, flags, unspec = false) =>
      fastOpenWrite(foCtx, e, bytes, flags, (flags & SYMBOLS.MSG_FASTOPEN!) !== 0, unspec);
    this.waits = {
      host,
      fds: this.fds,
      retry: () => this.retryPending(),
      blockOn: (fds) => {
        this.waitFds = fds;
      },
    };
  }

  /** Starts the call at `start`; `end` is its `...end` time when the script lets it block. */
  run(ev: SyscallEvent, start: Nanos, end: Nanos | null): void {
    if (this.pending !== null) {
      this.host.fail(
        `line ${ev.line}: blocking system call while another blocking system call is already in progress (line ${this.pending.ev.line})`,
      );
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
    this.pending = { ev, fds: this.waitFds ?? [fd], start, end, attempt };
    this.waitFds = null;
  }

  /** The socket or listener on `fd` reported progress (`kind`): feed epoll, retry a blocked call. */
  private wake(fd: number, kind: WakeKind = 'all'): void {
    for (const e of this.fds.values()) if (e.epoll !== null) e.epoll.wake(fd, kind);
    const p = this.pending;
    if (p === null || !p.fds.includes(fd)) return;
    this.retryPending();
  }

  /** Retries the blocked call; finishes it when it has an outcome. */
  private retryPending(): void {
    const p = this.pending;
    if (p === null) return;
    const outcome = p.attempt();
    if (outcome === null) return;
    this.pending = null;
    this.finish(p.ev, p.start, p.end, outcome);
    this.host.callFinished();
  }

  private finish(ev: SyscallEvent, start: Nanos, end: Nanos | null, o: Outcome): void {
    const want = intValue(ev.result);
    const fmt = (ret: number, errno: string | null): string =>
      ret === -1 && errno !== null ? `-1 ${errno}` : String(ret);
    if ((want !== null && want !== o.ret) || (want === -1 && ev.errno !== null && o.errno !== ev.errno)) {
      this.host.fail(
        `line ${ev.line}: ${ev.name}() returned ${fmt(o.ret, o.errno)}, expected ${fmt(want ?? NaN, ev.errno ?? formatExpr(ev.result))}`,
      );
      return;
    }
    const late =
      end === null
        ? this.host.checkTime('system call return', start, this.host.now)
        : this.host.checkTime('blocking system call return', end, this.host.now);
    if (late !== null) this.host.fail(`line ${ev.line}: ${ev.name}(): ${late}`);
  }

  private socketHandler(fd: number): SocketHandler {
    const wake = (): void => this.wake(fd);
    return {
      onConnected: wake,
      onReadable: () => this.wake(fd, 'in'),
      onWritable: () => this.wake(fd, 'out'),
      onError: (_sock: TcpSocket, errno: Errno) => {
        const e = this.fds.get(fd);
        if (e !== undefined) e.error = errno;
        wake();
      },
    };
  }

  private listenHandler(fd: number): ListenHandler {
    return { onAcceptable: () => this.wake(fd, 'in') };
  }

  /**
   * The descriptor a new socket gets: the one the script expects when it is free (packetdrill
   * maps the script's fds to live ones, so `socket(...) = 4` names fd 4), else the lowest free.
   */
  private newFd(ev: SyscallEvent): number {
    const want = intValue(ev.result);
    if (want !== null && want >= 0 && !this.fds.has(want)) return want;
    // The script names an fd it still holds (upstream fastopen/server/pure-syn-data.pkt): packetdrill
    // rebinds the script's number to the new socket; the old one stays open, out of the script's reach.
    if (want !== null && want >= 3 && (ev.name === 'accept' || ev.name === 'socket')) {
      const old = this.fds.get(want)!;
      this.fds.delete(want);
      this.fds.set(-++this.hidden, old);
      return want;
    }
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
    const creates =
      ev.name === 'socket' || ev.name === 'epoll_create' || ev.name === 'epoll_create1' || ev.name === 'poll';
    const e = creates ? null : this.entry(fd);
    if (!creates && e === null) return () => ERR('EBADF');
    switch (ev.name) {
      case 'socket':
        return () => {
          const type = intValue(a[1]!) ?? 0;
          const nfd = this.newFd(ev);
          this.fds.set(nfd, newFdEntry(nfd, 'socket', (type & SYMBOLS.SOCK_NONBLOCK!) !== 0));
          return OK(nfd);
        };
      case 'epoll_create':
      case 'epoll_create1':
        return () => {
          if (ev.name === 'epoll_create' && (intValue(a[0]!) ?? 0) <= 0) return ERR('EINVAL');
          const nfd = this.newFd(ev);
          const entry = newFdEntry(nfd, 'epoll', false);
          entry.epoll = new EpollSet();
          this.fds.set(nfd, entry);
          return OK(nfd);
        };
      case 'epoll_ctl':
        return () => epollCtl(this.waits, e!, ev);
      case 'epoll_wait':
        return epollWait(this.waits, e!, ev);
      case 'poll':
        return poll(this.waits, ev);
      case 'setsockopt':
        return () => {
          const bad = setSockOpt(e!, wordValue(a[2]!) ?? '?', a[3] ?? { kind: 'ellipsis' });
          // a value the option refuses is EINVAL (the message says so), an unmodelled option ENOPROTOOPT
          return bad === null ? OK(0) : ERR(bad.startsWith('EINVAL') ? 'EINVAL' : 'ENOPROTOOPT');
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
        return () => this.accept(e!, ev);
      case 'connect':
        return connectCall(this.connects, e!);
      case 'read':
      case 'recv':
      case 'recvfrom':
        if (isNull(a[1])) return () => ERR('EFAULT');
        return () => readCall(e!, intValue(a[2]!) ?? 0, intValue(a[3] ?? { kind: 'int', value: 0 }) ?? 0);
      case 'recvmsg': {
        const msg = readMsghdr(a[1] ?? { kind: 'ellipsis' });
        if (typeof msg === 'string') return `recvmsg: ${msg}`;
        return () => {
          const o = readCall(e!, msg.iovBytes, intValue(a[2] ?? { kind: 'int', value: 0 }) ?? 0);
          if (o !== null && o.ret >= 0) checkCmsgs(this.host, ev, e!, msg.control);
          return o;
        };
      }
      case 'write':
      case 'send':
      case 'sendto': {
        if (isNull(a[1])) return () => ERR('EFAULT');
        if (ev.name === 'sendto' && wordValue(a[4] ?? { kind: 'ellipsis' }) === 'AF_UNSPEC' && this.fastOpen !== null) {
          return this.fastOpen(e!, intValue(a[2]!) ?? 0, intValue(a[3] ?? { kind: 'int', value: 0 }) ?? 0, true);
        }
        return writeCall(e!, intValue(a[2]!) ?? 0, intValue(a[3] ?? { kind: 'int', value: 0 }) ?? 0, this.fastOpen);
      }
      case 'sendmsg': {
        const msg = readMsghdr(a[1] ?? { kind: 'ellipsis' });
        if (typeof msg === 'string') return `sendmsg: ${msg}`;
        return writeCall(e!, msg.iovBytes, intValue(a[2] ?? { kind: 'int', value: 0 }) ?? 0, this.fastOpen);
      }
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
          // Linux tcp_ioctl: SIOCINQ unread bytes, SIOCOUTQ unacknowledged, SIOCOUTQNSD unsent.
          const req = wordValue(a[1]!);
          const sock = e!.sock;
          const got =
            req === 'SIOCOUTQ' || req === 'TIOCOUTQ'
              ? sock.unacked
              : req === 'SIOCOUTQNSD'
                ? sock.unsent
                : sock.readable;
          const want = intValue(a[2]!);
          if (want !== got) this.host.fail(`line ${ev.line}: ioctl ${req}: expected ${want}, got ${got}`);
          return OK(0);
        };
      default:
        return `system call ${ev.name}() not supported`;
    }
  }

  private listen(e: FdEntry, backlog: number | undefined): Outcome {
    if (e.kind !== 'socket') return ERR('EINVAL');
    const listener = this.host.stack.listen(e.bound ?? this.host.bindPort, this.listenHandler(e.fd), backlog, e.params);
    if (typeof listener === 'string') return ERR(listener);
    e.listener = listener;
    e.kind = 'listener';
    this.host.flows.listening();
    return OK(0);
  }

  private accept(e: FdEntry, ev: SyscallEvent): Outcome | null {
    if (e.kind !== 'listener' || e.listener === null) return ERR('EINVAL');
    const nfd = this.newFd(ev);
    const sock = e.listener.accept(this.socketHandler(nfd));
    if (sock === null) return e.nonblocking ? ERR('EAGAIN') : null;
    const c = newFdEntry(nfd, 'conn', false);
    c.bound = sock.localPort;
    c.sock = sock;
    inherit(e, c);
    this.fds.set(nfd, c);
    this.underTest = c;
    return OK(nfd);
  }

  /** TCP_INFO of the connection under test, for `%{ }%` blocks. */
  connUnderTest(): TcpSocket | null {
    return this.underTest?.sock ?? null;
  }
}
