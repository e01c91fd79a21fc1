/**
 * Fault-rule packet filters: exact flag matches, payload length, nth match (per rule, counting
 * only packets that match the rest of the rule), time windows, input and output chains, the
 * first dropping rule ending a packet, and the `drop` trace record with reason `filter`.
 */
import { describe, expect, it } from 'vitest';
import {
  FilteredDelivery,
  FilteredPort,
  hostFilters,
  PacketFilter,
  type FilterRule,
} from '../../src/net/packet-filter.ts';
import { Sim } from '../../src/sim/simulator.ts';
import { SEC } from '../../src/sim/time.ts';
import type { TraceRecord } from '../../src/schema/trace.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { parseFlags } from '../../src/wire/flags.ts';
import { ANNOT_RETRANSMIT, PROTO_TCP, type Packet } from '../../src/wire/segment.ts';

const CLIENT = 0x0a000002; // 10.0.0.2
const SERVER = 0x0a000001; // 10.0.0.1

/** A TCP packet client:40000 → server:80 with packetdrill flags and a payload length. */
function pkt(flags: string, len = 0, seq = 0): Packet {
  return {
    src: CLIENT,
    dst: SERVER,
    ttl: 64,
    id: 0,
    protocol: PROTO_TCP,
    dataBytes: 0,
    annot: 0,
    tcp: {
      srcPort: 40000,
      dstPort: 80,
      seq,
      ack: 0,
      flags: parseFlags(flags)!,
      window: 65535,
      urgent: 0,
      options: null,
      len,
      payload: null,
    },
  };
}

function rule(r: Partial<FilterRule>): FilterRule {
  return { chain: 'output', flags: -1, len: -1, nth: 0, from: 0, to: Infinity, ...r };
}

function setup(
  rules: Partial<FilterRule>[],
  chain: 'input' | 'output' = 'output',
): { sim: Sim; filter: PacketFilter; drops: TraceRecord[] } {
  const sim = new Sim();
  const tracer = new Tracer();
  const drops: TraceRecord[] = [];
  tracer.subscribe(
    (r) => {
      if (r.ev === 'drop') drops.push(r);
    },
    { packets: true },
  );
  return { sim, filter: new PacketFilter('client', chain, rules.map(rule), sim, tracer), drops };
}

/** Which of the packets pass, as a string of 'p' (passed) and 'x' (dropped). */
function verdicts(filter: PacketFilter, packets: Packet[]): string {
  return packets.map((p) => (filter.passes(p) ? 'p' : 'x')).join('');
}

