/**
 * One client connection carrying requests: connect, send requests, count response bytes, close.
 * Used by every client mode: HTTP/1.0 opens one per object, keep-alive and pipelining keep a few
 * open. The owner (client.ts) decides what to send; this file only tracks bytes, times and which
 * requests are still unanswered (so a connection that dies can say which ones it took with it).
 */
import type { Nanos } from '../sim/time.ts';
import type { SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import { drain, writeSome } from './socket-io.ts';

/** What a connection tells the client that owns it. */
export interface ConnectionOwner {
  readonly requestBytes: number;
  readonly responseBytes: number;
  now(): Nanos;
  onConnectionUp(conn: ClientConnection, handshake: Nanos): void;
  /** One response fully received; `issuedAt` is the request's issue time. */
  onResponse(conn: ClientConnection, issuedAt: Nanos, tag: number): void;
  /**
   * The connection failed; `established` tells a connect failure from a lost connection, and
   * `lost` holds the tags of the requests that were sent (or queued) on it and never answered.
   */
  onConnectionFailed(conn: ClientConnection, errno: Errno, established: boolean, lost: number[]): void;
  /** The server closed its side (we closed ours too); `lost`: requests it left unanswered. */
  onConnectionClosed(conn: ClientConnection, lost: number[]): void;
}

export class ClientConnection implements SocketHandler {
  sock: TcpSocket | null = null;
  established = false;
  /** close() was called, or the connection is gone. */
  closed = false;
  /** Requests sent (or queued to send) and not yet answered: issue times and owner tags, FIFO. */
  private issued: Nanos[] = [];
  private tags: number[] = [];
  private unsent = 0;
  private responseReceived = 0;
  private connectStarted: Nanos = 0;
  /**
   * http1.0: the tag of the page this connection serves, -1 once released (answered or gone) and
   * in the other modes. A field rather than a map in the client: 100 000 clients' maps are cold.
   */
  pageTag = -1;

  constructor(private readonly owner: ConnectionOwner) {}

  /** Requests in flight on this connection. */
  get outstanding(): number {
    return this.issued.length;
  }

  open(connect: (h: SocketHandler) => TcpSocket | Errno): Errno | null {
    this.connectStarted = this.owner.now();
    const sock = connect(this);
    if (typeof sock === 'string') {
      this.closed = true;
      return sock;
    }
    this.sock = sock;
    return null;
  }

  /** Queues one request (sent at once if connected; with no response expected, done once written). */
  request(issuedAt: Nanos, tag: number): void {
    this.issued.push(issuedAt);
    this.tags.push(tag);
    this.unsent += this.owner.requestBytes;
    // TCP_FASTOPEN_CONNECT with a cached cookie: the first write sends the SYN with the request.
    if (this.established || this.sock?.fastOpenDeferred === true) this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock?.close();
  }

  onConnected(): void {
    this.established = true;
    this.owner.onConnectionUp(this, this.owner.now() - this.connectStarted);
    this.flush();
  }

  onWritable(): void {
    this.flush();
  }

  onReadable(sock: TcpSocket): void {
    const { bytes, eof } = drain(sock);
    this.responseReceived += bytes;
    const size = this.owner.responseBytes;
    while (size > 0 && this.issued.length > 0 && this.responseReceived >= size) {
      this.responseReceived -= size;
      const at = this.issued.shift()!;
      const tag = this.tags.shift()!;
      this.owner.onResponse(this, at, tag);
    }
    if (!eof) return;
    // The server closed (HTTP/1.0 server-closes, or it went away): close our side too.
    const wasClosed = this.closed;
    this.closed = true;
    if (!wasClosed) sock.close();
    const lost = this.takeUnanswered();
    if (!wasClosed || lost.length > 0) this.owner.onConnectionClosed(this, lost);
  }

  onError(_sock: TcpSocket, errno: Errno): void {
    if (this.closed && this.issued.length === 0) return; // an error after we were done is no loss
    const wasEstablished = this.established;
    this.closed = true;
    this.owner.onConnectionFailed(this, errno, wasEstablished, this.takeUnanswered());
  }

  private takeUnanswered(): number[] {
    const lost = this.tags;
    this.tags = [];
    this.issued.length = 0;
    this.unsent = 0;
    return lost;
  }

  private flush(): void {
    const sock = this.sock;
    if (sock === null || this.closed) return;
    this.unsent -= writeSome(sock, this.unsent);
    if (this.unsent === 0 && this.owner.responseBytes === 0) this.requestsWritten();
  }

  /**
   * No response is expected (the server's responseBytes is 0): a request is complete once the
   * send buffer holds all of it, as a client that write()s and close()s. The owner may close
   * now; Linux tcp_close then sends the queued data before the FIN (tcp_send_fin), no RST: nothing
   * unread is left behind.
   */
  private requestsWritten(): void {
    while (this.issued.length > 0 && !this.closed) {
      const at = this.issued.shift()!;
      const tag = this.tags.shift()!;
      this.owner.onResponse(this, at, tag);
    }
  }
}
