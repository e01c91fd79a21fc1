/**
 * What Fast Open buys, analytically: over a path with one-way delay D, a request whose answer the
 * server sends as soon as it reads it arrives 2 RTT after connect() on a first visit (handshake,
 * then request) and 1 RTT after on a repeat visit (the request rides in the SYN with the cached
 * cookie, the server answers from SYN-RECEIVED). Exactly one RTT less, RFC 7413 section 1.
 */
import { describe, expect, test } from 'vitest';
import { ConnEvent, type EngineOutput, type Endpoints, type TcpState } from '../../src/tcp/api.ts';
import { Connection } from '../../src/tcp/connection.ts';
import type { HandshakeInfo } from '../../src/tcp/handshake.ts';
import { DstMetrics } from '../../src/tcp/dst-metrics.ts';
import type { FastOpenState } from '../../src/tcp/fastopen.ts';
import { Listener, type ListenerHost } from '../../src/tcp/listener.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { CookieSecret } from '../../src/tcp/syn-cookies.ts';
import { MS, type Nanos } from '../../src/sim/time.ts';
import type { Segment } from '../../src/wire/segment.ts';

const CLIENT = 0x0a000002;
const SERVER = 0x0a000001;
const D = 25 * MS; // one-way delay: RTT 50 ms
const REQUEST = 300;
const RESPONSE = 1000;

/** A client and a server host joined by a fixed delay; returns when the client has the whole response. */
function visit(metrics: DstMetrics, port: number): Nanos {
  const params = tcpParams('linux', { timers: 'exact', fastOpen: 3, fastOpenQueue: 16 });
  let now = 0;
  const flights: Array<{ at: Nanos; toServer: boolean; seg: Segment }> = [];
  const children = new Map<number, Connection>();
  let done = -1;
  let client: Connection | null = null;
  const side = (toServer: boolean): EngineOutput => ({
    transmit: (_ep: Endpoints, seg: Segment) => {
      flights.push({ at: now + D, toServer, seg });
    },
    stateChanged: (_ep: Endpoints, _f: TcpState, _t: TcpState) => {},
    notify: (ep: Endpoints, what: ConnEvent) => {
      if (what !== ConnEvent.READABLE) return;
      if (toServer) {
        // the client got response bytes
        if (client !== null && client.readable >= RESPONSE && done < 0) done = now;
        return;
      }
      const child = children.get(ep.remotePort);
      if (child !== undefined && child.readable >= REQUEST) {
        child.recv(REQUEST, now);
        child.send(RESPONSE, now);
      }
    },
  });
  const serverOut = side(false);
  const host: ListenerHost<Connection> = {
    initialSeq: () => 1000,
    tsOffset: () => 0,
    completeHandshake: (h: HandshakeInfo, ack: Segment, t: Nanos) => {
      const c = Connection.fromHandshake(h, params, t, serverOut, null, ack);
      children.set(h.ep.remotePort, c);
      c.onSegment(ack, t);
      return c;
    },
    fastOpenChild: (h: HandshakeInfo, syn: Segment, fo: FastOpenState, t: Nanos) => {
      const c = Connection.fromFastOpen(h, syn, fo, params, t, serverOut);
      children.set(h.ep.remotePort, c);
      if (c.readable >= REQUEST) {
        c.recv(REQUEST, t);
        c.send(RESPONSE, t);
      }
      return c;
    },
    abortChild: () => {},
  };
  const listener = new Listener<Connection>({
    localAddr: SERVER,
    localPort: 80,
    backlog: 16,
    params,
    out: serverOut,
    host,
    secret: new CookieSecret(5, 6, 7, 8),
  });
  const ep: Endpoints = { localAddr: CLIENT, localPort: port, remoteAddr: SERVER, remotePort: 80 };
  client = Connection.connect(ep, params, 7000, 0, side(true), 0, metrics, REQUEST);
  while (flights.length > 0 && done < 0) {
    flights.sort((a, b) => a.at - b.at);
    const f = flights.shift()!;
    now = f.at;
    if (!f.toServer) {
      client.onSegment(f.seg, now);
      continue;
    }
    const child = children.get(f.seg.srcPort);
    if (child !== undefined) child.onSegment(f.seg, now);
    else listener.onSegment(f.seg, CLIENT, SERVER, now);
  }
  return done;
}

describe('request time with and without Fast Open (analytic)', () => {
  test('first visit 2 RTT, repeat visit 1 RTT: exactly one RTT less', () => {
    const metrics = new DstMetrics();
    const first = visit(metrics, 40001);
    const repeat = visit(metrics, 40002);
    expect(first).toBe(4 * D);
    expect(repeat).toBe(2 * D);
    expect(first - repeat).toBe(2 * D); // one RTT
    // the README's figures: 100 ms and 50 ms over a 50 ms round trip
    expect([first / MS, repeat / MS]).toEqual([100, 50]);
  });
});
