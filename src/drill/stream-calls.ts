/**
 * The calls that move a connection's bytes or wait on its handshake: connect() (Fast Open
 * included), read() and write(), each as an attempt the executor (syscalls.ts) retries until it has
 * an outcome, as a thread blocked in the kernel would be woken. They work on one descriptor and
 * never touch the descriptor table, so they live apart from the executor's bookkeeping.
 */
import type { SocketHandler } from '../stack/socket-api.ts';
import { SEND_EOR, SEND_MORE } from '../tcp/api.ts';
import { FO_DEFER, FO_NONBLOCK } from '../tcp/connection.ts';
import { SYMBOLS } from './constants.ts';
import { ERR, OK, type Attempt, type Outcome } from './outcome.ts';
import type { FdEntry } from './sockopts.ts';
import type { FastOpenHook, SyscallHost } from './syscalls.ts';

/** What connect() needs from the executor. */
export interface ConnectContext {
  readonly host: SyscallHost;
  /** The handler that wakes calls blocked on descriptor `fd`. */
  socketHandler(fd: number): SocketHandler;
  /** Makes `e` the connection `%{ }%` blocks look at. */
  underTest(e: FdEntry): void;
}

/** connect(); `fastOpen` >= 0: a Fast Open connect sending that many bytes (fastopen.ts). */
export function connectCall(ctx: ConnectContext, e: FdEntry, fastOpen = -1, fastOpenFlags = 0): Attempt {
  let started = false;
  return () => {
    if (!started) {
      started = true;
      if (e.kind === 'listener') return ERR('EINVAL');
      if (e.kind === 'conn') return ERR(e.sock?.state === 'SYN_SENT' ? 'EALREADY' : 'EISCONN');
      // TCP_FASTOPEN_CONNECT: with a cached cookie connect() returns 0 and the SYN waits for data
      if (fastOpen < 0 && e.params.fastOpenConnect === true) [fastOpen, fastOpenFlags] = [0, FO_DEFER];
      const sock = ctx.host.stack.connect(ctx.host.remoteAddr, ctx.host.connectPort, ctx.socketHandler(e.fd), {
        localPort: e.bound ?? undefined,
        lingerZero: e.lingerZero,
        noDelay: e.noDelay,
        params: e.params,
        reuseAddr: e.reuseAddr === true,
        fastOpen,
        fastOpenFlags,
        ipTos: e.ipTos,
        pmtuDisc: e.pmtuDisc,
      });
      if (typeof sock === 'string') return ERR(sock);
      e.sock = sock;
      if (sock.fastOpenDeferred === true) {
        e.kind = 'conn';
        ctx.underTest(e);
        ctx.host.flows.connecting(sock.localPort, ctx.host.connectPort);
        return OK(0);
      }
      e.kind = 'conn';
      ctx.underTest(e);
      ctx.host.flows.connecting(sock.localPort, ctx.host.connectPort);
      if (e.nonblocking || (fastOpenFlags & FO_NONBLOCK) !== 0) return ERR('EINPROGRESS');
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

export function readCall(e: FdEntry, max: number, flags: number): Outcome | null {
  if (e.kind !== 'conn' || e.sock === null) return ERR('ENOTCONN');
  const nonblocking = e.nonblocking || (flags & SYMBOLS.MSG_DONTWAIT!) !== 0;
  const n = e.sock.recv(max);
  if (typeof n === 'number') return OK(n);
  if (n !== 'EAGAIN') return ERR(n);
  if (e.error !== null) {
    const pending = e.error;
    e.error = null;
    e.sock.takeError();
    return ERR(pending);
  }
  return nonblocking ? ERR('EAGAIN') : null;
}

/** write(): a blocking socket queues everything before returning (Linux tcp_sendmsg waits for memory). */
export function writeCall(e: FdEntry, total: number, msgFlags: number, fastOpen: FastOpenHook | null): Attempt {
  // sendto/sendmsg with MSG_FASTOPEN: connect and send in the SYN (RFC 7413). features.ts
  // SKIPs such scripts until the Fast Open work plugs its handler in here.
  // On a connected socket MSG_FASTOPEN is an ordinary send (the upstream scripts' Linux).
  if (
    msgFlags & SYMBOLS.MSG_FASTOPEN! &&
    e.kind === 'conn' &&
    e.sock !== null &&
    e.sock.fastOpenDeferred !== true &&
    e.sock.state !== 'SYN_SENT'
  ) {
    msgFlags &= ~SYMBOLS.MSG_FASTOPEN!;
  }
  if (msgFlags & SYMBOLS.MSG_FASTOPEN! || (e.kind === 'conn' && e.sock?.fastOpenDeferred === true)) {
    if (fastOpen === null) return () => ERR('EOPNOTSUPP');
    return fastOpen(e, total, msgFlags);
  }
  let done = 0;
  const nonblocking = e.nonblocking || (msgFlags & SYMBOLS.MSG_DONTWAIT!) !== 0;
  const flags = (msgFlags & SYMBOLS.MSG_EOR! ? SEND_EOR : 0) | (msgFlags & SYMBOLS.MSG_MORE! ? SEND_MORE : 0);
  return () => {
    if (e.kind !== 'conn' || e.sock === null) return ERR(e.kind === 'conn' ? 'EPIPE' : 'ENOTCONN');
    while (done < total) {
      const n = e.sock.send(total - done, flags);
      if (typeof n !== 'number') return done > 0 ? OK(done) : ERR(n);
      if (n === 0) break;
      done += n;
    }
    if (done === total) return OK(done);
    if (e.error !== null) return done > 0 ? OK(done) : ERR(e.error);
    if (nonblocking) return done > 0 ? OK(done) : ERR('EAGAIN');
    return null;
  };
}
