/**
 * The resolved topology that `buildNetwork` turns into hosts, routers and links: node groups
 * already expanded (client → client1 … client50), units already parsed to integers. The
 * experiment layer produces it from YAML (src/experiment); tests build it directly.
 */
import type { Nanos } from '../sim/time.ts';

export type NodeKind = 'host' | 'router';

export interface NodeDef {
  name: string;
  kind: NodeKind;
  /** The group this node came from ("client" for client7), or its own name. */
  group: string;
  /** Explicit IPv4 address (uint32); assigned automatically when absent. */
  address?: number;
}

/** Gilbert–Elliott two-state burst loss: per-packet transition probabilities and loss in each state. */
export interface BurstLossDef {
  pGoodToBad: number;
  pBadToGood: number;
  lossGood: number;
  lossBad: number;
}

export interface LinkDef {
  /** Endpoint node names (never group names: groups are expanded to one link per member). */
  a: string;
  b: string;
  latency: Nanos;
  /** Bits per second. */
  bandwidth: number;
  /** Bernoulli loss probability per packet, each direction. */
  loss: number;
  /** Drop-tail queue limit per direction. */
  queue: { packets: number } | { bytes: number };
  /** Uniform extra delay in [0, jitter] per packet. */
  jitter: Nanos;
  /** Allow jitter to reorder packets; otherwise a packet never arrives before the one sent ahead of it. */
  reorder: boolean;
  burstLoss?: BurstLossDef;
  /**
   * Largest IP packet the link carries, bytes (absent: no limit). A router forwarding a bigger
   * packet with DF set drops it and answers ICMP fragmentation needed with this MTU (RFC 1191).
   */
  mtu?: number;
}

export interface TopologyDef {
  name: string;
  nodes: NodeDef[];
  links: LinkDef[];
}
