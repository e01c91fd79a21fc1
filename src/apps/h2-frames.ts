/**
 * HTTP/2 framing as byte counts (RFC 9113 section 4): every frame is a 9-byte header and a payload.
 * tcplab's TCP moves byte counts, not contents, so a frame's header fields (type, flags, stream
 * id, length) travel beside the byte stream in a `FrameLog`, in the order the sender wrote the
 * frames; the receiver takes a frame from the log only once TCP has delivered all of its bytes in
 * order, exactly when a real HTTP/2 parser could read it. The bytes on the wire are the real
 * sizes: 24 bytes of client preface, 9 + payload per frame.
 */

/** RFC 9113 4.1: length (24 bits), type, flags, reserved bit + stream id (31 bits). */
export const FRAME_HEADER_BYTES = 9;
/** RFC 9113 3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", sent by the client before its SETTINGS. */
export const CLIENT_PREFACE_BYTES = 24;
/** RFC 9113 6.5.1: each setting is a 16-bit identifier and a 32-bit value. */
export const SETTING_BYTES = 6;
/** RFC 9113 6.9: a 31-bit window size increment. */
export const WINDOW_UPDATE_PAYLOAD = 4;
/** RFC 9113 6.8: last stream id (32 bits) and error code (32 bits), no debug data. */
export const GOAWAY_PAYLOAD = 8;
/**
 * The response header block: ":status: 200" is entry 8 of HPACK's static table, one byte as an
 * indexed header field (RFC 7541 6.1 and Appendix A). The minimal response a server can send.
 */
export const RESPONSE_HEADER_BLOCK = 1;
/** RFC 9113 6.9.2: every window, of the connection and of each stream, starts at 65 535. */
export const DEFAULT_WINDOW = 65_535;
/** RFC 9113 6.5.2: SETTINGS_MAX_FRAME_SIZE starts at 16 384 (a DATA payload may not be larger). */
export const DEFAULT_MAX_FRAME = 16_384;
/** RFC 9113 6.9.1: a window may not exceed 2^31 - 1. */
export const MAX_WINDOW = 2 ** 31 - 1;

/** Frame types (RFC 9113 6, the type codes), and the preface as a pseudo-frame of the log. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  SETTINGS: 0x4,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  PREFACE: 0x100,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Frame flags used here (RFC 9113 6.1, 6.2, 6.5). */
export const END_STREAM = 0x1;
export const ACK_FLAG = 0x1;
export const END_HEADERS = 0x4;

/** Bytes a frame takes on the byte stream. */
export function frameBytes(type: number, payload: number): number {
  return type === FrameType.PREFACE ? CLIENT_PREFACE_BYTES : FRAME_HEADER_BYTES + payload;
}

/** One direction's frames, in byte-stream order: what the writer wrote, the reader takes. */
export class FrameLog {
  private types: number[] = [];
  private flagsOf: number[] = [];
  private streams: number[] = [];
  private payloads: number[] = [];
  /** The one field value a frame carries that the peer acts on (see `push`). */
  private values: number[] = [];
  private head = 0;
  /** Every byte the writer has put on the stream (frames written, whole or in part). */
  written = 0;

  /**
   * The writer starts a frame; returns its size on the stream. `value`: a WINDOW_UPDATE's
   * increment, a SETTINGS frame's SETTINGS_INITIAL_WINDOW_SIZE (-1: not in it), a GOAWAY's last
   * stream id; 0 otherwise.
   */
  push(type: FrameTypeCode, flags: number, stream: number, payload: number, value = 0): number {
    this.values.push(value);
    this.types.push(type);
    this.flagsOf.push(flags);
    this.streams.push(stream);
    this.payloads.push(payload);
    const n = frameBytes(type, payload);
    this.written += n;
    return n;
  }

  get pending(): number {
    return this.types.length - this.head;
  }

  /** The oldest frame not yet taken (valid while pending > 0). */
  get type(): number {
    return this.types[this.head]!;
  }
  get flags(): number {
    return this.flagsOf[this.head]!;
  }
  get stream(): number {
    return this.streams[this.head]!;
  }
  get payload(): number {
    return this.payloads[this.head]!;
  }
  get value(): number {
    return this.values[this.head]!;
  }
  get size(): number {
    return frameBytes(this.type, this.payload);
  }

  /** The reader is done with the oldest frame. */
  shift(): void {
    this.head++;
    if (this.head >= 64 && this.head * 2 >= this.types.length) {
      this.types.splice(0, this.head);
      this.flagsOf.splice(0, this.head);
      this.streams.splice(0, this.head);
      this.payloads.splice(0, this.head);
      this.values.splice(0, this.head);
      this.head = 0;
    }
  }
}

const TYPE_NAMES: Record<number, string> = {
  0x0: 'DATA',
  0x1: 'HEADERS',
  0x4: 'SETTINGS',
  0x7: 'GOAWAY',
  0x8: 'WINDOW_UPDATE',
  0x100: 'PREFACE',
};

/**
 * A trace line per frame written (`ev: app`, `what: "h2 frame"`), for ladder diagrams: `conn` is
 * "local>remote" like state records, `offset` where the frame starts in the sender's byte stream.
 * Built only when the run traces (`trace` is null otherwise).
 */
export type FrameNote = (fields: { conn: string; type: string; stream: number; offset: number; bytes: number }) => void;

export function noteFrame(
  note: FrameNote | null,
  conn: string,
  type: number,
  stream: number,
  offset: number,
  bytes: number,
): void {
  if (note !== null) note({ conn, type: TYPE_NAMES[type] ?? String(type), stream, offset, bytes });
}

/** Both directions of one connection. */
export interface FrameChannel {
  /** Client to server. */
  up: FrameLog;
  /** Server to client. */
  down: FrameLog;
}

/**
 * How an h2 server finds the frame logs of a connection a client opened: the client registers
 * them under its own address and port once connect() has bound them; the server takes them at
 * accept(). One per run (src/experiment/world.ts), keyed per connection, never per packet.
 */
export class H2Rendezvous {
  private byPeer = new Map<number, FrameChannel>();

  private static key(addr: number, port: number): number {
    return (addr >>> 0) * 65_536 + port; // < 2^48: exact in a double
  }

  register(clientAddr: number, clientPort: number, channel: FrameChannel): void {
    this.byPeer.set(H2Rendezvous.key(clientAddr, clientPort), channel);
  }

  take(clientAddr: number, clientPort: number): FrameChannel | undefined {
    const k = H2Rendezvous.key(clientAddr, clientPort);
    const c = this.byPeer.get(k);
    if (c !== undefined) this.byPeer.delete(k);
    return c;
  }
}

/**
 * Reads frames off the byte stream: `received` counts bytes delivered in order; a frame is
 * complete when every one of its bytes is in.
 */
export class FrameReader {
  /** Bytes of the stream delivered in order so far. */
  received = 0;
  /** Where the oldest untaken frame starts on the stream. */
  frameStart = 0;

  constructor(readonly log: FrameLog) {}

  /** The oldest untaken frame is complete. */
  get ready(): boolean {
    return this.log.pending > 0 && this.received >= this.frameStart + this.log.size;
  }

  /** Where the oldest untaken frame ends (valid while pending > 0). */
  get frameEnd(): number {
    return this.frameStart + this.log.size;
  }

  /** Done with the oldest frame (after reading its fields from `log`). */
  next(): void {
    this.frameStart += this.log.size;
    this.log.shift();
  }
}
