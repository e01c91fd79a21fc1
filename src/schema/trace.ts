/**
 * The trace record (docs/design.md part 2, "trace.jsonl"): what every layer reports as it happens
 * and `--trace` writes one JSON object a line. Types only, plus the name lists a reader or a test
 * checks records against; this floor imports nothing.
 *
 * A record is a discriminated union on `ev`; app records are further told apart by `what`. The
 * emitters build these (src/net/packet-trace.ts and packet-filter.ts for packets, src/stack
 * host-stack.ts for state changes, src/metrics collector.ts for app notes), src/sim/trace.ts carries
 * them, src/experiment/run.ts writes them as lines, and src/report reads the lines back.
 *
 * Field order is the written order (JSON keeps insertion order): emitters build each record in the
 * order its interface lists the fields, optional ones in their place when present.
 */

/** TCP states as trace records and results name them (RFC 9293 3.3.2; `SYN_RCVD` as Linux's ss says). */
export const TCP_STATE_NAMES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RCVD',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;
export type TcpStateName = (typeof TCP_STATE_NAMES)[number];

/** Every `ev` a trace.jsonl line may carry; `trace-limit` only as the last line of a run cut by --trace-limit. */
export const TRACE_EVENTS = ['state', 'tx', 'rx', 'drop', 'app', 'trace-limit'] as const;
export type TraceEventName = (typeof TRACE_EVENTS)[number];

/** Per-packet records: sent, received, dropped (built only when someone subscribed to packets). */
export const PACKET_EVENTS = ['tx', 'rx', 'drop'] as const;
export type PacketEventName = (typeof PACKET_EVENTS)[number];

