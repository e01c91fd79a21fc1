/** The trace stream: who gets which records, and the flags emitters check. */
import { describe, expect, it } from 'vitest';
import type { PacketRecord, TraceRecord } from '../../src/schema/trace.ts';
import { Tracer } from '../../src/sim/trace.ts';

describe('Tracer', () => {
  it('builds nothing until someone subscribes', () => {
    const t = new Tracer();
    expect(t.packets).toBe(false);
    expect(t.events).toBe(false);
  });

  it('sends packet records only to packet subscribers, other records to all', () => {
    const t = new Tracer();
    const all: TraceRecord[] = [];
    const statesOnly: TraceRecord[] = [];
    t.subscribe((r) => statesOnly.push(r));
    expect(t.packets).toBe(false);
    expect(t.events).toBe(true);
    t.subscribe((r) => all.push(r), { packets: true });
    expect(t.packets).toBe(true);
    const tx: PacketRecord = { t: 1, node: 'a', ev: 'tx', proto: 17, len: 0, src: '10.0.0.1', dst: '10.0.0.2' };
    const st: TraceRecord = {
      t: 2,
      node: 'a',
      ev: 'state',
      conn: '10.0.0.1:80>10.0.0.2:40000',
      from: 'LISTEN',
      to: 'SYN_RCVD',
    };
    t.emitPacket(tx);
    t.emit(st);
    expect(all).toEqual([tx, st]);
    expect(statesOnly).toEqual([st]);
  });
});
