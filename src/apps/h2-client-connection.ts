/**
 * The client end of one HTTP/2 connection (RFC 9113): requests are streams on one TCP connection.
 *
 * On connect it writes the client preface, its SETTINGS (SETTINGS_ENABLE_PUSH = 0 and
 * SETTINGS_INITIAL_WINDOW_SIZE = the stream window) and, when the connection window is larger
 * than the initial 65 535, a WINDOW_UPDATE on stream 0 (RFC 9113 6.9.2: the connection window is
 * only raised that way); then a HEADERS frame (END_STREAM | END_HEADERS) per request, at most
 * `maxConcurrentStreams` open at once (the server's SETTINGS_MAX_CONCURRENT_STREAMS, which the
 * client honours from its first request, as a client that remembers the origin does), the others
 * wait for a stream to end. It returns flow-control credit as the application consumes DATA: a
 * WINDOW_UPDATE for the stream and for the connection each time half a window has been consumed
 * (the policy of nghttp2 and Chromium). It acknowledges the server's SETTINGS. Closing sends
 * GOAWAY, then FIN.
 *
 * Per stream it measures the request time (request issued to END_STREAM read) and the
 * head-of-line delay: the longest any frame of the stream waited, complete, behind a hole in the
 * byte stream that belonged to other frames (src/apps/h2-receive-times.ts).
 */
