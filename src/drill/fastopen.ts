/**
 * The script's TCP Fast Open calls (RFC 7413, Linux tcp_sendmsg_fastopen): sendto()/sendmsg()
 * with MSG_FASTOPEN on an unconnected socket connects and sends in the SYN; a write on a
 * TCP_FASTOPEN_CONNECT socket whose connect() returned at once sends the deferred SYN with its
 * data. A non-blocking call returns what the SYN carried (EINPROGRESS when nothing); a blocking
 * one returns once the handshake is done, or the connect's error (ECONNREFUSED, ETIMEDOUT).
 */
import { SEND_SYN_DATA_ONLY } from '../tcp/api.ts';
import { TFO_CLIENT_ENABLE } from '../tcp/fastopen.ts';
import { FO_NONBLOCK } from '../tcp/connection.ts';
import { SYMBOLS } from './constants.ts';
import { ERR, OK, type Attempt, type Outcome } from './outcome.ts';
import type { FdEntry } from './sockopts.ts';
import type { TcpParams } from '../tcp/params.ts';

export interface FastOpenContext {
  readonly params: TcpParams;
  /** Syscalls.connect with Fast Open: `bytes` to send, Connection.connect's fastOpenFlags. */
  connect(e: FdEntry, bytes: number, flags: number): Attempt;
}

function connectedOutcome(e: FdEntry, total: number): Outcome | null {
  const sock = e.sock;
  if (sock === null) return ERR('ENOTCONN');
  if (sock.state === 'ESTABLISHED' || sock.state === 'CLOSE_WAIT') return OK(total);
  const err = e.error ?? (sock.state === 'CLOSED' ? sock.takeError() : null);
  if (err !== null) {
    sock.takeError();
    e.error = null;
    return ERR(err);
  }
  return sock.state === 'CLOSED' ? ERR('EPIPE') : null;
}

/**
 * The attempt of a Fast Open write of `total` bytes on `e`; `flags` are the other MSG_ flags,
 * `msgFastOpen` whether MSG_FASTOPEN was given (else: a write on a deferred connect).
 */
export function fastOpenWrite(
  ctx: FastOpenContext,
  e: FdEntry,
  total: number,
  flags: number,
  msgFastOpen: boolean,
  unspec: boolean,
): Attempt {
  const nonblocking = e.nonblocking || (flags & SYMBOLS.MSG_DONTWAIT!) !== 0;
  let connecting: Attempt | null = null;
  let started = false;
  return () => {
    if (!started) {
      started = true;
      const params = { ...ctx.params, ...e.params };
      if (e.kind === 'conn' && e.sock !== null && e.sock.fastOpenDeferred === true) {
        // TCP_FASTOPEN_CONNECT: this write sends the SYN (tcp_sendmsg_fastopen with defer_connect)
        const n = e.sock.send(total, nonblocking ? SEND_SYN_DATA_ONLY : 0);
        if (typeof n !== 'number') return ERR(n);
        if (nonblocking) return n > 0 ? OK(n) : ERR('EINPROGRESS');
        return connectedOutcome(e, total);
      }
      // Linux tcp_sendmsg_fastopen: client bit off, or an AF_UNSPEC address: EOPNOTSUPP.
      if (!msgFastOpen || (params.fastOpen & TFO_CLIENT_ENABLE) === 0 || unspec) return ERR('EOPNOTSUPP');
      if (e.kind === 'conn') return ERR(e.sock?.state === 'SYN_SENT' ? 'EALREADY' : 'EISCONN');
      if (e.kind !== 'socket') return ERR('EOPNOTSUPP');
      connecting = ctx.connect(e, total, nonblocking ? FO_NONBLOCK : 0);
      const o = connecting();
      if (o === null) return null;
      if (o.ret < 0 && o.errno === 'EINPROGRESS') {
        const n = e.sock?.synDataBytes ?? 0;
        return n > 0 ? OK(n) : o;
      }
      return o.ret === 0 ? OK(total) : o;
    }
    if (connecting === null) return connectedOutcome(e, total);
    const o = connecting();
    if (o === null) return null;
    return o.ret === 0 ? OK(total) : o;
  };
}
