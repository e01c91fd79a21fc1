/**
 * poll(), epoll_ctl(), epoll_wait() and recvmsg's control messages for the script's system calls
 * (syscalls.ts keeps the descriptor table and the blocking machinery; poll.ts the readiness
 * rules). A call that may block says which descriptors wake it (blockOn) and retries on them.
 */
import { formatExpr, intValue, structFields, wordValue } from './expr.ts';
import type { Cmsg } from './msghdr.ts';
import { pollMask, POLLNVAL, reported } from './poll.ts';
import type { SyscallEvent } from './script.ts';
import type { FdEntry } from './sockopts.ts';
import { ERR, OK, type Attempt, type Outcome } from './outcome.ts';
import type { SyscallHost } from './syscalls.ts';

/** What these calls need from the system-call runner. */
export interface WaitContext {
  readonly host: SyscallHost;
  readonly fds: ReadonlyMap<number, FdEntry>;
  /** Retry the blocked call now (a poll timeout expired). */
  retry(): void;
  /** The attempt returning null blocks on these descriptors. */
  blockOn(fds: number[]): void;
}

/** recvmsg's expected control messages: TCP_CM_INQ carries the bytes left to read (Linux tcp_inq_hint). */
export function checkCmsgs(host: SyscallHost, ev: SyscallEvent, e: FdEntry, control: Cmsg[]): void {
  for (const c of control) {
    if (c.type !== 'TCP_CM_INQ') continue;
    if (!e.inq) {
      host.fail(`line ${ev.line}: recvmsg: a TCP_CM_INQ control message without TCP_INQ set`);
      return;
    }
    const sock = e.sock!;
    // Linux tcp_inq_hint: rcv_nxt - copied_seq, and 1 once the peer's FIN has arrived and all is read.
    const inq = sock.readable > 0 ? sock.readable : sock.eof ? 1 : 0;
    const want = intValue(c.data);
    if (want !== inq) host.fail(`line ${ev.line}: recvmsg: TCP_CM_INQ expected ${want}, got ${inq}`);
  }
}

/** The poll mask of a descriptor (Linux tcp_poll). */
function maskOf(fds: ReadonlyMap<number, FdEntry>, fd: number): number {
  const e = fds.get(fd);
  if (e === undefined) return POLLNVAL;
  if (e.kind === 'listener') return pollMask(null, e.listener, false, e.listener!.stats().acceptQueue > 0);
  return pollMask(e.sock, null, e.error !== null, false);
}

export function epollCtl(w: WaitContext, ep: FdEntry, ev: SyscallEvent): Outcome {
  if (ep.epoll === null) return ERR('EINVAL');
  const op = wordValue(ev.args[1]!);
  const fd = intValue(ev.args[2]!) ?? -1;
  if (!w.fds.has(fd)) return ERR('EBADF');
  const events =
    intValue(structFields(ev.args[3] ?? { kind: 'ellipsis' })?.get('events') ?? { kind: 'int', value: 0 }) ?? 0;
  switch (op) {
    case 'EPOLL_CTL_ADD':
      return ep.epoll.add(fd, events, maskOf(w.fds, fd)) ? OK(0) : ERR('EEXIST');
    case 'EPOLL_CTL_MOD':
      return ep.epoll.modify(fd, events, maskOf(w.fds, fd)) ? OK(0) : ERR('ENOENT');
    case 'EPOLL_CTL_DEL':
      return ep.epoll.remove(fd) ? OK(0) : ERR('ENOENT');
    default:
      return ERR('EINVAL');
  }
}

/** epoll_wait(epfd, {events=E, fd=F}, max, timeout): the first event reported must match the struct. */
export function epollWait(w: WaitContext, ep: FdEntry, ev: SyscallEvent): Attempt {
  const timeout = intValue(ev.args[3] ?? { kind: 'int', value: 0 }) ?? 0;
  const max = intValue(ev.args[2]!) ?? 1;
  let expired = false;
  let started = false;
  return () => {
    if (ep.epoll === null) return ERR('EINVAL');
    const got = ep.epoll.collect(max, (fd) => maskOf(w.fds, fd));
    if (got.length === 0 && timeout !== 0 && !expired) {
      if (!started && timeout > 0)
        w.host.schedule(w.host.now + timeout * 1_000_000, () => {
          expired = true;
          w.retry();
        });
      started = true;
      w.blockOn([...w.fds.keys()]);
      return null;
    }
    const want = structFields(ev.args[1] ?? { kind: 'ellipsis' });
    if (want !== null && got.length > 0) {
      const wantEvents = intValue(want.get('events') ?? { kind: 'ellipsis' });
      const wantFd = intValue(want.get('fd') ?? { kind: 'ellipsis' });
      const first = got[0]!;
      if (wantEvents !== null && wantEvents >>> 0 !== first.events >>> 0)
        w.host.fail(
          `line ${ev.line}: epoll_wait: expected events ${formatExpr(want.get('events')!)}, got 0x${(first.events >>> 0).toString(16)} on fd ${first.fd}`,
        );
      else if (wantFd !== null && wantFd !== first.fd)
        w.host.fail(`line ${ev.line}: epoll_wait: expected fd ${wantFd}, got ${first.fd}`);
    }
    return OK(got.length);
  };
}

/** poll([{fd=F, events=E, revents=R}, ...], n, timeout_ms): blocks until some fd is ready or the timeout. */
export function poll(w: WaitContext, ev: SyscallEvent): Attempt | string {
  const list = ev.args[0];
  if (list === undefined || list.kind !== 'list') return 'poll() needs a [{fd=..., events=...}] list';
  const entries = list.items.map((it) => structFields(it));
  if (entries.some((f) => f === null || f.get('fd') === undefined)) return 'poll() entries need fd= and events=';
  const timeout = intValue(ev.args[2] ?? { kind: 'int', value: 0 }) ?? 0;
  const fds = entries.map((f) => intValue(f!.get('fd')!) ?? -1);
  let expired = false;
  let started = false;
  return () => {
    const revents = entries.map((f, i) =>
      reported(maskOf(w.fds, fds[i]!), intValue(f!.get('events') ?? { kind: 'int', value: 0 }) ?? 0),
    );
    const ready = revents.filter((r) => r !== 0).length;
    if (ready === 0 && timeout !== 0 && !expired) {
      if (!started && timeout > 0)
        w.host.schedule(w.host.now + timeout * 1_000_000, () => {
          expired = true;
          w.retry();
        });
      started = true;
      w.blockOn(fds);
      return null;
    }
    entries.forEach((f, i) => {
      const r = f!.get('revents');
      const want = r === undefined ? null : intValue(r);
      if (want !== null && want !== revents[i])
        w.host.fail(
          `line ${ev.line}: poll: fd ${fds[i]} expected revents ${formatExpr(r!)}, got 0x${revents[i]!.toString(16)}`,
        );
    });
    return OK(ready);
  };
}