import type { Nanos } from '../sim/time.ts';
import type { SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import {
  ACK_FLAG,
  DEFAULT_WINDOW,
  END_HEADERS,
  END_STREAM,
  FrameLog,
  FrameReader,
  FrameType,
  GOAWAY_PAYLOAD,
  SETTING_BYTES,
  WINDOW_UPDATE_PAYLOAD,
  noteFrame,
  type FrameChannel,
  type FrameNote,
  type H2Rendezvous,
} from './h2-frames.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { ReceiveTimes } from './h2-receive-times.ts';
import { drain, writeSome } from './socket-io.ts';

/** What an h2 connection tells the client that owns it. */
export interface H2Owner {
  readonly requestBytes: number;
  now(): Nanos;
  onH2Up(conn: H2ClientConnection, handshake: Nanos): void;
  /**
   * A stream's response fully read: `hol` is its head-of-line delay, `body` the DATA bytes it
   * carried, `headersFirst` whether its HEADERS came before any of its DATA (RFC 9113 8.1).
   */
  onH2Response(
    conn: H2ClientConnection,
    issuedAt: Nanos,
    tag: number,
    hol: Nanos,
    stream: number,
    body: number,
    headersFirst: boolean,
  ): void;
  /** The connection failed (or the server closed it): `lost` are the tags of unanswered requests. */
  onH2Gone(conn: H2ClientConnection, errno: Errno | null, established: boolean, lost: number[]): void;
}

export interface H2ClientSettings {
  maxConcurrentStreams: number;
  /** The receive window the client gives each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  streamWindow: number;
  /** The connection's receive window. */
  connectionWindow: number;
}

/** A stream the client opened. */
interface ClientStream {
  issuedAt: Nanos;
  tag: number;
  /** DATA payload consumed since the last WINDOW_UPDATE for this stream. */
  unacked: number;
  /** When a receiver with a byte stream per stream could have read the stream's frames so far. */
  ideal: Nanos;
  /** The longest wait of one of its frames behind another stream's hole. */
  hol: Nanos;
  /** DATA payload received, and whether the response HEADERS came before any of it. */
  body: number;
  headers: boolean;
  headersFirst: boolean;
}

export class H2ClientConnection implements SocketHandler {
  sock: TcpSocket | null = null;
  established = false;
  closed = false;
  /** The connection preface and SETTINGS are written (at the handshake, or with TCP Fast Open in the SYN). */
  private sessionStarted = false;
  private readonly channel: FrameChannel = { up: new FrameLog(), down: new FrameLog() };
  private readonly reader = new FrameReader(this.channel.down);
  private readonly times: ReceiveTimes;
  private readonly streams = new Map<number, ClientStream>();
  /** Requests waiting for a stream slot: issue times and tags, FIFO. */
  private waitingAt: Nanos[] = [];
  private waitingTags: number[] = [];
  private nextStreamId = 1; // RFC 9113 5.1.1: client streams are odd
  /** Bytes of frames logged and not yet accepted by the socket. */
  private unsent = 0;
  /** DATA payload consumed since the last connection WINDOW_UPDATE. */
  private connUnacked = 0;
  /** The arrival time of the frame being read so far (the latest of its bytes). */
  private frameArrival: Nanos = 0;
  private connectStarted: Nanos = 0;
  /** "local>remote" for frame notes. */
  private connName = '';

  constructor(
    private readonly owner: H2Owner,
    private readonly settings: H2ClientSettings,
    private readonly rendezvous: H2Rendezvous,
    private readonly note: FrameNote | null = null,
  ) {
    this.times = new ReceiveTimes(
      () => this.reader.received + (this.sock?.readable ?? 0),
      () => this.owner.now(),
    );
  }

  /** Requests open or waiting on this connection. */
  get outstanding(): number {
    return this.streams.size + this.waitingTags.length;
  }

  open(connect: (h: SocketHandler) => TcpSocket | Errno): Errno | null {
    this.connectStarted = this.owner.now();
    const sock = connect(this);
    if (typeof sock === 'string') {
      this.closed = true;
      return sock;
    }
    this.sock = sock;
    this.rendezvous.register(sock.localAddr, sock.localPort, this.channel);
    if (this.note !== null)
      this.connName = `${formatIpv4(sock.localAddr)}:${sock.localPort}>${formatIpv4(sock.remoteAddr)}:${sock.remotePort}`;
    sock.watchOutOfOrder?.(this.times);
    return null;
  }

  /** A request: a stream now if a slot is free (and we are connected), else it waits. */
  request(issuedAt: Nanos, tag: number): void {
    this.waitingAt.push(issuedAt);
    this.waitingTags.push(tag);
    if (this.sessionStarted) {
      this.openStreams();
      this.flush();
    } else if (this.sock?.fastOpenDeferred === true) {
      // TCP_FASTOPEN_CONNECT with a cached cookie: the first write sends the SYN, so the preface,
      // SETTINGS and this request's HEADERS ride in it (RFC 7413; RFC 9113 3.4 lets the client
      // send its preface before the server's).
      this.startSession();
    }
  }

  /** GOAWAY (no server streams accepted: last stream id 0, NO_ERROR), then close(). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sessionStarted) {
      this.log(FrameType.GOAWAY, 0, 0, GOAWAY_PAYLOAD, 0);
      this.write();
    }
    this.sock?.close();
  }

  onConnected(): void {
    this.established = true;
    this.owner.onH2Up(this, this.owner.now() - this.connectStarted);
    if (this.sessionStarted) {
      this.openStreams();
      this.flush();
    } else this.startSession();
  }

  /** RFC 9113 3.4: the client preface, our SETTINGS (and the connection window's WINDOW_UPDATE), then the waiting streams. */
  private startSession(): void {
    this.sessionStarted = true;
    const { streamWindow, connectionWindow } = this.settings;
    this.log(FrameType.PREFACE, 0, 0, 0, 0);
    this.log(FrameType.SETTINGS, 0, 0, 2 * SETTING_BYTES, streamWindow); // ENABLE_PUSH, INITIAL_WINDOW_SIZE
    if (connectionWindow > DEFAULT_WINDOW)
      this.log(FrameType.WINDOW_UPDATE, 0, 0, WINDOW_UPDATE_PAYLOAD, connectionWindow - DEFAULT_WINDOW);
    this.openStreams();
    this.flush();
  }

  onWritable(): void {
    this.flush();
  }

  onReadable(sock: TcpSocket): void {
    const { bytes, eof } = drain(sock);
    if (bytes > 0) this.readFrames(bytes);
    if (!this.closed) {
      this.openStreams();
      this.flush();
    }
    if (!eof) return;
    const wasClosed = this.closed;
    this.closed = true;
    if (!wasClosed) sock.close();
    const lost = this.takeUnanswered();
    if (!wasClosed || lost.length > 0) this.owner.onH2Gone(this, null, true, lost);
  }

  onError(sock: TcpSocket, errno: Errno): void {
    // Never accepted: the server will not take the frame logs we left for it.
    if (!this.established) this.rendezvous.take(sock.localAddr, sock.localPort);
    if (this.closed && this.outstanding === 0) return;
    const wasEstablished = this.established;
    this.closed = true;
    this.owner.onH2Gone(this, errno, wasEstablished, this.takeUnanswered());
  }

  /** Takes the frames the `bytes` just delivered completed; the delivery time is now. */
  private readFrames(bytes: number): void {
    const r = this.reader;
    const log = r.log;
    const d0 = r.received;
    r.received += bytes;
    const now = this.owner.now();
    while (log.pending > 0 && r.frameStart < r.received) {
      const end = r.frameEnd;
      // The part of the frame this delivery brought: bytes no held segment carried arrived now.
      const t = this.times.empty ? now : this.times.arrival(Math.max(r.frameStart, d0), Math.min(end, r.received), now);
      if (t > this.frameArrival) this.frameArrival = t;
      if (end > r.received) break;
      this.onFrame(log.type, log.flags, log.stream, log.payload, this.frameArrival, now);
      this.frameArrival = 0;
      r.next();
    }
    this.times.forgetBefore(r.frameStart);
  }

  private onFrame(type: number, flags: number, id: number, payload: number, arrived: Nanos, now: Nanos): void {
    if (type === FrameType.SETTINGS) {
      if ((flags & ACK_FLAG) === 0) this.log(FrameType.SETTINGS, ACK_FLAG, 0, 0, -1); // RFC 9113 6.5.3
      return;
    }
    if (type !== FrameType.DATA && type !== FrameType.HEADERS) return; // GOAWAY, WINDOW_UPDATE: nothing to do for a client that sends no DATA
    const s = this.streams.get(id);
    if (s === undefined) return;
    const ideal = arrived > s.ideal ? arrived : s.ideal;
    s.ideal = ideal;
    if (now - ideal > s.hol) s.hol = now - ideal;
    const ended = (flags & END_STREAM) !== 0;
    if (type === FrameType.HEADERS) s.headers = true;
    else if (!s.headers) s.headersFirst = false;
    if (type === FrameType.DATA) s.body += payload;
    if (type === FrameType.DATA && payload > 0) {
      s.unacked += payload;
      this.connUnacked += payload;
      if (this.connUnacked >= this.settings.connectionWindow / 2) {
        this.log(FrameType.WINDOW_UPDATE, 0, 0, WINDOW_UPDATE_PAYLOAD, this.connUnacked);
        this.connUnacked = 0;
      }
      if (!ended && s.unacked >= this.settings.streamWindow / 2) {
        this.log(FrameType.WINDOW_UPDATE, 0, id, WINDOW_UPDATE_PAYLOAD, s.unacked);
        s.unacked = 0;
      }
    }
    if (!ended) return;
    this.streams.delete(id);
    this.owner.onH2Response(this, s.issuedAt, s.tag, s.hol, id, s.body, s.headersFirst);
  }

  /** Opens streams for waiting requests while slots are free. */
  private openStreams(): void {
    while (this.waitingTags.length > 0 && this.streams.size < this.settings.maxConcurrentStreams && !this.closed) {
      const id = this.nextStreamId;
      this.nextStreamId += 2;
      this.streams.set(id, {
        issuedAt: this.waitingAt.shift()!,
        tag: this.waitingTags.shift()!,
        unacked: 0,
        ideal: 0,
        hol: 0,
        body: 0,
        headers: false,
        headersFirst: true,
      });
      this.log(FrameType.HEADERS, END_STREAM | END_HEADERS, id, this.owner.requestBytes, 0);
    }
  }

  private log(
    type: (typeof FrameType)[keyof typeof FrameType],
    flags: number,
    stream: number,
    payload: number,
    value: number,
  ): void {
    const offset = this.channel.up.written;
    const n = this.channel.up.push(type, flags, stream, payload, value);
    this.unsent += n;
    noteFrame(this.note, this.connName, type, stream, offset, n);
  }

  private flush(): void {
    if (this.closed) return;
    this.write();
  }

  private write(): void {
    const sock = this.sock;
    if (sock === null || this.unsent === 0) return;
    this.unsent -= writeSome(sock, this.unsent);
  }

  private takeUnanswered(): number[] {
    const lost = [...[...this.streams.values()].map((s) => s.tag), ...this.waitingTags];
    this.streams.clear();
    this.waitingTags = [];
    this.waitingAt = [];
    this.unsent = 0;
    return lost;
  }
}
