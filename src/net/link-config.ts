/**
 * The settings of a link direction, shared: every direction of a world whose link has the same
 * latency, bandwidth, jitter, reordering, MTU and queue limit points at one immutable LinkConfig,
 * which also carries what every direction of the world uses (the Sim, the tracer, the network
 * counters, the typed storage of the directions' times). A star of 10^5 clients has 2·10^5 directions and, typically, one or two configs: the
 * ten fields a direction would otherwise copy cost 80 bytes each, 16 MB in all.
 *
 * The packet path reads the config through one pointer; being shared, it stays in cache while
 * the directions it serves do not, and each direction spans fewer cache lines.
 */
import type { Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { Tracer } from '../sim/trace.ts';
import type { NetCounters } from './counters.ts';
import type { NodeShared } from './node.ts';
import type { LinkDef } from './topology-def.ts';

/** Times per direction in LinkConfig.clocks (see LinkDirection.clock). */
export const CLOCKS = 3;

export class LinkConfig {
  readonly latency: Nanos;
  /** Bits per second. */
  readonly bandwidth: number;
  readonly jitter: Nanos;
  readonly reorder: boolean;
  /** Largest IP packet a router may forward onto the direction (0 = no limit; router.ts). */
  readonly mtu: number;
  /** Queue limit: waiting packets, or waiting bytes when `limitInBytes` (one small integer: Infinity would box). */
  readonly queueLimit: number;
  readonly limitInBytes: boolean;

  constructor(
    def: LinkDef,
    readonly sim: Sim,
    readonly tracer: Tracer,
    readonly counters: NetCounters,
    /**
     * Three times per direction of the world, from CLOCKS · its slot (LinkDirection.clock): typed
     * storage, as double fields of 2·10^5 directions would each be a 16-byte box.
     */
    readonly clocks: Float64Array,
  ) {
    this.latency = def.latency;
    this.bandwidth = def.bandwidth;
    this.jitter = def.jitter;
    this.reorder = def.reorder;
    this.mtu = def.mtu ?? 0;
    if ('packets' in def.queue) {
      this.queueLimit = def.queue.packets;
      this.limitInBytes = false;
    } else {
      this.queueLimit = def.queue.bytes;
      this.limitInBytes = true;
    }
  }
}

/**
 * One world's configs, made once per distinct setting (by value: two link entries that spell the
 * same numbers share one). Used while the network is built, then dropped.
 */
export class LinkConfigs {
  private readonly byKey = new Map<string, LinkConfig>();
  private readonly clocks: Float64Array;

  /** `directions`: how many the world has (slots 0 to directions - 1). */
  constructor(
    /** The world's Sim, tracer and counters, which every config copies (one pointer on the packet path). */
    private readonly shared: NodeShared,
    directions: number,
  ) {
    this.clocks = new Float64Array(CLOCKS * directions);
  }

  /** The config of `def`'s settings (its endpoints, loss and burst loss are not part of it). */
  of(def: LinkDef): LinkConfig {
    // Number to string is exact (the shortest text that reads back as the same double).
    const queue = 'packets' in def.queue ? `p${def.queue.packets}` : `b${def.queue.bytes}`;
    const key = `${def.latency} ${def.bandwidth} ${def.jitter} ${def.reorder} ${def.mtu ?? 0} ${queue}`;
    let config = this.byKey.get(key);
    if (config === undefined) {
      const { sim, tracer, counters } = this.shared;
      config = new LinkConfig(def, sim, tracer, counters, this.clocks);
      this.byKey.set(key, config);
    }
    return config;
  }
}
