import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowTable, portsKey } from '../../src/stack/flow-table.ts';

describe('FlowTable', () => {
  it('finds nothing while empty, then what was set, across addresses above 2^31', () => {
    const t = new FlowTable<string>();
    expect(t.get(0xc0a80001, portsKey(80, 40000))).toBeUndefined();
    expect(t.delete(0xc0a80001, portsKey(80, 40000))).toBe(false);
    t.set(0xc0a80001, portsKey(80, 40000), 'a');
    t.set(0x0a000001, portsKey(80, 40000), 'b');
    t.set(0xc0a80001, portsKey(0xffff, 0xffff), 'c');
    expect([
      t.get(0xc0a80001, portsKey(80, 40000)),
      t.get(0x0a000001, portsKey(80, 40000)),
      t.get(0xc0a80001, portsKey(0xffff, 0xffff)),
    ]).toEqual(['a', 'b', 'c']);
    expect(t.get(0xc0a80001, portsKey(80, 40001))).toBeUndefined();
    expect(t.size).toBe(3);
  });

  it('delete with a value removes only that value (a newer connection on the tuple stays)', () => {
    const t = new FlowTable<object>();
    const old = {},
      fresh = {};
    t.set(1, 2, old);
    t.set(1, 2, fresh);
    expect(t.delete(1, 2, old)).toBe(false);
    expect(t.get(1, 2)).toBe(fresh);
    expect(t.delete(1, 2, fresh)).toBe(true);
    expect(t.get(1, 2)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('a one-entry table (no array yet) replaces, deletes, is refilled, and moves to an array for a second entry', () => {
    const t = new FlowTable<string>();
    const A = [0xc0a80001, portsKey(40000, 80)] as const;
    const B = [0x0a000001, portsKey(40001, 80)] as const;
    const C = [0xc0a80001, portsKey(40000, 81)] as const;
    t.set(...A, 'a');
    t.set(...A, 'a2');
    expect([t.get(...A), t.get(...B), t.get(A[0], B[1]), t.size]).toEqual(['a2', undefined, undefined, 1]);
    expect(t.delete(...A, 'a')).toBe(false); // not the value it holds
    expect(t.delete(...B)).toBe(false);
    expect(t.delete(...A)).toBe(true);
    expect([t.get(...A), t.size]).toEqual([undefined, 0]);
    t.set(...B, 'b'); // the fields again
    t.set(...C, 'c'); // a second entry: both into an array
    t.set(...A, 'a');
    expect([t.get(...A), t.get(...B), t.get(...C), t.size]).toEqual(['a', 'b', 'c', 3]);
    const seen: string[] = [];
    t.forEach((_a, _p, v) => seen.push(v));
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(t.delete(...B)).toBe(true);
    expect(t.delete(...C)).toBe(true);
    expect([t.get(...A), t.get(...B), t.size]).toEqual(['a', undefined, 1]);
    const one = new FlowTable<string>();
    one.set(...C, 'c');
    const visited: [number, number, string][] = [];
    one.forEach((addr, ports, v) => visited.push([addr, ports, v]));
    expect(visited).toEqual([[C[0] | 0, C[1] | 0, 'c']]); // the words as stored (signed 32-bit)
  });

  it('behaves like a Map under random inserts, replacements and deletes (growth and backward shifts)', () => {
    const key = fc.tuple(
      fc.constantFrom(0x0a000001, 0x0a000002, 0xc6120000, 0xffffffff, 0),
      fc.integer({ min: 0, max: 40 }),
    );
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'get'), key, fc.integer());
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new FlowTable<number>();
        const ref = new Map<string, number>();
        for (const [what, [addr, p], v] of ops) {
          const ports = portsKey(p, 1000 + p);
          const k = `${addr}/${ports}`;
          if (what === 'set') {
            t.set(addr, ports, v);
            ref.set(k, v);
          } else if (what === 'delete') expect(t.delete(addr, ports)).toBe(ref.delete(k));
          expect(t.get(addr, ports)).toBe(ref.get(k));
          expect(t.size).toBe(ref.size);
        }
        for (const [k, v] of ref) {
          const [addr, ports] = k.split('/').map(Number) as [number, number];
          expect(t.get(addr, ports)).toBe(v);
        }
      }),
    );
  });
});
