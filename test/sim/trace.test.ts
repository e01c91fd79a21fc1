/** The trace stream: who gets which records, and the flags emitters check. */
import { describe, expect, it } from 'vitest';
import { Tracer, type TraceRecord } from '../../src/sim/trace.ts';

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
    const tx: TraceRecord = { t: 1, node: 'a', ev: 'tx' };
    const st: TraceRecord = { t: 2, node: 'a', ev: 'state', from: 'LISTEN', to: 'SYN_RCVD' };
    t.emitPacket(tx);
    t.emit(st);
    expect(all).toEqual([tx, st]);
    expect(statesOnly).toEqual([st]);
  });
});
