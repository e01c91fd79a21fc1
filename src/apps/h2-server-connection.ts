/**
 * The server end of one HTTP/2 connection (RFC 9113). It sends its SETTINGS
 * (SETTINGS_MAX_CONCURRENT_STREAMS) at accept, reads the client's preface and frames, and answers
 * every request stream at once: a HEADERS frame (":status: 200", one HPACK byte) as soon as the
 * request's HEADERS frame is read, then the body as DATA frames of at most `frameBytes`, one frame
 * per stream in turn (round robin), each within the stream's and the connection's send window
 * (RFC 9113 6.9); a stream whose window is spent waits for the client's WINDOW_UPDATE. Frames are
 * made just before the socket can take them (at most `WRITE_AHEAD` bytes queued in the
 * application), so a stream that opens later joins the rotation rather than queueing behind all
 * the bytes already decided.
 */
import type { SocketHandler, TcpSocket } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import {
  ACK_FLAG,
  DEFAULT_WINDOW,
  END_HEADERS,
  END_STREAM,
  FrameReader,
  FrameType,
  RESPONSE_HEADER_BLOCK,
  SETTING_BYTES,
  noteFrame,
  type FrameChannel,
  type FrameNote,
  type FrameTypeCode,
} from './h2-frames.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { drain, writeSome } from './socket-io.ts';

/** How much framed output the server keeps ahead of the socket (one largest default DATA frame). */
export const WRITE_AHEAD = 16_384;

export interface H2ServerSettings {
  responseBytes: number;
  /** Largest DATA payload (≤ the client's SETTINGS_MAX_FRAME_SIZE, 16 384 by default). */
  frameBytes: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised. */
  maxConcurrentStreams: number;
}

/** A stream being answered. */
interface ServerStream {
  id: number;
  /** Body bytes not yet framed. */
  remaining: number;
  /** Send window left (RFC 9113 6.9.1). */
  window: number;
}

export class H2ServerConnection implements SocketHandler {
  private readonly reader: FrameReader;
  /** Streams with body left to send, in the order they opened; `turn` indexes the next to send. */
  private active: ServerStream[] = [];
  private byId = new Map<number, ServerStream>();
  private turn = 0;
  private streamWindow = DEFAULT_WINDOW;
  private connWindow = DEFAULT_WINDOW;
  private unsent = 0;
  private closing = false;
  private peerDone = false;
  private connName = '';

  constructor(
    private readonly sock: TcpSocket,
    private readonly channel: FrameChannel,
    private readonly settings: H2ServerSettings,
    private readonly note: FrameNote | null = null,
  ) {
    this.reader = new FrameReader(channel.up);
    if (note !== null)
      this.connName = `${formatIpv4(sock.localAddr)}:${sock.localPort}>${formatIpv4(sock.remoteAddr)}:${sock.remotePort}`;
    this.log(FrameType.SETTINGS, 0, 0, SETTING_BYTES, -1); // SETTINGS_MAX_CONCURRENT_STREAMS
  }

  /** Accepted: send the SETTINGS. */
  start(): void {
    this.pump();
  }

  onReadable(sock: TcpSocket): void {
    const r = drain(sock);
    if (r.eof) this.peerDone = true;
    const reader = this.reader;
    reader.received += r.bytes;
    while (reader.ready) {
      const log = reader.log;
      this.onFrame(log.type, log.flags, log.stream, log.value);
      reader.next();
    }
    this.pump();
  }

  onWritable(): void {
    this.pump();
  }

  onError(_sock: TcpSocket, _errno: Errno): void {
    this.closing = true;
  }

  private onFrame(type: number, flags: number, id: number, value: number): void {
    switch (type) {
      case FrameType.SETTINGS:
        if ((flags & ACK_FLAG) !== 0) return;
        // RFC 9113 6.9.2: a new initial window changes every open stream's window by the difference.
        if (value >= 0) {
          for (const s of this.active) s.window += value - this.streamWindow;
          this.streamWindow = value;
        }
        this.log(FrameType.SETTINGS, ACK_FLAG, 0, 0, -1);
        return;
      case FrameType.WINDOW_UPDATE:
        if (id === 0) this.connWindow += value;
        else {
          const s = this.byId.get(id);
          if (s !== undefined) s.window += value;
        }
        return;
      case FrameType.HEADERS: {
        // A request (END_STREAM: no body). Its response HEADERS go out at once; the body in turns.
        const body = this.settings.responseBytes;
        this.log(FrameType.HEADERS, END_HEADERS | (body === 0 ? END_STREAM : 0), id, RESPONSE_HEADER_BLOCK, 0);
        if (body === 0) return;
        const s: ServerStream = { id, remaining: body, window: this.streamWindow };
        this.active.push(s);
        this.byId.set(id, s);
        return;
      }
      default:
        return; // PREFACE, GOAWAY (the client closes next), DATA (requests have no body)
    }
  }

  /** Frames the next DATA in round-robin order while little is queued, and writes. */
  private pump(): void {
    if (this.closing) return;
    for (;;) {
      while (this.unsent < WRITE_AHEAD && this.nextData()) {
        // one more frame framed
      }
      if (this.unsent === 0) break;
      const n = writeSome(this.sock, this.unsent);
      this.unsent -= n;
      if (this.unsent > 0 || this.active.length === 0 || !this.canSend()) break;
    }
    if (this.unsent === 0 && this.peerDone && this.active.length === 0) this.close();
  }

  /** Some stream could send a DATA frame now. */
  private canSend(): boolean {
    if (this.connWindow <= 0) return false;
    for (const s of this.active) if (s.window > 0) return true;
    return false;
  }

  /** Frames one DATA frame of the next stream in turn that has window; false when none can. */
  private nextData(): boolean {
    const n = this.active.length;
    if (n === 0 || this.connWindow <= 0) return false;
    for (let k = 0; k < n; k++) {
      const i = (this.turn + k) % n;
      const s = this.active[i]!;
      const len = Math.min(this.settings.frameBytes, s.remaining, s.window, this.connWindow);
      if (len <= 0) continue;
      s.remaining -= len;
      s.window -= len;
      this.connWindow -= len;
      const last = s.remaining === 0;
      this.log(FrameType.DATA, last ? END_STREAM : 0, s.id, len, 0);
      if (last) {
        this.active.splice(i, 1);
        this.byId.delete(s.id);
        this.turn = n - 1 === 0 ? 0 : i % (n - 1);
      } else {
        this.turn = (i + 1) % n;
      }
      return true;
    }
    return false;
  }

  private log(type: FrameTypeCode, flags: number, stream: number, payload: number, value: number): void {
    const offset = this.channel.down.written;
    const n = this.channel.down.push(type, flags, stream, payload, value);
    this.unsent += n;
    noteFrame(this.note, this.connName, type, stream, offset, n);
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    this.sock.close();
  }
}
