/**
 * Which local ports a connect() may use, as Linux decides it: the checks of bind() then connect()
 * on an explicit port, and the view of a destination's held ports the ephemeral search indexes
 * (ephemeral-ports.ts). The host stack owns the tables; these functions only read them.
 */
import { formatIpv4 } from '../wire/ip.ts';
import { TcpState, type Errno } from '../tcp/api.ts';
import type { PortChecker } from './ephemeral-ports.ts';
import { portsKey, type FlowTable } from './flow-table.ts';
import type { StackListenSocket, StackSocket } from './sockets.ts';

/**
 * bind() then connect() from a chosen port. A listener on the port, or the 4-tuple held by a
 * socket when either side lacks SO_REUSEADDR, makes bind fail (inet_csk_bind_conflict:
 * EADDRINUSE). With SO_REUSEADDR on both, bind succeeds and connect fails instead when the
 * 4-tuple is still held, unless tcp_tw_reuse may take a TIME-WAIT holder over
 * (__inet_check_established, tcp_twsk_unique: EADDRNOTAVAIL). Sockets on the same port toward
 * other peers are not checked (tcplab keeps no port-wide bind table; Linux's bind would fail
 * without SO_REUSEADDR there too). Returns the errno connect() fails with, or null.
 */
export function checkBoundConnect(
  flows: FlowTable<StackSocket>,
  listeners: ReadonlyMap<number, StackListenSocket> | null,
  ports: PortChecker,
  lport: number,
  remoteAddr: number,
  remotePort: number,
  reuseAddr: boolean,
): Errno | null {
  if (listeners?.has(lport)) return 'EADDRINUSE'; // bind: the port has a listener
  const held = flows.get(remoteAddr, portsKey(lport, remotePort));
  if (held === undefined) return null;
  if (!reuseAddr || !held.reuseAddr) return 'EADDRINUSE'; // bind: the 4-tuple is in use
  return ports.portUsable(lport, remoteAddr, remotePort) ? null : 'EADDRNOTAVAIL'; // connect: still held
}

/** PortChecker.visitPorts over the host's tables: the connections toward raddr:rport and the listening ports. */
export function visitPorts(
  flows: FlowTable<StackSocket>,
  listeners: ReadonlyMap<number, StackListenSocket> | null,
  raddr: number,
  rport: number,
  visit: (lport: number, reusable: boolean) => void,
  listening: (lport: number) => void,
): void {
  const a = raddr | 0;
  flows.forEach((addr, ports, s) => {
    if (addr !== a || (ports & 0xffff) !== rport) return;
    const c = s.conn;
    visit(ports >>> 16, c !== undefined && c.state === TcpState.TIME_WAIT && c.tsOk);
  });
  if (listeners !== null) for (const port of listeners.keys()) listening(port);
}
