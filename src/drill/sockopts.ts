/**
 * setsockopt/getsockopt as a script uses them, mapped to socket API calls and TcpParams fields.
 * Buffer sizes behave as Linux's (net/core/sock.c sock_setsockopt): the value is capped at
 * wmem_max/rmem_max (212992 by default), doubled for bookkeeping overhead, and floored at
 * SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF; getsockopt reports the doubled value.
 */
import type { ListenSocket, TcpSocket } from '../stack/socket-api.ts';
import { MS, SEC } from '../sim/time.ts';
import type { TcpParams } from '../tcp/params.ts';
import { keyBytes, keysTextFromBytes, parseFastOpenKeys } from '../tcp/fastopen-cookie.ts';
import { ERRNO, LINUX_STATE, SYMBOLS } from './constants.ts';
import { intValue, structFields, wordValue } from './expr.ts';
import type { EpollSet } from './poll.ts';
import type { Expr } from './script.ts';

const WMEM_MAX = 212992;
const RMEM_MAX = 212992;
const SOCK_MIN_SNDBUF = 4608;
const SOCK_MIN_RCVBUF = 2304;

/** One file descriptor of the script. */
export interface FdEntry {
  fd: number;
  nonblocking: boolean;
  kind: 'socket' | 'listener' | 'conn' | 'epoll';
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
  /** TCP_INQ: recvmsg() reports the bytes left to read in a TCP_CM_INQ control message. */
  inq: boolean;
  /** TCP_NOTSENT_LOWAT as set on this socket (0: the sysctl's). */
  notsentLowat: number;
  /** TCP_CORK. */
  cork: boolean;
  /** epoll_create(): the interest and ready lists. */
  epoll: EpollSet | null;
  /** IP_TOS (ECN bits clear: a TCP socket keeps its own) and IP_MTU_DISCOVER (IP_PMTUDISC_WANT by default). */
  ipTos: number;
  pmtuDisc: number;
}

