/**
 * Robustness: random and mutated segments, timer runs and user calls against connections in
 * every state. Nothing may throw, and the TCB invariants hold after every step: SND.UNA ≤
 * SND.NXT ≤ SND.MAX, buffers within their sizes, a deadline in the future (or none), states
 * reported as a connected chain, and a closed connection that keeps no timer. The model lives in
 * engine-fuzz-model.ts, shared with the bounded fuzz (test/fuzz) and `npm run fuzz`.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { STATE_NAMES } from '../../src/tcp/api.ts';
import { RST } from '../../src/wire/segment.ts';
import { PEER_ISS } from './harness.ts';
import { build, FIXTURES, fixtureState, NEAR_WRAP, op, runCase, segSpec } from './engine-fuzz-model.ts';

describe('random and mutated input in every state', () => {
  test('every fixture is in the state it is named after, and every state has one', () => {
    for (const [name, make] of Object.entries(FIXTURES)) {
      expect(STATE_NAMES[make('linux').c.state], name).toBe(fixtureState(name));
      expect(STATE_NAMES[make('rfc9293', NEAR_WRAP).c.state], name).toBe(fixtureState(name));
    }
    const covered = new Set(Object.keys(FIXTURES).map(fixtureState));
    expect(STATE_NAMES.filter((n) => !covered.has(n))).toEqual(['LISTEN']); // listener-property.test.ts
  });

  for (const [name, make] of Object.entries(FIXTURES)) {
    for (const [profile, isn, runs] of [
      ['linux', {}, 150],
      ['rfc9293', {}, 150],
      ['linux', NEAR_WRAP, 60],
    ] as const) {
      test(`${name} (${profile}${isn === NEAR_WRAP ? ', ISNs near 2^32' : ''})`, () => {
        fc.assert(
          fc.property(fc.array(op, { minLength: 1, maxLength: 40, size: 'max' }), (ops) => {
            runCase(make, profile, isn, ops);
          }),
          { numRuns: runs, seed: 42 },
        );
      });
    }
  }

  test('a RST is never answered with a RST, whatever the state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FIXTURES)), segSpec, (name, spec) => {
        const t = FIXTURES[name]!('linux');
        t.rec.take();
        t.c.onSegment(build(t.c, { ...spec, flags: spec.flags | RST }), t.now);
        return t.rec.take().every((s) => (s.seg.flags & RST) === 0);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  test('the peer ISS fixture constant stays what the harness uses', () => {
    expect(PEER_ISS).toBeGreaterThan(0);
  });
});
