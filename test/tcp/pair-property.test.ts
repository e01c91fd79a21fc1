/**
 * Two engines under random loss, duplication-free reordering and close orders: whatever the
 * network does (short of cutting the path for good), every byte written arrives once and in
 * order, both sides end in TIME-WAIT or CLOSED with no timer left after TIME-WAIT, and neither
 * side ever resets a healthy connection.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ConnEvent, TcpState } from '../../src/tcp/api.ts';
import type { Connection } from '../../src/tcp/connection.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { RST } from '../../src/wire/segment.ts';
import { Pair } from './harness.ts';

interface Scenario {
  profile: 'linux' | 'rfc9293';
  aBytes: number;
  bBytes: number;
  /** Who closes first: a, b, or both at once (simultaneous close). */
  closer: 'a' | 'b' | 'both';
  lossPermille: number;
  jitterMs: number;
  seed: number;
  isn: [number, number];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  profile: fc.constantFrom('linux' as const, 'rfc9293' as const),
  aBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200_000 })),
  bBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 })),
  closer: fc.constantFrom('a' as const, 'b' as const, 'both' as const),
  lossPermille: fc.integer({ min: 0, max: 150 }),
  jitterMs: fc.integer({ min: 0, max: 30 }),
  seed: fc.nat(),
  isn: fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
});

/** A small deterministic generator for per-segment loss and delay. */
function lcg(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('two engines under random loss and reordering', () => {
  test('every byte arrives once and in order; both ends close cleanly', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = tcpParams(s.profile, { timers: 'exact' });
        const pair = new Pair(10 * MS, [p, p], s.isn);
        const rnd = lcg(s.seed);
        // The handshake gets through (SYN give-up is another test); afterwards anything may be lost.
        pair.drop = (seg) => (seg.flags & RST) === 0 && pair.now > 100 * MS && rnd() * 1000 < s.lossPermille;
        pair.jitter = () => Math.floor(rnd() * s.jitterMs) * MS;
        pair.listen();
        const got = [0, 0];
        const left = [s.aBytes, s.bBytes];
        const closed = [false, false];
        const conns: (Connection | null)[] = [null, null];
        const pump = (side: 0 | 1): void => {
          const c = conns[side]!;
          if (left[side]! > 0) left[side]! -= Math.max(0, c.send(left[side]!, pair.now));
          const mine = s.closer === 'both' || (s.closer === 'a') === (side === 0);
          const peerDone = c.eof;
          if (left[side] === 0 && !closed[side] && (mine || peerDone)) {
            closed[side] = true;
            c.shutdown('wr', pair.now);
          }
        };
        const handler =
          (side: 0 | 1) =>
          (what: ConnEvent): void => {
            const c = conns[side];
            if (c == null) return; // not yet connected (or out of range)
            if (what === ConnEvent.READABLE)
              for (let n = c.recv(1 << 20, pair.now); n > 0; n = c.recv(1 << 20, pair.now)) got[side]! += n;
            if (what === ConnEvent.CONNECTED || what === ConnEvent.WRITABLE || what === ConnEvent.READABLE) pump(side);
          };
        pair.rec[0].onNotify = handler(0);
        pair.rec[1].onNotify = handler(1);
        pair.onAccept = (b) => {
          conns[1] = b;
        };
        conns[0] = pair.connect(0);
        pair.run(150 * MS);
        if (conns[1] !== null) pump(1);
        pair.run(3600 * SEC);
        const [a, b] = [conns[0]!, conns[1]!];
        expect(b, 'the handshake completed').not.toBeNull();
        expect(got, 'bytes received by a and b').toEqual([s.bBytes, s.aBytes]);
        expect(pair.rec[0].events.filter((e) => e.startsWith('ERROR'))).toEqual([]);
        expect(pair.rec[1].events.filter((e) => e.startsWith('ERROR'))).toEqual([]);
        for (const c of [a, b]) {
          expect(c.state).toBe(TcpState.CLOSED);
          expect(c.deadline).toBe(Infinity);
        }
      }),
      { numRuns: 200, seed: 2024 },
    );
  });
});
