/**
 * The one host a script drives, as the runner sees it: a TCP stack on the socket API that takes
 * inbound packets through `receive`, built on a HostPort whose `send` the runner captures instead
 * of routing (packetdrill's tun device). The factory keeps the runner independent of how
 * src/stack builds its stack.
 */
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import type { HostPort, Transport as PacketReceiver } from '../net/host.ts';
import type { TcpStack } from '../stack/socket-api.ts';
import type { TcpParams } from '../tcp/params.ts';

/** `flushMetrics`: `ip tcp_metrics flush` (a stack without a metrics cache has nothing to flush). */
export type DrillStack = TcpStack &
  PacketReceiver & {
    flushMetrics?(): void;
    localDrop?: boolean;
    setSysctls?(changes: Partial<TcpParams>): void;
    /** ICMP counters (HostStack), read by the scripts' nstat checks. */
    readonly icmpStats?: { inErrors: number; outOfWindowIcmps: number } | null;
  };

export type DrillStackFactory = (port: HostPort, params: TcpParams) => DrillStack;

/** packetdrill's IPv4 defaults (config.c): the local host under test and the scripted remote peer. */
export const DRILL_LOCAL_ADDRESS = 0xc0a80001; // 192.168.0.1
export const DRILL_REMOTE_ADDRESS = 0xc0000201; // 192.0.2.1
/** packetdrill --bind_port / --connect_port default. */
export const DRILL_PORT = 8080;
/** The scripted peer's port on a passive open when the script names none (packetdrill picks an ephemeral one). */
export const DRILL_REMOTE_PORT = 40000;

export type { Sim, Tracer };
