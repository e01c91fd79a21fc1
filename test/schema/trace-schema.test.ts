/**
 * The trace record union (src/schema/trace.ts) against what the emitters really write: small
 * experiments that between them make every kind of record (state changes; tx, rx and drops for
 * loss, a full queue, a fault rule; ICMP errors; HTTP/2 frame and stream notes; script steps) run
 * with --trace, and every line of trace.jsonl must be a kind the schema names, with only the
 * schema's fields, in its order. A record kind added to an emitter but not to the union fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  APP_NOTES,
  DROP_REASONS,
  PACKET_EVENTS,
  SCRIPT_NOTES,
  TCP_STATE_NAMES,
  TRACE_EVENTS,
  TRACE_FIELDS,
  type AppHead,
  type H2FrameFields,
  type H2StreamFields,
  type IpPacketRecord,
  type StateRecord,
  type TcpPacketRecord,
  type TraceLimitRecord,
} from '../../src/schema/trace.ts';
import { STATE_NAMES } from '../../src/tcp/api.ts';
import { runOne } from '../experiment/world-helpers.ts';

// Compile-time: the name lists are the interfaces' fields (keys declared `?: undefined` are the other kind's).
type DefinedKeys<T> = { [K in keyof T]-?: [T[K]] extends [undefined] ? never : K }[keyof T];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsMatchInterfaces: [
  Same<(typeof TRACE_FIELDS.state)[number], DefinedKeys<StateRecord> | 'run'>,
  Same<(typeof TRACE_FIELDS.tcpPacket)[number], DefinedKeys<TcpPacketRecord> | 'run'>,
  Same<(typeof TRACE_FIELDS.ipPacket)[number], DefinedKeys<IpPacketRecord> | 'run'>,
  Same<(typeof TRACE_FIELDS)['h2 frame'][number], keyof AppHead | 'what' | keyof H2FrameFields | 'run'>,
  Same<(typeof TRACE_FIELDS)['h2 stream'][number], keyof AppHead | 'what' | keyof H2StreamFields | 'run'>,
  Same<(typeof TRACE_FIELDS)['trace-limit'][number], keyof TraceLimitRecord>,
] = [true, true, true, true, true, true];

type Line = Record<string, unknown>;

const LOSSY_H2 = `
name: schema-h2
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 10ms, bandwidth: 2Mbps, loss: 0.02, queue: 4 }
duration: 8s
apps:
  web:  { kind: server, on: server, port: 80, responseBytes: 20KB }
  page: { kind: client, on: client, target: server:80, rate: 4/s, stop: 1s, mode: h2, objects: 4 }
`;

const REJECTED = `
name: schema-reject
topology:
  nodes: [client, server]
  links:
    - { between: [client, server], latency: 10ms, bandwidth: 100Mbps }
duration: 2s
apps:
  web:   { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: server:80, rate: 1/s, stop: 1s }
faults:
  - { node: server, chain: input, flags: "S", reject: icmp-host-unreachable }
`;

const SCRIPTED = `
name: schema-script
topology:
  nodes: [client1, server]
  links:
    - { between: [client1, server], latency: 5ms, bandwidth: 100Mbps }
duration: 5s
apps:
  a: { kind: script, on: client1, steps: [ {at: 0s, setsockopt: {keepalive: true}}, {at: 0s, connect: "server:80"},
       {at: 100ms, send: 500}, {at: 1s, shutdown: wr}, {at: 2s, close: true}, {at: 2.5s, linger0: true} ] }
  b: { kind: script, on: server, autoRead: false, steps: [ {at: 0s, listen: 80, backlog: 5}, {at: 0s, accept: true},
       {at: 1.5s, send: 1KB}, {at: 1.6s, read: true}, {at: 1.7s, read: 10}, {at: 3s, close: true} ] }
`;

function traceLines(yaml: string): Line[] {
  const out = runOne(yaml, { trace: true });
  return (out.trace ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** The schema's field list for a line, or a reason it has none. */
function fieldsFor(line: Line): readonly string[] | string {
  switch (line.ev) {
    case 'state':
      return TRACE_FIELDS.state;
    case 'tx':
    case 'rx':
    case 'drop':
      if (typeof line.flags === 'string') return TRACE_FIELDS.tcpPacket;
      if (typeof line.proto === 'number') return TRACE_FIELDS.ipPacket;
      return 'a packet record with neither flags nor proto';
    case 'app':
      if (line.what === 'h2 frame' || line.what === 'h2 stream') return TRACE_FIELDS[line.what];
      if ((SCRIPT_NOTES as readonly unknown[]).includes(line.what)) return TRACE_FIELDS.script;
      return `app record with what ${JSON.stringify(line.what)}, not in APP_NOTES`;
    case 'trace-limit':
      return TRACE_FIELDS['trace-limit'];
    default:
      return `ev ${JSON.stringify(line.ev)}, not in TRACE_EVENTS`;
  }
}

