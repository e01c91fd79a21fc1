/**
 * canonicalSha256 hashes a value's canonical JSON piece by piece: every digest must equal the
 * sha256 of canonicalJson's whole text, or stored runs and shard manifests would stop matching.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { canonicalSha256 } from '../../src/experiment/canonical-hash.ts';
import { canonicalJson } from '../../src/experiment/csv.ts';

const whole = (v: unknown): string => createHash('sha256').update(canonicalJson(v)).digest('hex');

it.each([
  ['a number', 42],
  ['a string with non-ASCII text', 'réseau ☃ 𝄞'],
  ['null', null],
  ['nested objects with keys in any order', { b: 1, a: { d: [2, { f: 1, e: 0 }], c: 'x' } }],
  [
    'undefined, functions and symbols: dropped in objects, null in arrays',
    { a: undefined, b: () => 1, c: [undefined, Symbol('s'), 1] },
  ],
  [
    'array-index keys, which objects enumerate first in numeric order',
    { b: 1, '10': 2, '2': 3, a: 4, '007': 5, '4294967295': 6 },
  ],
  ['NaN and infinities', [NaN, Infinity, -0]],
  ['a typed array', { t: new Uint8Array([3, 1, 2]) }],
  ['an empty object and array', { a: {}, b: [] }],
])('%s hashes as its canonical JSON text does', (_what, value) => {
  expect(canonicalSha256(value)).toBe(whole(value));
});

it('hashes a value far larger than one piece (a 10 000-member group) as the whole text does', () => {
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ name: `client-${i}`, kind: 'host', addr: i + 1 }));
  const spec = { topology: { nodes, links: nodes.map((n) => ({ between: [n.name, 'r1'], latency: 5e6 })) } };
  expect(canonicalJson(spec).length).toBeGreaterThan(100_000);
  expect(canonicalSha256(spec)).toBe(whole(spec));
  // and a change deep inside changes the digest
  nodes[9_999]!.addr = 0;
  expect(canonicalSha256(spec)).toBe(whole(spec));
  expect(canonicalSha256(spec)).not.toBe(canonicalSha256({ ...spec, extra: 1 }));
});
