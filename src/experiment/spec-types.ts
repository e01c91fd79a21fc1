/**
 * The validated, typed form of an experiment file (DESIGN.md part 2). Everything here has passed
 * validation: units are parsed to integers (time in ns, bit rates in bit/s, sizes in bytes), node
 * and group references resolve, and every optional key has its default filled in. The batch runner
 * and one run (src/experiment/run.ts) consume these records; they never see raw YAML.
 */
import type { Nanos } from '../sim/time.ts';
import type { TopologyDef } from '../net/topology-def.ts';
import type { ProfileName, TcpParams } from '../tcp/params.ts';
import type { PointValues } from '../metrics/results.ts';
import type { ChartFields } from './chart-fields.ts';

/** `tcp:` for every host: a profile plus any parameter overrides (DESIGN.md part 3). */
export type TcpSettings = Partial<TcpParams> & { profile: ProfileName };

/** Per node or per group (`nodes.<name>.tcp`); a node's own entry beats its group's. */
export interface NodeSettings {
  tcp?: Partial<TcpParams>;
}

/** A resolved `target: "node:port"`: `node` is always a single node name, never a group. */
export interface Endpoint {
  node: string;
  port: number;
}

/** A parsed IPv4 CIDR range such as 198.18.0.0/15 (RFC 2544 benchmarking space). */
export interface CidrRange {
  /** Network address as an unsigned 32-bit integer, host bits cleared. */
  base: number;
  prefixLength: number;
  /** As written, e.g. "198.18.0.0/15". */
  text: string;
}

interface AppCommon {
  /** The key under `apps:`, e.g. "flood". */
  id: string;
  /** A node name or a group name as written; the run starts one instance per group member. */
  on: string;
}

/** Listens on `port` and answers each request with `responseBytes`. */
export interface ServerApp extends AppCommon {
  kind: 'server';
  port: number; // default 80
  responseBytes: number; // default 1000
  /** listen() backlog; undefined = the host's tcp.backlog. */
  backlog?: number;
}

export type ArrivalProcess = 'periodic' | 'poisson';
/** http1.0: one request per connection; keepalive: requests reuse one open connection; pipelined: several in flight. */
export type ClientMode = 'http1.0' | 'keepalive' | 'pipelined';
/** Who closes first after the response (decides which side holds TIME-WAIT). */
export type Closer = 'client' | 'server';

export interface ClientApp extends AppCommon {
  kind: 'client';
  target: Endpoint;
  start: Nanos; // default 0
  stop: Nanos; // default: the experiment duration
  /** New pages (connections under http1.0, requests otherwise) per second, per instance. Default 10. */
  rate: number;
  arrival: ArrivalProcess; // default periodic
  /** Total pages per instance; undefined = unbounded until `stop`. */
  count?: number;
  mode: ClientMode; // default http1.0
  requestBytes: number; // default 200
  closer: Closer; // default client
  /** Requests per page (page-load studies). Default 1. */
  objects: number;
  /** http1.0: connections at once per page; keepalive / pipelined: the pool of persistent connections (opened as needed, kept across pages). Default 1. */
  connections: number;
}

/** Spoofed-source SYN flood (RFC 4987 section 2). */
export interface SynFloodApp extends AppCommon {
  kind: 'synflood';
  target: Endpoint;
  start: Nanos; // default 0
  stop: Nanos; // default: the experiment duration
  /** SYNs per second, per instance. Default 1000. */
  rate: number;
  /** periodic (default): one SYN every 1/rate; poisson: exponential gaps with that mean, as a flood from many bots. */
  arrival: ArrivalProcess;
  spoof: CidrRange; // default 198.18.0.0/15
}

/** One long transfer, for window and congestion studies. */
export interface BulkApp extends AppCommon {
  kind: 'bulk';
  target: Endpoint;
  bytes: number; // default 10 MB
  start: Nanos; // default 0
}

/** `shutdown:` in a script step, as shutdown(2)'s SHUT_RD, SHUT_WR, SHUT_RDWR. */
export type ShutdownHow = 'rd' | 'wr' | 'rdwr';

/** Socket options a script may set on its socket (setsockopt), by TcpParams name. */
export type SocketOptionName =
  | 'keepalive' | 'keepaliveIdle' | 'keepaliveInterval' | 'keepaliveProbes' | 'userTimeout' | 'nagle'
  | 'delayedAck' | 'sndBuf' | 'rcvBuf' | 'mss' | 'synRetries' | 'finWait2Timeout';