/** Problems of one line against the schema (empty when it conforms). */
function check(line: Line): string[] {
  const fields = fieldsFor(line);
  if (typeof fields === 'string') return [fields];
  const problems: string[] = [];
  const keys = Object.keys(line);
  // A script step's own fields (bytes, how, errno, socket options …) follow the listed ones.
  const known =
    line.ev === 'app' && fields === TRACE_FIELDS.script
      ? keys.slice(0, keys.indexOf('what') + (keys.includes('step') ? 2 : 1))
      : keys;
  const unknown = known.filter((k) => !fields.includes(k));
  if (unknown.length > 0) problems.push(`fields ${unknown.join(', ')} not in the schema's ${fields.join(',')}`);
  const order = known.filter((k) => fields.includes(k));
  const expected = fields.filter((f) => order.includes(f));
  if (order.join() !== expected.join())
    problems.push(`field order ${order.join(',')}, the schema's is ${expected.join(',')}`);
  if (line.ev === 'state') {
    for (const f of ['from', 'to'] as const)
      if (!(TCP_STATE_NAMES as readonly unknown[]).includes(line[f]))
        problems.push(`${f} ${String(line[f])} not a TcpStateName`);
    if (typeof line.conn !== 'string') problems.push('state record without conn');
  }
  if (line.reason !== undefined && !(DROP_REASONS as readonly unknown[]).includes(line.reason))
    problems.push(`reason ${String(line.reason)} not a DropReason`);
  if (line.reason !== undefined && line.ev !== 'drop') problems.push('a reason on a record that is not a drop');
  if (line.tfo !== undefined && line.tfo !== 'request' && line.tfo !== 'cookie')
    problems.push(`tfo ${String(line.tfo)}`);
  if (line.chain !== undefined && line.chain !== 'input' && line.chain !== 'output')
    problems.push(`chain ${String(line.chain)}`);
  return problems;
}

describe('trace.jsonl as the schema describes it', () => {
  const lines = [...traceLines(LOSSY_H2), ...traceLines(REJECTED), ...traceLines(SCRIPTED)];

  it('every line written is a kind of the union, with its fields only, in its order', () => {
    const bad = new Map<string, string>();
    for (const line of lines) for (const p of check(line)) if (!bad.has(p)) bad.set(p, JSON.stringify(line));
    expect([...bad].map(([p, l]) => `${p}: ${l}`)).toEqual([]);
  });

  it('the runs made every kind the schema checks (so the test above can fail)', () => {
    const seen = new Set(lines.map((l) => `${String(l.ev)}${l.ev === 'drop' ? `:${String(l.reason)}` : ''}`));
    for (const ev of TRACE_EVENTS) if (ev !== 'trace-limit' && ev !== 'drop') expect(seen).toContain(ev);
    for (const ev of PACKET_EVENTS) expect([...seen].some((s) => s.startsWith(ev))).toBe(true);
    for (const r of ['loss', 'queue', 'filter'] as const) expect(seen).toContain(`drop:${r}`);
    const whats = new Set(lines.filter((l) => l.ev === 'app').map((l) => l.what));
    expect([...whats].filter((w) => !(APP_NOTES as readonly unknown[]).includes(w))).toEqual([]);
    for (const w of [
      'h2 frame',
      'h2 stream',
      'listen',
      'connect',
      'send',
      'read',
      'shutdown',
      'close',
      'setsockopt',
      'accept',
      'linger0',
    ])
      expect(whats).toContain(w);
    expect(lines.some((l) => typeof l.icmp === 'string' && typeof l.quoted === 'string')).toBe(true);
    expect(lines.some((l) => l.reason === 'filter' && l.chain === 'input')).toBe(true);
  });

  it('finds a line the union does not have', () => {
    expect(check({ run: 'p0-s1', t: 0, node: 'a', ev: 'retransmit' })).toEqual([
      'ev "retransmit", not in TRACE_EVENTS',
    ]);
    expect(check({ run: 'p0-s1', t: 0, node: 'a', ev: 'app', app: 'x', what: 'h3 frame' })).toHaveLength(1);
    expect(
      check({ run: 'p0-s1', t: 0, node: 'a', ev: 'state', conn: 'x>y', from: 'LISTEN', to: 'SYN_RECEIVED' }),
    ).toHaveLength(1);
    expect(
      check({
        run: 'p0-s1',
        t: 0,
        node: 'a',
        ev: 'tx',
        flags: 'S',
        seq: 1,
        ack: 0,
        len: 0,
        win: 1,
        src: 'a',
        dst: 'b',
        ecn: 1,
      }),
    ).toHaveLength(1);
    expect(
      check({ t: 0, run: 'p0-s1', node: 'a', ev: 'state', conn: 'x>y', from: 'LISTEN', to: 'SYN_RCVD' }),
    ).toHaveLength(1);
  });

  it("the engine names its states with the schema's names", () => {
    expect([...STATE_NAMES].sort()).toEqual([...TCP_STATE_NAMES].sort());
  });
});

void listsMatchInterfaces;
