/**
 * The bounded wire-decoder fuzz in the suite (issue 13): 30 000 hostile byte strings into
 * decode(). `npm run fuzz -- --decoder N --seed S` runs the same generator for as long as wanted.
 */
import { expect, it } from 'vitest';
import { fuzzDecoder } from './decoder-fuzz.ts';

it('30 000 hostile byte strings: decode never throws, and what it accepts reads back the same', () => {
  const r = fuzzDecoder({ inputs: 30_000, seed: 1 });
  expect(r.crashes.slice(0, 3)).toEqual([]);
  expect(r.violations.slice(0, 3)).toEqual([]);
  expect(r.inputs).toBe(30_000);
  // the generator reaches both outcomes, not just the first length check
  expect(r.accepted).toBeGreaterThan(1000);
  expect(r.rejected).toBeGreaterThan(1000);
}, 60_000);
