/**
 * The validated, typed form of an experiment file (docs/design.md part 2). Everything here has passed
 * validation: units are parsed to integers (time in ns, bit rates in bit/s, sizes in bytes), node
 * and group references resolve, and every optional key has its default filled in. The batch runner
 * and one run (src/experiment/run.ts) consume these records; they never see raw YAML.
 */
import type { Nanos } from '../sim/time.ts';
import type { TopologyDef } from '../net/topology-def.ts';
import type { ProfileName, TcpParams } from '../tcp/params.ts';
import type { PointValues } from '../schema/results.ts';
import type { ChartFields } from '../schema/charts.ts';

/** `tcp:` for every host: a profile plus any parameter overrides (docs/design.md part 3). */
export type TcpSettings = Partial<TcpParams> & { profile: ProfileName };

/** Per node or per group (`nodes.<name>.tcp`); a node's own entry beats its group's. */
export interface NodeSettings {
  tcp?: Partial<TcpParams>;
}

// Application records live with the applications (src/apps/app-specs.ts): the apps read them, and
// the experiment layer, above, validates and fills them.
export type {
  AppKind,
  AppSpec,
  ArrivalProcess,
  BulkApp,
  CidrRange,
  ClientApp,
  ClientFastOpen,
  ClientMode,
  Closer,
  Endpoint,
  ScriptApp,
  ScriptOp,
  ScriptStep,
  ServerApp,
  ShutdownHow,
  SocketOptionName,
  SocketOptions,
  SynFloodApp,
} from '../apps/app-specs.ts';
import type { AppSpec } from '../apps/app-specs.ts';

export type { ChartKind } from '../schema/charts.ts';

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
  /** REJECT: answer with this ICMP destination-unreachable code (`reject: icmp-host-unreachable`); undefined = DROP. */
  reject?: number;
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
