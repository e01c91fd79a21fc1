/**
 * The host stack's ICMP demultiplexing (Linux icmp_unreach -> tcp_v4_err / tcp_req_err): an error
 * finds the connection or the pending request its quoted TCP header names; one naming nothing of
 * ours is counted and dropped; a quoted sequence number out of window is counted and ignored.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_PORT_UNREACH,
  buildIcmpError,
} from '../../src/wire/icmp.ts';
import { PROTO_TCP, SYN, type Packet } from '../../src/wire/segment.ts';
import { orThrow, type TcpSocket } from '../../src/stack/socket-api.ts';
import type { StackSocket } from '../../src/stack/sockets.ts';
import type { Connection } from '../../src/tcp/connection.ts';
import { FakeNet } from './fake-net.ts';

const A = 0x0a000002; // client
const B = 0x0a000001; // server
const ROUTER = 0x0a0000fe;

/** A network where the peer B has no host: our SYN goes unanswered. */
function deafNet(): { net: FakeNet } {
  return { net: new FakeNet() };
}

/** The SYN a socket sent, rebuilt from its connection (its ISN): what an ICMP error about it quotes. */
function synOf(s: TcpSocket, seqDelta = 0, srcPort = s.localPort): Packet {
  const iss = ((s as StackSocket).conn as Connection).iss;
  return {
    src: A,
    dst: B,
    ttl: 64,
    id: 1,
    protocol: PROTO_TCP,
    dataBytes: 0,
    annot: 0,
    tcp: {
      srcPort,
      dstPort: 80,
      seq: (iss + seqDelta) >>> 0,
      ack: 0,
      flags: SYN,
      window: 64240,
      urgent: 0,
      options: null,
      len: 0,
      payload: null,
    },
  };
}

describe('ICMP at the host stack', () => {
  it('host unreachable quoting our SYN fails the connect with EHOSTUNREACH; the same error with a wrong sequence number is counted and ignored', () => {
    const { net } = deafNet();
    const a = net.addHost('a', A);
    const errors: string[] = [];
    const s = orThrow(a.connect(B, 80, { onError: (_s, e) => errors.push(e) }));
    net.sim.run({ until: 1 * MS });
    const first = synOf(s);
    const bogus = buildIcmpError(ROUTER, synOf(s, 100), ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0, 1)!;
    a.receive(bogus);
    expect(s.state).toBe('SYN_SENT');
    expect(a.icmpStats).toEqual({ inErrors: 0, outOfWindowIcmps: 1 });
    a.receive(buildIcmpError(ROUTER, first, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0, 2)!);
    net.sim.run({ until: 2 * MS });
    expect(s.state).toBe('CLOSED');
    expect(errors).toEqual(['EHOSTUNREACH']);
  });

  it('an error quoting no connection and no listener is counted as ICMP InErrors', () => {
    const { net } = deafNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    orThrow(b.listen(80, {}));
    const s = orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 1 * MS });
    a.receive(buildIcmpError(ROUTER, synOf(s, 0, 1), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, 1)!);
    expect(a.icmpStats).toEqual({ inErrors: 1, outOfWindowIcmps: 0 });
  });

  it('a pending request is dropped by host unreachable quoting its ISN (tcp_req_err), kept by port unreachable', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    const l = orThrow(b.listen(80, {}));
    // a spoofed SYN from C (no host there): B's SYN-ACK goes out and is never answered
    const C = 0x0a000003;
    const sent: Packet[] = [];
    const wire = net as unknown as { send(from: number, p: Packet): void };
    const send = wire.send.bind(net);
    wire.send = (from, p) => {
      sent.push(p);
      send(from, p);
    };
    const synAck = (): Packet => sent.find((p) => p.src === B && p.tcp !== null)!;
    a.openRaw().send({
      src: C,
      dst: B,
      ttl: 64,
      id: 1,
      protocol: 6,
      dataBytes: 0,
      annot: 0,
      tcp: {
        srcPort: 40000,
        dstPort: 80,
        seq: 1000,
        ack: 0,
        flags: 2,
        window: 65535,
        urgent: 0,
        options: { mss: 1460 },
        len: 0,
        payload: null,
      },
    });
    net.sim.run({ until: 6 * MS });
    const sa = synAck();
    expect(l.stats().synQueue).toBe(1);
    b.receive(buildIcmpError(ROUTER, sa, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, 1)!);
    expect(l.stats().synQueue).toBe(1);
    b.receive(
      buildIcmpError(
        ROUTER,
        { ...sa, tcp: { ...sa.tcp!, seq: (sa.tcp!.seq + 1) >>> 0 } },
        ICMP_DEST_UNREACH,
        ICMP_HOST_UNREACH,
        0,
        2,
      )!,
    );
    expect(b.icmpStats?.outOfWindowIcmps).toBe(1);
    expect(l.stats().synQueue).toBe(1);
    b.receive(buildIcmpError(ROUTER, sa, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0, 3)!);
    expect(l.stats().synQueue).toBe(0);
  });

  it('fragmentation needed lowers the host path MTU to that peer; the next connection starts with it', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    orThrow(net.addHost('b', B).listen(80, {}));
    const s1 = orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 20 * MS });
    expect(s1.state).toBe('ESTABLISHED');
    const ack = net.delivered.filter((p) => p.src === A).at(-1)!;
    a.receive(buildIcmpError(ROUTER, ack, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1200, 1)!);
    expect(a.pathMtu(B)).toBe(1200);
    const s2 = orThrow(a.connect(B, 80, {}));
    const syn2 = net.delivered.length;
    net.sim.run({ until: 40 * MS });
    const sent = net.delivered.slice(syn2).find((p) => p.src === A && p.tcp!.srcPort === s2.localPort)!;
    expect(sent.tcp!.options?.mss).toBe(1160);
  });
});