/** A fresh descriptor of `kind`. */
export function newFdEntry(fd: number, kind: FdEntry['kind'], nonblocking: boolean): FdEntry {
  return {
    fd,
    nonblocking,
    kind,
    params: {},
    noDelay: false,
    lingerZero: false,
    sndBuf: null,
    rcvBuf: null,
    bound: null,
    listener: null,
    sock: null,
    error: null,
    inq: false,
    notsentLowat: 0,
    cork: false,
    epoll: null,
    ipTos: 0,
    pmtuDisc: 1,
  };
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
    case 'TCP_MAXSEG': {
      // Linux tcp_setsockopt: 88 <= user_mss <= 65535 (TCP_MIN_MSS .. MAX_TCP_WINDOW).
      if (v === null || v < 88 || v > 65535) return 'TCP_MAXSEG out of range';
      e.params.mss = v;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setUserMss(v);
      else if (e.kind === 'listener' && e.listener !== null) e.listener.setUserMss(v);
      return null;
    }
    case 'IP_TOS':
      // Linux do_ip_setsockopt: a stream socket keeps its own ECN bits; the route is refreshed.
      if (v === null) return 'IP_TOS needs an integer';
      e.ipTos = v & 0xfc;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setIpTos?.(e.ipTos);
      return null;
    case 'IP_MTU_DISCOVER':
      if (v === null || v < 0 || v > 5) return 'IP_MTU_DISCOVER out of range (IP_PMTUDISC_DONT .. IP_PMTUDISC_OMIT)';
      e.pmtuDisc = v;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setPmtuDisc?.(v);
      return null;
    case 'TCP_CORK':
      e.cork = v !== 0;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setCork(e.cork);
      return null;
    case 'TCP_NOTSENT_LOWAT':
      if (v === null || v < 0) return 'TCP_NOTSENT_LOWAT needs a count';
      e.notsentLowat = v;
      if (e.kind === 'conn' && e.sock !== null) e.sock.setNotsentLowat(v);
      return null;
    case 'TCP_INQ':
      e.inq = v !== 0;
      return null;
    case 'TCP_FASTOPEN':
      // the listener's Fast Open queue length (Linux fastopen_queue_tune)
      if (v === null || v < 0) return 'TCP_FASTOPEN needs a queue length';
      e.params.fastOpenQueue = v;
      if (e.kind === 'listener' && e.listener !== null) e.listener.setFastOpenQueue?.(v);
      return null;
    case 'TCP_FASTOPEN_KEY': {
      // Linux tcp_setsockopt: 16 bytes (a primary key) or 32 (primary and backup), else EINVAL;
      // the script gives them as a string of that many characters (char codes = bytes).
      const text =
        value.kind === 'string'
          ? keysTextFromBytes(Uint8Array.from(value.value, (ch) => ch.charCodeAt(0) & 255))
          : null;
      if (text === null) return 'EINVAL: TCP_FASTOPEN_KEY takes a string of 16 or 32 bytes';
      e.params.fastOpenKey = text;
      if (e.kind === 'listener' && e.listener !== null) e.listener.setFastOpenKey?.(text);
      return null;
    }
    case 'TCP_FASTOPEN_CONNECT':
      if (v === null || v < 0 || v > 1) return 'TCP_FASTOPEN_CONNECT takes 0 or 1';
      e.params.fastOpenConnect = v === 1;
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
  to.inq = from.inq;
  to.notsentLowat = from.notsentLowat;
  to.cork = from.cork;
  if (to.sock !== null) {
    if (to.noDelay) to.sock.setNoDelay(true);
    if (to.lingerZero) to.sock.setLingerZero(true);
    if (to.notsentLowat > 0) to.sock.setNotsentLowat(to.notsentLowat);
    if (to.cork) to.sock.setCork(true);
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
      if (fields === null) return null;
      const info = e.kind === 'conn' && e.sock !== null ? e.sock.linuxInfo() : null;
      for (const [key, wantExpr] of fields) {
        if (wantExpr.kind === 'ellipsis') continue;
        const want = expectedInt(wantExpr);
        let got: number | undefined;
        let gotText: string;
        if (key === 'tcpi_state' && info === null) {
          gotText = e.kind === 'listener' ? 'TCP_LISTEN' : 'TCP_CLOSE';
          got = SYMBOLS[gotText];
        } else {
          got = info?.[key.replace(/^tcpi_/, '') as keyof typeof info];
          gotText = key === 'tcpi_state' && e.sock !== null ? (LINUX_STATE[e.sock.state] ?? e.sock.state) : String(got);
        }
        if (want !== got) return `getsockopt TCP_INFO ${key}: expected ${wordValue(wantExpr) ?? want}, got ${gotText}`;
      }
      return null;
    }
    case 'TCP_MAXSEG': {
      // Linux: mss_cache on a connection; user_mss (else 536) on a closed or listening socket.
      const got = e.kind === 'conn' && e.sock !== null ? e.sock.mss : (e.params.mss ?? 536);
      const want = expectedInt(out);
      return want === got ? null : `getsockopt TCP_MAXSEG: expected ${want}, got ${got}`;
    }
    case 'IP_TOS':
    case 'IP_MTU_DISCOVER': {
      const got = name === 'IP_TOS' ? e.ipTos : e.pmtuDisc;
      const want = expectedInt(out);
      return want === got ? null : `getsockopt ${name}: expected ${want}, got ${got}`;
    }
    case 'TCP_NOTSENT_LOWAT': {
      const want = expectedInt(out);
      return want === e.notsentLowat ? null : `getsockopt TCP_NOTSENT_LOWAT: expected ${want}, got ${e.notsentLowat}`;
    }
    case 'TCP_FASTOPEN_KEY': {
      // tcp_fastopen_get_cipher: the socket's own keys, else the host's (net.ipv4.tcp_fastopen_key)
      const own = e.kind === 'listener' && e.listener !== null ? (e.listener.fastOpenKeyBytes?.() ?? null) : null;
      const text = e.params.fastOpenKey ?? host.fastOpenKey;
      const keys = own ?? (text !== undefined ? keyBytes(parseFastOpenKeys(text) ?? []) : new Uint8Array(0));
      const got = String.fromCharCode(...keys);
      if (out.kind !== 'string') return 'getsockopt TCP_FASTOPEN_KEY: expected a string of the key bytes';
      return out.value === got
        ? null
        : `getsockopt TCP_FASTOPEN_KEY: expected ${JSON.stringify(out.value)}, got ${JSON.stringify(got)}`;
    }
    case 'TCP_CORK':
    case 'TCP_NODELAY':
    case 'TCP_INQ': {
      const got = name === 'TCP_CORK' ? e.cork : name === 'TCP_NODELAY' ? e.noDelay : e.inq;
      const want = expectedInt(out);
      return want === (got ? 1 : 0) ? null : `getsockopt ${name}: expected ${want}, got ${got ? 1 : 0}`;
    }
    default:
      return `getsockopt ${name} not modelled`;
  }
}