describe('packet filter', () => {
  it('drops only the nth packet with exactly the given flags (the first SYN, not the SYN-ACK)', () => {
    const { filter } = setup([{ flags: parseFlags('S')!, nth: 1 }]);
    expect(verdicts(filter, [pkt('S.'), pkt('S'), pkt('.'), pkt('S'), pkt('S')])).toBe('pxppp');
    expect(filter.dropped).toBe(1);
  });

  it('counts nth among matching packets only: the second pure ACK, not the second packet', () => {
    const { filter } = setup([{ flags: parseFlags('.')!, len: 0, nth: 2 }]);
    // S (no match), . (1st), P. len 100 (no: flags), . len 100 (no: len), . (2nd → dropped), . (3rd)
    expect(verdicts(filter, [pkt('S'), pkt('.'), pkt('P.', 100), pkt('.', 100), pkt('.'), pkt('.')])).toBe(
      'pppp' + 'xp',
    );
  });

  it('flags match exactly: "F." does not match "FP."', () => {
    const { filter } = setup([{ flags: parseFlags('F.')! }]);
    expect(verdicts(filter, [pkt('FP.', 10), pkt('F.'), pkt('.'), pkt('F.')])).toBe('pxpx');
  });

  it('without nth every match is dropped; without flags every packet matches', () => {
    const { filter } = setup([{}]);
    expect(verdicts(filter, [pkt('S'), pkt('.'), pkt('R')])).toBe('xxx');
    expect(filter.dropped).toBe(3);
  });

  it('applies in its window only, [from, to), and counts nth inside the window', () => {
    const { sim, filter } = setup([{ from: 10 * SEC, to: 20 * SEC, nth: 2 }]);
    const at = (t: number): string => {
      sim.run({ until: t });
      return filter.passes(pkt('.')) ? 'p' : 'x';
    };
    // 5 s: outside (not counted); 10 s: 1st in window; 12 s: 2nd → dropped; 15 s: 3rd; 20 s: outside
    expect([at(5 * SEC), at(10 * SEC), at(12 * SEC), at(15 * SEC), at(20 * SEC)].join('')).toBe('ppxpp');
  });

  it('keeps a match counter per rule; the first dropping rule ends the packet', () => {
    const { filter } = setup([{ flags: parseFlags('S')!, nth: 1 }, { nth: 2 }]);
    // SYN #1 dropped by rule 0 (rule 1 never sees it); rule 1 counts SYN #2 as its 1st, the ACK as its 2nd
    expect(verdicts(filter, [pkt('S'), pkt('S'), pkt('.'), pkt('.')])).toBe('xpxp');
  });

  it('only takes the rules of its own chain', () => {
    const rules = [
      rule({ chain: 'input', flags: parseFlags('S')! }),
      rule({ chain: 'output', flags: parseFlags('.')! }),
    ];
    const sim = new Sim();
    const f = hostFilters('client', rules, sim, new Tracer());
    expect(verdicts(f.input!, [pkt('S'), pkt('.')])).toBe('xp');
    expect(verdicts(f.output!, [pkt('S'), pkt('.')])).toBe('px');
    expect(hostFilters('client', [rules[0]!], sim, new Tracer()).output).toBeNull(); // a chain without rules is not wrapped
  });

  it('emits a drop record with reason filter, in the fields and order of the network drop records', () => {
    const { sim, filter, drops } = setup([{ flags: parseFlags('S')! }]);
    sim.run({ until: 1 * SEC });
    filter.passes(pkt('S', 0, 12345));
    const retx = { ...pkt('S', 0, 12345), annot: ANNOT_RETRANSMIT };
    filter.passes(retx);
    expect(drops.map((d) => JSON.stringify(d))).toEqual([
      `{"t":${1 * SEC},"node":"client","ev":"drop","reason":"filter","flags":"S","seq":12345,"ack":0,"len":0,"win":65535,"src":"10.0.0.2:40000","dst":"10.0.0.1:80","chain":"output"}`,
      `{"t":${1 * SEC},"node":"client","ev":"drop","reason":"filter","flags":"S","seq":12345,"ack":0,"len":0,"win":65535,"src":"10.0.0.2:40000","dst":"10.0.0.1:80","retx":true,"chain":"output"}`,
    ]);
  });

  it('builds no record when nobody wants packet records, and still counts', () => {
    const sim = new Sim();
    const tracer = new Tracer();
    let seen = 0;
    tracer.subscribe(() => seen++); // events only
    const filter = new PacketFilter('client', 'output', [rule({})], sim, tracer);
    filter.passes(pkt('S'));
    expect(seen).toBe(0);
    expect(filter.dropped).toBe(1);
  });
});

describe('filter wrappers', () => {
  it('an output filter sits on the port the stack sends through', () => {
    const sim = new Sim();
    const tracer = new Tracer();
    const sent: string[] = [];
    const host = { name: 'client', address: CLIENT, sim, tracer, send: (p: Packet) => sent.push(`${p.tcp!.flags}`) };
    const port = new FilteredPort(
      host,
      new PacketFilter('client', 'output', [rule({ flags: parseFlags('S')!, nth: 1 })], sim, tracer),
    );
    expect([port.name, port.address, port.sim, port.tracer]).toEqual(['client', CLIENT, sim, tracer]);
    port.send(pkt('S'));
    port.send(pkt('S'));
    expect(sent).toEqual([String(parseFlags('S'))]);
  });

  it('an input filter sits between the host and its transport', () => {
    const sim = new Sim();
    const got: number[] = [];
    const delivery = new FilteredDelivery(
      { receive: (p) => got.push(p.tcp!.seq) },
      new PacketFilter('server', 'input', [rule({ chain: 'input', nth: 2 })], sim, new Tracer()),
    );
    for (const seq of [1, 2, 3]) delivery.receive(pkt('.', 0, seq));
    expect(got).toEqual([1, 3]);
  });
});
