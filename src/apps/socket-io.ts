/**
 * The two loops every application runs on a non-blocking socket: write what the send buffer takes,
 * and read until nothing is left. A call that returns an errno ends the loop quietly: the stack
 * reports the error to the socket's `onError`, where the application handles it once.
 */
import type { TcpSocket } from '../stack/socket-api.ts';

/** send() as much of `bytes` as the send buffer takes now; returns the count accepted. */
export function writeSome(sock: TcpSocket, bytes: number): number {
  let sent = 0;
  while (sent < bytes) {
    const n = sock.send(bytes - sent);
    if (typeof n !== 'number') break; // EPIPE / ECONNRESET: onError reports it
    if (n === 0) break; // buffer full: onWritable resumes
    sent += n;
  }
  return sent;
}

/** What one `drain` found. The same object is returned each time: read it before the next call. */
export interface Drained {
  bytes: number;
  /** End of stream was read: the peer closed its side. */
  eof: boolean;
}

const drained: Drained = { bytes: 0, eof: false };

/** recv() until nothing more is there (EAGAIN) or end of stream. */
export function drain(sock: TcpSocket): Drained {
  drained.bytes = 0;
  drained.eof = false;
  for (;;) {
    const n = sock.recv(1 << 30);
    if (typeof n !== 'number') return drained; // EAGAIN (or an error onError reports)
    if (n === 0) {
      drained.eof = true;
      return drained;
    }
    drained.bytes += n;
  }
}
