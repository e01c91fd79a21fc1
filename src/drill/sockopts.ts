/**
 * setsockopt/getsockopt as a script uses them, mapped to socket API calls and TcpParams fields.
 * Buffer sizes behave as Linux's (net/core/sock.c sock_setsockopt): the value is capped at
 * wmem_max/rmem_max (212992 by default), doubled for bookkeeping overhead, and floored at
 * SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF; getsockopt reports the doubled value.
 */
import type { ListenSocket, TcpSocket } from '../stack/socket-api.ts';
import { MS, SEC } from '../sim/time.ts';
import type { TcpParams } from '../tcp/params.ts';
import { ERRNO, LINUX_STATE, SYMBOLS } from './constants.ts';
import { intValue, structFields, wordValue } from './expr.ts';
import type { Expr } from './script.ts';

const WMEM_MAX = 212992;
const RMEM_MAX = 212992;
const SOCK_MIN_SNDBUF = 4608;
const SOCK_MIN_RCVBUF = 2304;

/** One file descriptor of the script. */
export interface FdEntry {
  fd: number;
  nonblocking: boolean;
  kind: 'socket' | 'listener' | 'conn';
  /** Options set before listen()/connect() (and, on a listener, for the sockets it hands out). */
  params: Partial<TcpParams>;
  noDelay: boolean;
  lingerZero: boolean;
  /** SO_REUSEADDR (connect from a bound port: EADDRNOTAVAIL rather than bind's EADDRINUSE). */
  reuseAddr?: boolean;
  /** SO_SNDBUF / SO_RCVBUF as getsockopt reports them, once set. */
  sndBuf: number | null;
  rcvBuf: number | null;
  bound: number | null;
  listener: ListenSocket | null;
  sock: TcpSocket | null;
  /** The last asynchronous error the stack reported for this socket. */
  error: string | null;
}

/** Applies a parameter to an open connection or keeps it for the socket's future connection. */
function setParam<K extends keyof TcpParams>(e: FdEntry, key: K, value: TcpParams[K]): void {
  e.params[key] = value;
  if (e.kind === 'conn' && e.sock !== null) e.sock.setOption(key, value);
}

/** setsockopt(fd, level, name, value, len): null on success, or a message (features.ts rules out the rest). */
export function setSockOpt(e: FdEntry, name: string, value: Expr): string | null {
  const v = intValue(value);
  switch (name) {
    case 'SO_REUSEADDR':
      e.reuseAddr = v !== null && v !== 0;
      return null;
    case 'SO_REUSEPORT':
      return null;
    case 'SO_SNDBUF': {
      if (v === null) return 'SO_SNDBUF needs an integer';
      const size = Math.max(Math.min(v, WMEM_MAX) * 2, SOCK_MIN_SNDBUF);
      e.sndBuf = size;
      setParam(e, 'sndBuf', size);
      return null;
    }
    case 'SO_RCVBUF': {
      if (v === null) return 'SO_RCVBUF needs an integer';
      const size = Math.max(Math.min(v, RMEM_MAX) * 2, SOCK_MIN_RCVBUF);
      e.rcvBuf = size;
      setParam(e, 'rcvBuf', size);
      return null;
    }
    case 'SO_KEEPALIVE':
      setParam(e, 'keepalive', v !== 0);
      return null;
    case 'TCP_KEEPIDLE':
      setParam(e, 'keepaliveIdle', (v ?? 0) * SEC);
      return null;
    case 'TCP_KEEPINTVL':
      setParam(e, 'keepaliveInterval', (v ?? 0) * SEC);
      return null;
    case 'TCP_KEEPCNT':
      setParam(e, 'keepaliveProbes', v ?? 0);
      return null;
    case 'TCP_SYNCNT':
      setParam(e, 'synRetries', v ?? 0);
      return null;
    case 'TCP_USER_TIMEOUT':
      setParam(e, 'userTimeout', (v ?? 0) * MS);
      return null;
    case 'TCP_NODELAY':
      e.noDelay = v !== 0;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setNoDelay(e.noDelay);
      return null;
    case 'SO_LINGER': {
      const f = structFields(value);
      const on = f?.get('onoff');
      e.lingerZero = on !== undefined && intValue(on) !== 0;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setLingerZero(e.lingerZero);
      return null;
    }
    default:
      return `setsockopt ${name} not modelled`;
  }
}

/** Options a listener had set are inherited by the connections accept() returns (Linux sk_clone). */
export function inherit(from: FdEntry, to: FdEntry): void {
  to.noDelay = from.noDelay;
  to.lingerZero = from.lingerZero;
  to.sndBuf = from.sndBuf;
  to.rcvBuf = from.rcvBuf;
  for (const key of Object.keys(from.params) as Array<keyof TcpParams>) {
    to.params[key] = from.params[key] as never;
    to.sock?.setOption(key, from.params[key] as never);
  }
  if (to.sock !== null) {
    if (to.noDelay) to.sock.setNoDelay(true);
    if (to.lingerZero) to.sock.setLingerZero(true);
  }
}

function expectedInt(e: Expr): number | null {
  const w = wordValue(e);
  if (w !== null) return ERRNO[w] ?? SYMBOLS[w] ?? null;
  return intValue(e);
}

/**
 * getsockopt(fd, level, name, out, len): compares what the socket reports with the script's
 * `out` argument; null when it matches, else the mismatch.
 */
export function getSockOpt(e: FdEntry, name: string, out: Expr, host: TcpParams): string | null {
  switch (name) {
    case 'SO_ERROR': {
      const err = e.sock?.takeError() ?? null;
      e.error = null;
      const got = err === null ? 0 : (ERRNO[err] ?? -1);
      const want = expectedInt(out);
      return want === got ? null : `getsockopt SO_ERROR: expected ${wordValue(out) ?? want}, got ${err ?? 0}`;
    }
    case 'SO_SNDBUF':
    case 'SO_RCVBUF': {
      const got = name === 'SO_SNDBUF' ? (e.sndBuf ?? host.sndBuf) : (e.rcvBuf ?? host.rcvBuf);
      const want = expectedInt(out);
      return want === got ? null : `getsockopt ${name}: expected ${want}, got ${got}`;
    }
    case 'TCP_INFO': {
      const fields = structFields(out);
      const stateExpr = fields?.get('tcpi_state');
      if (stateExpr === undefined) return null;
      const state = e.kind === 'listener' ? 'TCP_LISTEN' : e.sock === null ? 'TCP_CLOSE' : (LINUX_STATE[e.sock.state] ?? e.sock.state);
      const want = wordValue(stateExpr) ?? String(intValue(stateExpr));
      const wantValue = SYMBOLS[want] ?? intValue(stateExpr);
      return wantValue === SYMBOLS[state] ? null : `getsockopt TCP_INFO tcpi_state: expected ${want}, got ${state}`;
    }
    default:
      return `getsockopt ${name} not modelled`;
  }
}
