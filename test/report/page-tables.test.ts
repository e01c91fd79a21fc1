/** The report page's Parameters table: topologies as written, from a file, or generated. */
import { describe, expect, it } from 'vitest';
import { parameterRows } from '../../src/report/page-tables.ts';

const rowsOf = (topology: unknown): [string, string][] =>
  parameterRows({ name: 'x', topology }, 1, [1]).filter(([k]) => k === 'Topology' || k === '  link');

describe('Parameters table: Topology', () => {
  it('shows a generated topology as its generator, its parameters and what it expands to', () => {
    expect(rowsOf({ generator: 'star', clients: 20, latency: '10ms', bandwidth: '100Mbps' })).toEqual([
      ['Topology', 'star generator (clients: 20, latency: 10ms, bandwidth: 100Mbps): client ×20, r1 (router), server'],
      ['  link', 'client – r1: latency: 10ms, bandwidth: 100Mbps'],
      ['  link', 'r1 – server: latency: 1ms, bandwidth: 1Gbps'],
    ]);
  });

  it('still names the generator when its parameters do not expand', () => {
    expect(rowsOf({ generator: 'star', clients: 'many' })).toEqual([['Topology', 'star generator (clients: many)']]);
  });

  it('shows written nodes and links, and a file name as given', () => {
    expect(
      rowsOf({
        name: 'ab',
        nodes: ['a', { name: 'r', kind: 'router' }, 'b'],
        links: [{ between: ['a', 'r'], latency: '5ms' }],
      }),
    ).toEqual([
      ['Topology', 'ab: a, r (router), b'],
      ['  link', 'a – r: latency: 5ms'],
    ]);
    expect(rowsOf('../topologies/star.yaml')).toEqual([['Topology', '../topologies/star.yaml']]);
  });
});
