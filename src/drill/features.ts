/**
 * Before running a script, find the first thing in it tcplab does not model, so the verdict is an
 * honest SKIP naming that exact feature instead of a FAIL that blames the engine.
 */
import { codeGap, parseCode } from './code.ts';
import { TCP_INFO_FIELDS } from '../tcp/tcp-info.ts';
import { SYMBOLS } from './constants.ts';
import { formatExpr, intValue, structFields, wordValue } from './expr.ts';
import { readMsghdr } from './msghdr.ts';
import { icmpGap } from './icmp.ts';

const MODELLED_TCPI: ReadonlySet<string> = new Set(TCP_INFO_FIELDS.map((f) => `tcpi_${f}`));
import type { Expr, DrillScript, SyscallEvent } from './script.ts';

/** Script flags the runner understands (the rest change packetdrill's own mechanics). */
export const KNOWN_FLAGS: ReadonlySet<string> = new Set([
  'tolerance_usecs',
  'tolerance_percent',
  'ip_version',
  'mss',
  'bind_port',
  'connect_port',
  'local_ip',
  'remote_ip',
  'tcp_ts_ecr_scaled',
  'tcp_ts_tick_usecs',
  'strict_segments',
  'verbose',
  'debug',
  'dry_run',
]);

export const SUPPORTED_SYSCALLS: ReadonlySet<string> = new Set([
  'socket',
  'setsockopt',
  'getsockopt',
  'fcntl',
  'bind',
  'listen',
  'accept',
  'connect',
  'read',
  'write',
  'recv',
  'send',
  'recvfrom',
  'sendto',
  'recvmsg',
  'sendmsg',
  'shutdown',
  'close',
  'ioctl',
  'poll',
  'epoll_create',
  'epoll_create1',
  'epoll_ctl',
  'epoll_wait',
]);

const SETSOCKOPTS: ReadonlySet<string> = new Set([
  'SO_REUSEADDR',
  'SO_REUSEPORT',
  'SO_SNDBUF',
  'SO_RCVBUF',
  'SO_KEEPALIVE',
  'SO_LINGER',
  'TCP_NODELAY',
  'TCP_USER_TIMEOUT',
  'TCP_KEEPIDLE',
  'TCP_KEEPINTVL',
  'TCP_KEEPCNT',
  'TCP_SYNCNT',
  'TCP_MAXSEG',
  'TCP_CORK',
  'TCP_NOTSENT_LOWAT',
  'TCP_INQ',
  'TCP_FASTOPEN',
  'TCP_FASTOPEN_CONNECT',
  'TCP_FASTOPEN_KEY',
  'IP_TOS',
  'IP_MTU_DISCOVER',
]);

const GETSOCKOPTS: ReadonlySet<string> = new Set([
  'SO_ERROR',
  'SO_SNDBUF',
  'SO_RCVBUF',
  'TCP_INFO',
  'TCP_MAXSEG',
  'TCP_NOTSENT_LOWAT',
  'TCP_CORK',
  'TCP_NODELAY',
  'TCP_INQ',
  'TCP_FASTOPEN_KEY',
  'IP_TOS',
  'IP_MTU_DISCOVER',
]);

/** Cookie symbols packetdrill's wrappers define (-D): the server's cookie under the script's key, under the zero key. */
export const FASTOPEN_SYMBOLS: ReadonlySet<string> = new Set(['TFO_COOKIE', 'TFO_COOKIE_ZERO']);

/** send()/sendto()/sendmsg() flags the socket layer models (MSG_FASTOPEN is the Fast Open work's). */
const SEND_FLAGS =
  SYMBOLS.MSG_EOR! | SYMBOLS.MSG_MORE! | SYMBOLS.MSG_DONTWAIT! | SYMBOLS.MSG_NOSIGNAL! | SYMBOLS.MSG_FASTOPEN!;
const RECV_FLAGS = SYMBOLS.MSG_DONTWAIT!;

/** Names a flag bit for a SKIP reason. */
function flagName(bits: number): string {
  for (const name of ['MSG_FASTOPEN', 'MSG_ZEROCOPY', 'MSG_ERRQUEUE', 'MSG_PEEK', 'MSG_OOB', 'MSG_TRUNC']) {
    if (bits & SYMBOLS[name]!) return name;
  }
  return `flags 0x${bits.toString(16)}`;
}

function arg(c: SyscallEvent, i: number): Expr | undefined {
  return c.args[i];
}

