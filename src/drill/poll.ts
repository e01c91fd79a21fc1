/**
 * poll() and epoll as a script sees them. A socket's readiness is Linux tcp_poll's mask; epoll
 * keeps a ready list fed by the socket's wake-ups (ep_poll_callback): an item becomes ready when
 * its socket is woken for an event it watches (data arrived: EPOLLIN; send space freed: EPOLLOUT;
 * state change or error: any), and epoll_wait reports the current mask of each ready item, then
 * drops it when edge-triggered (EPOLLET) or no longer ready, as ep_send_events does.
 */
import type { ListenSocket, TcpSocket } from '../stack/socket-api.ts';

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLWRNORM = 0x100;
export const POLLRDHUP = 0x2000;
export const EPOLLET = 0x80000000;
export const EPOLLONESHOT = 0x40000000;

/** What woke a socket's waiters: data (sk_data_ready), space (sk_write_space) or anything. */
export type WakeKind = 'in' | 'out' | 'all';

/** Linux tcp_poll for a connection, inet_csk_listen_poll for a listener. */
export function pollMask(
  sock: TcpSocket | null,
  listener: ListenSocket | null,
  error: boolean,
  acceptable: boolean,
): number {
  if (listener !== null) return acceptable ? POLLIN | POLLRDNORM : 0;
  if (sock === null) return POLLOUT | POLLWRNORM | POLLHUP; // a socket never connected (Linux: TCP_CLOSE)
  let mask = 0;
  const st = sock.state;
  if (st === 'CLOSED') mask |= POLLHUP;
  // a closed socket has both directions shut (tcp_done: SHUTDOWN_MASK): readable, at its end; so
  // is one that took the peer's FIN (tcp_fin: RCV_SHUTDOWN), unread data or not
  const finReceived = st === 'CLOSE_WAIT' || st === 'LAST_ACK' || st === 'CLOSING' || st === 'TIME_WAIT';
  if (sock.readable > 0 || sock.eof || st === 'CLOSED' || finReceived) mask |= POLLIN | POLLRDNORM;
  if (sock.eof || st === 'CLOSED' || finReceived) mask |= POLLRDHUP;
  if (st !== 'SYN_SENT' && st !== 'SYN_RCVD' && sock.writable) mask |= POLLOUT | POLLWRNORM;
  // Linux tcp_poll: a TCP_FASTOPEN_CONNECT socket waiting for its first write is writable
  else if (st === 'SYN_SENT' && sock.fastOpenDeferred === true) mask |= POLLOUT | POLLWRNORM;
  if (error) mask |= POLLERR;
  return mask;
}

/** The events a poll()/epoll caller sees: what it asked for, plus error and hang-up always. */
export function reported(mask: number, events: number): number {
  return mask & (events | POLLERR | POLLHUP | POLLNVAL);
}

interface EpollItem {
  fd: number;
  events: number;
  ready: boolean;
}

export class EpollSet {
  private readonly items = new Map<number, EpollItem>();
  /** Ready items in the order they became ready (Linux rdllist). */
  private readyList: EpollItem[] = [];

  add(fd: number, events: number, mask: number): boolean {
    if (this.items.has(fd)) return false;
    const item: EpollItem = { fd, events, ready: false };
    this.items.set(fd, item);
    // ep_insert: an item already ready goes on the ready list at once.
    if (reported(mask, events) !== 0) this.makeReady(item);
    return true;
  }

  modify(fd: number, events: number, mask: number): boolean {
    const item = this.items.get(fd);
    if (item === undefined) return false;
    item.events = events;
    if (reported(mask, events) !== 0) this.makeReady(item);
    return true;
  }

  remove(fd: number): boolean {
    const item = this.items.get(fd);
    if (item === undefined) return false;
    this.items.delete(fd);
    this.readyList = this.readyList.filter((i) => i !== item);
    return true;
  }

  watches(fd: number): boolean {
    return this.items.has(fd);
  }

  /** ep_poll_callback: the socket on `fd` was woken for `kind`. */
  wake(fd: number, kind: WakeKind): void {
    const item = this.items.get(fd);
    if (item === undefined) return;
    const key = kind === 'in' ? POLLIN | POLLRDNORM : kind === 'out' ? POLLOUT | POLLWRNORM : -1;
    if (key !== -1 && (key & item.events) === 0) return;
    this.makeReady(item);
  }

  private makeReady(item: EpollItem): void {
    if (item.ready) return;
    item.ready = true;
    this.readyList.push(item);
  }

  /** ep_send_events: up to `max` ready items with their current events; `maskOf` gives an fd's poll mask. */
  collect(max: number, maskOf: (fd: number) => number): Array<{ fd: number; events: number }> {
    const out: Array<{ fd: number; events: number }> = [];
    const keep: EpollItem[] = [];
    for (const item of this.readyList) {
      if (out.length >= max) {
        keep.push(item);
        continue;
      }
      const events = reported(maskOf(item.fd), item.events & ~(EPOLLET | EPOLLONESHOT));
      if (events === 0) {
        item.ready = false;
        continue;
      }
      out.push({ fd: item.fd, events });
      if (item.events & EPOLLONESHOT) item.events = 0;
      if (item.events & EPOLLET || item.events === 0) item.ready = false;
      else keep.push(item);
    }
    this.readyList = keep;
    return out;
  }
}