/** Why a `drop` record's packet was dropped: a link's loss or full queue, no route, a fault rule, a too-small MTU with DF set. */
export const DROP_REASONS = ['loss', 'queue', 'no-route', 'filter', 'mtu'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The iptables-like chain a fault rule sits in (a `filter` drop names it). */
export type FilterChain = 'input' | 'output';

/** TCP Fast Open option on a segment (RFC 7413): an empty one asks for a cookie, a non-empty one carries it. */
export type FastOpenMark = 'request' | 'cookie';

/**
 * Fields every record starts with. `t` is integer nanoseconds while the simulation carries the
 * record (src/sim Nanos) and seconds once written to trace.jsonl (TraceLine).
 */
export interface RecordHead {
  t: number;
  node: string;
}

/** A TCP state change of the connection `conn` ("ip:port>ip:port", local first) on `node`. */
export interface StateRecord extends RecordHead {
  ev: 'state';
  conn: string;
  from: TcpStateName;
  to: TcpStateName;
}

/** The head of a per-packet record; a drop says why (`reason`) and, for a fault rule, in which chain. */
export interface PacketHead extends RecordHead {
  ev: PacketEventName;
  reason?: DropReason;
}

/** The fields of a TCP segment: flags as packetdrill writes them (`S.`), addresses "ip:port". */
export interface TcpSegmentFields {
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
  src: string;
  dst: string;
  /** Present (true) when the stack marked the segment a retransmission. */
  retx?: true;
  tfo?: FastOpenMark;
  // Never on a TCP segment: declared so that a reader of a PacketRecord may ask for either kind's fields.
  proto?: undefined;
  icmp?: undefined;
  quoted?: undefined;
  qseq?: undefined;
}

/** The fields of a non-TCP packet (ICMP): `len` is bytes after the IP header, addresses bare "ip". */
export interface IpPacketFields {
  proto: number;
  len: number;
  src: string;
  dst: string;
  /** An ICMP error in packetdrill's words: "unreachable frag_needed mtu 1000", "time_exceeded". */
  icmp?: string;
  /** The TCP segment an ICMP error quotes ("ip:port>ip:port") and its sequence number. */
  quoted?: string;
  qseq?: number;
  // Never on a non-TCP packet (see TcpSegmentFields).
  flags?: undefined;
  seq?: undefined;
  ack?: undefined;
  win?: undefined;
  retx?: undefined;
  tfo?: undefined;
}

/** A `filter` drop names the fault rule's chain after the packet's own fields. */
export interface FilterDropFields {
  chain?: FilterChain;
}

export type TcpPacketRecord = PacketHead & TcpSegmentFields & FilterDropFields;
export type IpPacketRecord = PacketHead & IpPacketFields & FilterDropFields;
/** A tx, rx or drop record: a TCP segment (has `flags`) or another IP packet (has `proto`). */
export type PacketRecord = TcpPacketRecord | IpPacketRecord;

/** A script step's actions, in the order a step's keys are checked (src/experiment/script-spec.ts). */
export const SCRIPT_STEP_OPS = [
  'listen',
  'accept',
  'connect',
  'send',
  'read',
  'shutdown',
  'close',
  'linger0',
  'setsockopt',
] as const;

/**
 * What a script app notes per step (src/apps/script.ts): the step's own op, or what the network
 * did to its socket (`accepted`, `eof`, `connected`, `error`).
 */
export const SCRIPT_NOTES = [...SCRIPT_STEP_OPS, 'accepted', 'eof', 'connected', 'error'] as const;
export type ScriptNote = (typeof SCRIPT_NOTES)[number];

/** Every `what` of an app record. */
export const APP_NOTES = [...SCRIPT_NOTES, 'h2 frame', 'h2 stream'] as const;
export type AppNote = (typeof APP_NOTES)[number];

export interface AppHead extends RecordHead {
  ev: 'app';
  /** The app's id in the experiment file (`apps.<id>`). */
  app: string;
}

/** An HTTP/2 frame written (src/apps/h2-frames.ts): `offset` where it starts in the sender's byte stream. */
export interface H2FrameFields {
  conn: string;
  /** DATA, HEADERS, SETTINGS, GOAWAY, WINDOW_UPDATE, PREFACE, or the type number. */
  type: string;
  stream: number;
  offset: number;
  bytes: number;
}

/** An HTTP/2 response complete at the client: its stream, body bytes, and times in ms. */
export interface H2StreamFields {
  stream: number;
  body: number;
  headersFirst: boolean;
  request_ms: number;
  hol_ms: number;
}

export type H2FrameRecord = AppHead & { what: 'h2 frame' } & H2FrameFields;
export type H2StreamRecord = AppHead & { what: 'h2 stream' } & H2StreamFields;
/**
 * A script step: `step` (its index) unless the network caused it, then the call's own fields
 * (`bytes`, `how`, `errno`, `peer`, the socket options set …), which vary with the op.
 */
export type ScriptRecord = AppHead & { what: ScriptNote; step?: number; [field: string]: unknown };
export type AppRecord = H2FrameRecord | H2StreamRecord | ScriptRecord;

/** The fields an app note of kind `W` carries after `app` and `what` (what an emitter hands the reporter). */
export type AppNoteFields<W extends AppNote> = W extends 'h2 frame'
  ? H2FrameFields
  : W extends 'h2 stream'
    ? H2StreamFields
    : { step?: number; [field: string]: unknown };

/** A trace record as the simulation carries it (`t` in integer ns). */
export type TraceRecord = StateRecord | PacketRecord | AppRecord;

/** The last line of a run whose trace --trace-limit stopped: no `node`; `limit` in bytes. */
export interface TraceLimitRecord {
  run: string;
  t: number;
  ev: 'trace-limit';
  /** The --trace-limit budget in bytes. */
  limit?: number;
}

/** A trace.jsonl line: `run` first, `t` in seconds, then the record's fields. */
export type TraceLine = ({ run: string } & TraceRecord) | TraceLimitRecord;

/**
 * The fields each kind of record may carry, in written order (`run` first, as a line has it):
 * the schema's names as data, for readers and tests that check a line against them. Script
 * records carry their step's own fields besides these.
 */
export const TRACE_FIELDS = {
  state: ['run', 't', 'node', 'ev', 'conn', 'from', 'to'],
  tcpPacket: [
    'run',
    't',
    'node',
    'ev',
    'reason',
    'flags',
    'seq',
    'ack',
    'len',
    'win',
    'src',
    'dst',
    'retx',
    'tfo',
    'chain',
  ],
  ipPacket: ['run', 't', 'node', 'ev', 'reason', 'proto', 'len', 'src', 'dst', 'icmp', 'quoted', 'qseq', 'chain'],
  'h2 frame': ['run', 't', 'node', 'ev', 'app', 'what', 'conn', 'type', 'stream', 'offset', 'bytes'],
  'h2 stream': ['run', 't', 'node', 'ev', 'app', 'what', 'stream', 'body', 'headersFirst', 'request_ms', 'hol_ms'],
  script: ['run', 't', 'node', 'ev', 'app', 'what', 'step'],
  'trace-limit': ['run', 't', 'ev', 'limit'],
} as const;

/** Every field name some record kind has (the keys a reader may ask a record for). */
export type TraceFieldName =
  | keyof StateRecord
  | keyof TcpPacketRecord
  | keyof IpPacketRecord
  | keyof H2FrameFields
  | keyof H2StreamFields
  | 'app'
  | 'what'
  | 'step'
  | 'run';
