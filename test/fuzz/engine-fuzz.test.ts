/**
 * The bounded engine fuzz in the suite (issue 13): 20 000 hostile segments into connections in
 * every state, half of the cases with parameters from anywhere in the table's allowed ranges.
 * `npm run fuzz -- --segments N --seed S` runs the same model for as long as wanted.
 */
import { expect, it } from 'vitest';
import { fuzzEngine } from './engine-fuzz.ts';

it('20 000 fuzz segments: no crash, no broken invariant, no stuck case', () => {
  const r = fuzzEngine({ segments: 20_000, seed: 1 });
  expect(r.crashes.slice(0, 3)).toEqual([]);
  expect(r.violations.slice(0, 3)).toEqual([]);
  expect(r.slow).toBe(0);
  expect(r.segments).toBeGreaterThanOrEqual(20_000);
  expect(r.tableCases).toBeGreaterThan(r.cases / 4);
}, 120_000);
