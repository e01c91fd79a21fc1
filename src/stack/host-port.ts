/**
 * What a host node gives its TCP stack: name, address, the clock, the trace stream and a way to
 * put packets on the wire. src/net's host implements it; tests may fake it.
 */
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import type { Packet } from '../wire/segment.ts';

export interface HostPort {
  readonly name: string;
  readonly address: number;
  readonly sim: Sim;
  readonly tracer: Tracer;
  send(packet: Packet): void;
}

/** What a host node calls for every packet addressed to it. */
export interface PacketReceiver {
  receive(packet: Packet): void;
}
