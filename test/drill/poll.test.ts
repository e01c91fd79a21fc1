/**
 * poll()'s mask for a connection (Linux tcp_poll): a socket that took the peer's FIN has
 * RCV_SHUTDOWN (tcp_fin), so it polls POLLIN | POLLRDHUP whether or not its data is read yet.
 */
import { describe, expect, it } from 'vitest';
import { POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRNORM, pollMask } from '../../src/drill/poll.ts';
import type { TcpSocket } from '../../src/stack/socket-api.ts';

const sock = (state: string, readable: number, eof = false): TcpSocket =>
  ({ state, readable, eof, writable: true }) as unknown as TcpSocket;

describe('pollMask (tcp_poll)', () => {
  it('CLOSE_WAIT with unread data: readable and read-hung-up, writable', () => {
    expect(pollMask(sock('CLOSE_WAIT', 1400), null, false, false)).toBe(
      POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM,
    );
  });
  it('ESTABLISHED with unread data: no POLLRDHUP', () => {
    expect(pollMask(sock('ESTABLISHED', 1400), null, false, false)).toBe(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
  });
  it('CLOSED: everything shut', () => {
    expect(pollMask(sock('CLOSED', 0), null, false, false) & (POLLHUP | POLLIN | POLLRDHUP)).toBe(
      POLLHUP | POLLIN | POLLRDHUP,
    );
  });
});