export type SocketOptions = Partial<Pick<TcpParams, SocketOptionName>>;

/** One socket call of a script app, at `at` (absolute simulated time). */
export type ScriptStep = { at: Nanos } & (
  /** listen(port, backlog); backlog undefined = the host's tcp.backlog. */
  | { op: 'listen'; port: number; backlog?: number }
  /** accept(): takes the next connection as soon as one is queued at or after `at`. */
  | { op: 'accept' }
  /** connect() to `target`, from `localPort` when given (both sides fixed: a simultaneous open is possible). */
  | { op: 'connect'; target: Endpoint; localPort?: number }
  | { op: 'send'; bytes: number }
  /** recv(): what is there, at most `bytes` when given. */
  | { op: 'read'; bytes?: number }
  | { op: 'shutdown'; how: ShutdownHow }
  | { op: 'close' }
  /** SO_LINGER with l_linger = 0 (on) or linger off: close() then sends RST. */
  | { op: 'linger0'; on: boolean }
  /** setsockopt(); before a connect/listen the options apply to the socket it creates. */
  | { op: 'setsockopt'; options: SocketOptions }
);
export type ScriptOp = ScriptStep['op'];

/** A timeline of socket calls on one host (one connection at a time), for textbook scenarios. */
export interface ScriptApp extends AppCommon {
  kind: 'script';
  /** In time order (validated non-decreasing). */
  steps: ScriptStep[];
  /** Read data as it arrives (default); false leaves it unread until a `read` step (close then sends RST). */
  autoRead: boolean;
}

export type AppSpec = ServerApp | ClientApp | SynFloodApp | BulkApp | ScriptApp;
export type AppKind = AppSpec['kind'];

export type { ChartKind } from './chart-fields.ts';

/** A figure the report should draw (fields in src/experiment/chart-fields.ts); other keys are passed through as written. */
export interface ChartSpec extends ChartFields {
  [k: string]: unknown;
}

/**
 * A netfilter-like drop rule at a host, between the host and its TCP stack (`faults:`), as
 * `iptables -A OUTPUT -p tcp --tcp-flags ALL S -m statistic --mode nth … -j DROP` on Linux.
 */
export interface FaultRule {
  /** A node or group name as written; one rule (own nth counter) per member. */
  node: string;
  chain: 'input' | 'output';
  /** Exact flag bits to match (src/wire/segment.ts); undefined = any flags. */
  flags?: number;
  /** Exact payload length to match; undefined = any. */
  len?: number;
  /** Drop only the nth matching packet (1-based); undefined = every match. */
  nth?: number;
  /** Active from `from` (inclusive, default 0) to `to` (exclusive; undefined = to the end). */
  from: Nanos;
  to?: Nanos;
}

/** A sweep axis whose values are named sets of overrides: variant name → (path → value), in file order. */
export type NamedAxis = Record<string, Record<string, unknown>>;

export interface ExperimentSpec {
  name: string;
  /** The file the spec came from (for messages). */
  file: string;
  /** Groups expanded, units parsed. Node `group` fields keep the group names. */
  topology: TopologyDef;
  duration: Nanos;
  seed: number;
  /** Replicates per sweep point: seeds seed … seed+seeds-1. */
  seeds: number;
  tcp: TcpSettings;
  /** Keyed by node name or group name. */
  nodes: Record<string, NodeSettings>;
  /** Keyed by id as in the file. */
  apps: Record<string, AppSpec>;
  /**
   * Axes as written, in file order: a parameter path → its values ({"apps.flood.rate": ["0/s",
   * "1000/s"]}), or an axis name → its named variants ({defence: {none: {...}, cookies: {...}}}).
   */
  sweep: Record<string, unknown[] | NamedAxis>;
  /** Drop rules at hosts (`faults:`), in file order. */
  faults: FaultRule[];
  charts: ChartSpec[];
  /** Timeseries sampling interval. Default 100 ms. */
  sampleInterval: Nanos;
  trace: boolean;
  pcap: boolean;
}

/** One simulation to run: a sweep point with one seed. Deep-frozen. */
export interface RunSpec {
  /** "p<pointIndex>-s<seed>". */
  id: string;
  pointIndex: number;
  /** Sweep coordinates as written; {} when there is no sweep. */
  point: PointValues;
  seed: number;
  /** The experiment with this point's values applied (and `seed` set to this run's seed). */
  spec: ExperimentSpec;
}
