/**
 * A request/response server (an HTTP-like origin). It accepts every connection in its accept
 * queue, reads requests, and answers each complete request with `responseBytes`.
 *
 * tcplab moves byte counts, not contents, so request boundaries come from the peer's profile
 * (`requestSizeFor`): the run knows which client apps talk to this server and how large their
 * requests are. A peer with request size 0 is a bulk sender: its bytes are only sunk.
 */
import type { ServerApp } from './app-specs.ts';
import { orThrow, type ListenSocket, type SocketHandler, type TcpSocket } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { AppContext } from './context.ts';
import { drain, writeSome } from './socket-io.ts';
import type { H2Rendezvous } from './h2-frames.ts';
import { H2ServerConnection } from './h2-server-connection.ts';

/** How the server treats one peer: request size, and whether it closes after each response. */
export interface PeerProfile {
  requestBytes: number;
  /** HTTP/1.0 with `closer: server`: the server closes once its response is queued. */
  closeAfterResponse: boolean;
  /** The peer speaks HTTP/2 (client mode h2): its connection is framed (src/apps/h2-server-connection.ts). */
  h2?: boolean;
}

export interface ServerOptions {
  port: number;
  responseBytes: number;
  backlog?: number;
  /** HTTP/2: the largest DATA frame and SETTINGS_MAX_CONCURRENT_STREAMS. */
  frameBytes: number;
  maxConcurrentStreams: number;
  /** Where h2 clients leave their connections' frame logs (one per run). */
  rendezvous: H2Rendezvous;
  /** TCP_FASTOPEN on the listener: its Fast Open queue length; undefined = the host's tcp.fastOpenQueue. */
  fastOpenQueue?: number;
  /** The profile of the client at `remoteAddr` (see the file comment). */
  peerProfile(remoteAddr: number): PeerProfile;
}

/** Per-connection state, kept on the socket's handler object (no closures per connection event). */
class ServerConnection implements SocketHandler {
  private received = 0;
  private answered = 0;
  private unsent = 0;
  private closing = false;
  /** The peer's FIN has been read: close ours once every answer is written. */
  private peerDone = false;

  constructor(
    private readonly server: Server,
    private readonly sock: TcpSocket,
    private readonly profile: PeerProfile,
  ) {}

  onReadable(sock: TcpSocket): void {
    const r = drain(sock);
    this.received += r.bytes;
    if (r.eof) this.peerDone = true;
    const size = this.profile.requestBytes;
    if (size > 0) {
      // Requests that arrived before the peer's FIN are still answered (an HTTP/1.0 client may
      // half-close after its request); a bulk sender's bytes (size 0) are only sunk.
      while (this.received >= (this.answered + 1) * size) {
        this.answered++;
        this.unsent += this.server.responseBytes;
      }
    }
    this.flush();
  }

  onWritable(): void {
    this.flush();
  }

  onError(_sock: TcpSocket, _errno: Errno): void {
    this.closing = true;
  }

  private flush(): void {
    if (this.closing) return;
    this.unsent -= writeSome(this.sock, this.unsent);
    if (this.unsent > 0) return; // buffer full (onWritable resumes) or the peer is gone
    // The peer closed its side (HTTP/1.0 client-closes, or a bulk sender done): close ours once
    // every answer is written. HTTP/1.0 server-closes: close after the response.
    if (this.peerDone || (this.answered > 0 && this.profile.closeAfterResponse)) this.close();
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    this.sock.close();
  }
}

/** States in which a server's connection still counts for the cwnd time series. */
const OPEN_STATES = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK']);

export class Server {
  readonly responseBytes: number;
  private listener: ListenSocket | null = null;
  /** Accepted connections, kept only while a cwnd time series samples them (trackConnections). */
  private open: Set<TcpSocket> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: ServerOptions,
  ) {
    this.responseBytes = options.responseBytes;
  }

  static fromSpec(
    ctx: AppContext,
    spec: ServerApp,
    peerProfile: (addr: number) => PeerProfile,
    rendezvous: H2Rendezvous,
  ): Server {
    return new Server(ctx, {
      port: spec.port,
      responseBytes: spec.responseBytes,
      backlog: spec.backlog,
      peerProfile,
      frameBytes: spec.frameBytes,
      maxConcurrentStreams: spec.maxConcurrentStreams,
      rendezvous,
      fastOpenQueue: spec.fastOpenQueue,
    });
  }

  start(): void {
    const q = this.options.fastOpenQueue;
    // Validation gives each server its own port, so a taken one is a bug, not an outcome.
    this.listener = orThrow(
      this.ctx.stack.listen(
        this.options.port,
        this,
        this.options.backlog,
        q !== undefined ? { fastOpenQueue: q } : undefined,
      ),
      'server listen',
    );
  }

  /** The listening socket while the server runs (its queue statistics feed the metrics). */
  get listenSocket(): ListenSocket | null {
    return this.listener;
  }

  /** Keep the accepted connections for cwndSum (the experiment's cwnd time series). */
  trackConnections(): void {
    if (this.open === null) this.open = new Set();
  }

  /**
   * Sum and count of the congestion windows of the open connections (TCP_INFO cwnd); connections
   * that have closed are forgotten here, so the set holds at most those of one sampling interval.
   */
  cwndSum(): { sum: number; count: number } {
    let sum = 0;
    let count = 0;
    if (this.open !== null) {
      for (const sock of this.open) {
        if (!OPEN_STATES.has(sock.state)) {
          this.open.delete(sock);
          continue;
        }
        sum += sock.info().cwnd;
        count++;
      }
    }
    return { sum, count };
  }

  /** ListenHandler: drain the accept queue, as an event-driven server's accept loop does. */
  onAcceptable(listener: ListenSocket): void {
    for (;;) {
      const sock = listener.accept();
      if (sock === null) return;
      if (this.open !== null) this.open.add(sock);
      const profile = this.options.peerProfile(sock.remoteAddr);
      if (profile.h2 === true && this.acceptH2(sock)) continue;
      const conn = new ServerConnection(this, sock, profile);
      sock.handler = conn;
      if (sock.readable > 0 || sock.eof) conn.onReadable(sock); // data came with the third ACK
    }
  }

  /** An h2 client's connection: framed both ways. False when the client left no frame logs. */
  private acceptH2(sock: TcpSocket): boolean {
    const o = this.options;
    const channel = o.rendezvous.take(sock.remoteAddr, sock.remotePort);
    if (channel === undefined) return false;
    const { report, app, node } = this.ctx;
    const conn = new H2ServerConnection(
      sock,
      channel,
      { responseBytes: o.responseBytes, frameBytes: o.frameBytes, maxConcurrentStreams: o.maxConcurrentStreams },
      (f) => report.note(app, node, 'h2 frame', f),
    );
    sock.handler = conn;
    conn.start();
    if (sock.readable > 0 || sock.eof) conn.onReadable(sock);
    return true;
  }

  stop(): void {
    this.listener?.close();
    this.listener = null;
  }
}