function syscallGap(c: SyscallEvent): string | null {
  if (!SUPPORTED_SYSCALLS.has(c.name)) return `system call ${c.name}() not supported`;
  switch (c.name) {
    case 'socket': {
      const domain = arg(c, 0);
      const d = domain === undefined || domain.kind === 'ellipsis' ? 2 : intValue(domain);
      if (d === 10) return 'IPv6 sockets';
      const type = arg(c, 1);
      const t = type === undefined ? null : intValue(type);
      if (t === null || (t & 0xf) !== 1) return 'sockets other than SOCK_STREAM';
      return null;
    }
    case 'setsockopt': {
      const name = wordValue(arg(c, 2) ?? { kind: 'ellipsis' });
      if (name === null || !SETSOCKOPTS.has(name)) return `setsockopt ${name ?? '?'} not modelled`;
      if (name === 'SO_LINGER') {
        const f = structFields(arg(c, 3) ?? { kind: 'ellipsis' });
        const onoff = f?.get('onoff');
        const linger = f?.get('linger');
        const on = onoff === undefined ? null : intValue(onoff);
        const secs = linger === undefined ? null : intValue(linger);
        if (on === null || secs === null || (on !== 0 && secs !== 0))
          return 'SO_LINGER with a linger time (only l_linger = 0 is modelled)';
      }
      return null;
    }
    case 'getsockopt': {
      const name = wordValue(arg(c, 2) ?? { kind: 'ellipsis' });
      if (name === null || !GETSOCKOPTS.has(name)) return `getsockopt ${name ?? '?'} not modelled`;
      if (name === 'TCP_INFO') {
        const f = structFields(arg(c, 3) ?? { kind: 'ellipsis' });
        if (f === null) return 'getsockopt TCP_INFO without a {tcpi_...} struct';
        for (const key of f.keys()) if (!MODELLED_TCPI.has(key)) return `TCP_INFO ${key} not modelled`;
      }
      return null;
    }
    case 'ioctl': {
      const req = wordValue(arg(c, 1) ?? { kind: 'ellipsis' });
      return req !== null && ['SIOCINQ', 'FIONREAD', 'SIOCOUTQ', 'TIOCOUTQ', 'SIOCOUTQNSD'].includes(req)
        ? null
        : `ioctl ${req ?? '?'} not modelled`;
    }
    case 'fcntl': {
      const cmd = wordValue(arg(c, 1) ?? { kind: 'ellipsis' });
      return cmd === 'F_SETFL' || cmd === 'F_GETFL' ? null : `fcntl ${cmd ?? '?'} not modelled`;
    }
    case 'send':
    case 'sendto':
    case 'sendmsg':
    case 'recv':
    case 'recvfrom':
    case 'recvmsg': {
      const msg = c.name === 'sendmsg' || c.name === 'recvmsg';
      const flagsArg = arg(c, msg ? 2 : 3);
      const flags = flagsArg === undefined ? 0 : intValue(flagsArg);
      if (flags === null)
        return `${c.name}() flags ${flagsArg === undefined ? '?' : formatExpr(flagsArg)} not understood`;
      const known = c.name.startsWith('send') ? SEND_FLAGS : RECV_FLAGS;
      if (flags & ~known) {
        const f = flagName(flags & ~known);
        return f === 'MSG_FASTOPEN' ? 'MSG_FASTOPEN (TCP Fast Open) not modelled' : `${c.name}() ${f} not modelled`;
      }
      if (msg) {
        const hdr = readMsghdr(arg(c, 1) ?? { kind: 'ellipsis' });
        if (typeof hdr !== 'string') {
          const other = hdr.control.find((m) => m.type !== 'TCP_CM_INQ');
          if (other !== undefined) return `${c.name}() control message ${other.type} not modelled`;
        }
      }
      return null;
    }
    case 'epoll_ctl': {
      const ev = structFields(arg(c, 3) ?? { kind: 'ellipsis' })?.get('events');
      const bits = ev === undefined ? 0 : (intValue(ev) ?? 0);
      if (bits & SYMBOLS.EPOLLEXCLUSIVE!) return 'EPOLLEXCLUSIVE not modelled';
      return null;
    }
    default:
      return null;
  }
}

/**
 * The first unmodelled feature a script needs, with its line, or null when it can run.
 * `commandChangesParams` tells whether a timed shell command sets engine parameters.
 */
export function unsupportedFeature(
  script: DrillScript,
  commandChangesParams: (command: string) => boolean,
): string | null {
  for (const f of script.flags) {
    if (f.name === 'ip_version') {
      if (f.value !== 'ipv4') return `${f.value === 'ipv6' ? 'IPv6' : `--ip_version=${f.value}`} (line ${f.line})`;
      continue;
    }
    if (!KNOWN_FLAGS.has(f.name)) return `script option --${f.name} not supported (line ${f.line})`;
    if ((f.name === 'local_ip' || f.name === 'remote_ip') && f.value?.includes(':')) return `IPv6 (line ${f.line})`;
  }
  const assigned = new Set<string>();
  for (const e of script.events) {
    switch (e.type) {
      case 'packet': {
        if (e.unsupported !== null) return `${e.unsupported} not modelled (line ${e.line})`;
        if (e.icmp !== undefined) {
          const gap = icmpGap(e.icmp);
          if (gap !== null) return `${gap} not modelled (line ${e.line})`;
        }
        for (const o of e.options ?? []) {
          if (o.kind === 'unsupported') return `${o.name} not modelled (line ${e.line})`;
          if (
            o.kind === 'fastopen' &&
            o.cookie !== null &&
            !/^([0-9a-fA-F]{2})+$/.test(o.cookie) &&
            !FASTOPEN_SYMBOLS.has(o.cookie)
          ) {
            return `Fast Open cookie ${o.cookie} not understood (line ${e.line})`;
          }
        }
        break;
      }
      case 'syscall': {
        const gap = syscallGap(e);
        if (gap !== null) return `${gap} (line ${e.line})`;
        break;
      }
      case 'code': {
        const parsed = parseCode(e.code);
        if (!parsed.ok) return `${parsed.reason} (line ${e.line})`;
        const gap = codeGap(parsed.stmts, assigned);
        if (gap !== null) return `${gap} (line ${e.line})`;
        break;
      }
      case 'command':
        if (commandChangesParams(e.command)) return `sysctl changed during the script (line ${e.line})`;
        break;
    }
  }
  return null;
}
