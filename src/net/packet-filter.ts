/**
 * Netfilter-like drop rules at a host, between the host and its TCP stack: the emulator's
 * equivalent of
 *
 *   iptables -A OUTPUT -p tcp --tcp-flags ALL SYN -m statistic --mode nth --every N --packet 0 -j DROP
 *
 * used to show a lost SYN, a lost SYN-ACK or a silent peer on a real Linux box. An output filter
 * wraps what the stack sends through (its HostPort's `send`), an input filter wraps what the host
 * delivers to (its `transport.receive`). As on Linux, an output drop happens before the packet
 * reaches the wire (and any capture), an input drop after the host received it.
 *
 * Rules are tried in order; the first that drops a packet ends it (later rules never see it, as
 * with iptables' DROP target). Each rule counts its own matches for `nth`. Hosts without rules are
 * not wrapped at all, so the filter costs nothing there.
 *
 * A rule with `reject` is iptables' REJECT target (`-j REJECT --reject-with icmp-host-unreachable`):
 * the packet is dropped and the host answers its source with that ICMP destination unreachable
 * (ipt_REJECT's nf_send_unreach). On the input chain the error goes out on the network to the
 * sender; on the output chain it goes back to the host's own stack, as Linux delivers an error
 * about a locally generated packet (connect() then fails at once with EHOSTUNREACH and the like).
 */
import type { FilterChain } from '../schema/trace.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { ICMP_DEST_UNREACH, buildIcmpError } from '../wire/icmp.ts';
import type { Tracer } from '../sim/trace.ts';
import type { Nanos } from '../sim/time.ts';
import type { Packet } from '../wire/segment.ts';
import { packetRecord } from './packet-trace.ts';

/** One rule, flat for the per-packet check: -1 / 0 / Infinity mean "no condition". */
export interface FilterRule {
  chain: FilterChain;
  /** Exact TCP flag bits (--tcp-flags ALL <flags>), or -1 for any. */
  flags: number;
  /** Exact payload length, or -1 for any. */
  len: number;
  /** Drop only the nth matching packet (1-based); 0 drops every match. */
  nth: number;
  /** Active for from <= now < to. */
  from: Nanos;
  to: Nanos;
  /** REJECT with this ICMP destination-unreachable code; -1 = DROP (optional: absent = DROP). */
  reject?: number;
}

export interface PacketSender {
  send(packet: Packet): void;
}

export interface PacketDelivery {
  receive(packet: Packet): void;
}

/** What a host gives its TCP stack (src/stack/host-port.ts's HostPort, structurally). */
export interface FilterablePort extends PacketSender {
  readonly name: string;
  readonly address: number;
  readonly sim: Sim;
  readonly tracer: Tracer;
}

/** The rules of one chain at one host, with their match counters and the drop count. */
export class PacketFilter implements EventHandler<Packet> {
  /** Packets this filter dropped. */
  dropped = 0;
  /**
   * Where a REJECT's ICMP error goes: the network (input chain: the host's send) or the host's
   * own stack (output chain). Set by whoever wires the filter in; without it REJECT only drops.
   */
  rejectTo: ((packet: Packet) => void) | null = null;
  /** Source address of the errors this host sends. */
  address = 0;
  private icmpId = 0;
  private readonly rules: FilterRule[];
  /** Matches so far per rule (for nth). */
  private readonly matches: Float64Array;

  constructor(
    readonly node: string,
    readonly chain: FilterChain,
    rules: readonly FilterRule[],
    private readonly sim: Sim,
    private readonly tracer: Tracer,
  ) {
    this.rules = rules.filter((r) => r.chain === chain);
    this.matches = new Float64Array(this.rules.length);
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** True when the packet goes on; false when a rule dropped it (counted and traced). */
  passes(packet: Packet): boolean {
    const seg = packet.tcp;
    if (seg === null) return true; // the rules are -p tcp
    const now = this.sim.now;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (now < r.from || now >= r.to) continue;
      if (r.flags >= 0 && seg.flags !== r.flags) continue;
      if (r.len >= 0 && seg.len !== r.len) continue;
      if (r.nth > 0 && ++this.matches[i]! !== r.nth) continue;
      this.drop(packet, now);
      if (r.reject !== undefined && r.reject >= 0 && this.rejectTo !== null) {
        this.icmpId = (this.icmpId + 1) & 0xffff;
        const err = buildIcmpError(this.address, packet, ICMP_DEST_UNREACH, r.reject, 0, this.icmpId);
        // sent as its own event: never back into the stack inside the call that sent the packet
        if (err !== null) this.sim.at(now, this, 0, err);
      }
      return false;
    }
    return true;
  }

  onEvent(_sim: Sim, _tag: number, packet: Packet): void {
    this.rejectTo?.(packet);
  }

  private drop(packet: Packet, now: Nanos): void {
    this.dropped++;
    const tracer = this.tracer;
    if (!tracer.packets) return;
    // the network's drop record (packet-trace.ts), with reason filter in its place and the chain
    const { t, node, ev, ...fields } = packetRecord(now, this.node, 'drop', packet);
    tracer.emitPacket({ t, node, ev, reason: 'filter', ...fields, chain: this.chain });
  }
}

/** A host port whose sends pass the output chain first: give it to the stack in place of the host. */
export class FilteredPort implements FilterablePort {
  readonly name: string;
  readonly address: number;
  readonly sim: Sim;
  readonly tracer: Tracer;

  constructor(
    private readonly inner: FilterablePort,
    readonly filter: PacketFilter,
  ) {
    this.name = inner.name;
    this.address = inner.address;
    this.sim = inner.sim;
    this.tracer = inner.tracer;
  }

  send(packet: Packet): void {
    if (this.filter.passes(packet)) this.inner.send(packet);
  }
}

/** A transport whose deliveries pass the input chain first: set it as the host's transport. */
export class FilteredDelivery implements PacketDelivery {
  constructor(
    private readonly inner: PacketDelivery,
    readonly filter: PacketFilter,
  ) {}

  receive(packet: Packet): void {
    if (this.filter.passes(packet)) this.inner.receive(packet);
  }
}

/** The input and output filters for one host's rules; a chain without rules gets none (no wrapping). */
export function hostFilters(
  node: string,
  rules: readonly FilterRule[],
  sim: Sim,
  tracer: Tracer,
): { input: PacketFilter | null; output: PacketFilter | null } {
  const make = (chain: FilterChain): PacketFilter | null => {
    const f = new PacketFilter(node, chain, rules, sim, tracer);
    return f.ruleCount > 0 ? f : null;
  };
  return { input: make('input'), output: make('output') };
}
