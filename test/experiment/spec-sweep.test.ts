/** --set overrides and sweep expansion: counts, order, ids, seeds, frozen run specs. */
import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { loadExperiment } from '../../src/experiment/load.ts';
import { applyOverride, parseOverrides } from '../../src/experiment/overrides.ts';
import { checkParamPath, parsePath } from '../../src/experiment/param-paths.ts';
import { sweepPoints } from '../../src/experiment/sweep.ts';
import { load, problems, SMALL } from './spec-helpers.ts';

const FLOOD = `${SMALL}
seed: 10
seeds: 2
apps:
  web: { kind: server, on: server }
  flood: { kind: synflood, on: client1, target: server:80, rate: 10/s }
`;

describe('--set', () => {
  it('overrides values before validation, creating tcp: and nodes: maps the file left out', () => {
    const { spec } = load(FLOOD, {
      set: [
        'tcp.backlog=1024',
        'apps.flood.rate=500/s',
        'topology.links.0.latency=50ms',
        'nodes.server.tcp.synCookies=always',
        'duration=2min',
      ],
    });
    expect(spec.tcp).toEqual({ profile: 'linux', backlog: 1024 });
    expect(spec.apps['flood']).toMatchObject({ rate: 500, stop: 120 * SEC });
    expect(spec.topology.links.filter((l) => l.a.startsWith('client')).map((l) => l.latency)).toEqual([
      50 * MS,
      50 * MS,
    ]);
    expect(spec.nodes).toEqual({ server: { tcp: { synCookies: 'always' } } });
    expect(spec.duration).toBe(120 * SEC);
  });

  it('parses values as YAML scalars: numbers, booleans, strings', () => {
    const { overrides } = parseOverrides(
      ['a.b=1024', 'c=true', 'd=500/s', 'e=server:80', 'f=[1, 2]', 'g=x=y'],
      'f.yaml',
    );
    expect(overrides.map((o) => o.value)).toEqual([1024, true, '500/s', 'server:80', [1, 2], 'x=y']);
    expect(overrides[0]!.segments).toEqual(['a', 'b']);
  });

  it('applies overrides in order; the last one wins', () => {
    const { spec } = load(FLOOD, { set: ['tcp.backlog=10', 'tcp.backlog=20'] });
    expect(spec.tcp.backlog).toBe(20);
  });

  it('an empty value removes the key, restoring its default', () => {
    const { spec } = load(FLOOD, { set: ['apps.flood.rate='] });
    expect(spec.apps['flood']).toMatchObject({ rate: 1000 });
  });

  it('leaves the loaded document untouched (immer) and freezes the result', () => {
    const doc = { tcp: { backlog: 1 }, apps: { a: { rate: '1/s' } } };
    const next = applyOverride(doc, ['tcp', 'backlog'], 2) as typeof doc;
    expect(doc.tcp.backlog).toBe(1);
    expect(next.tcp.backlog).toBe(2);
    expect(next.apps).toBe(doc.apps); // structural sharing
    expect(Object.isFrozen(next.tcp)).toBe(true);
  });

  it('replaces the topology by another file, relative to the experiment', () => {
    const r = loadExperiment('experiments/handshake.yaml', {
      set: ['topology=../topologies/line.yaml', 'sweep=', 'charts='],
    });
    expect(r.ok && r.value.spec.topology.name).toBe('line');
  });

  it("sets a sweep axis by its path after sweep., a named axis's variant and a variant's override", () => {
    const named = `${FLOOD}sweep:\n  apps.flood.rate: [10/s]\n  defence:\n    none: {}\n    cookies: { tcp.synCookies: true }\n`;
    const { spec } = load(named, {
      set: [
        'sweep.apps.flood.rate=[1/s, 2/s]',
        'sweep.topology.links.0.latency=[5ms, 9ms]',
        'sweep.defence.cookies.tcp.synCookies=always',
      ],
    });
    expect(spec.sweep).toEqual({
      'apps.flood.rate': ['1/s', '2/s'],
      defence: { none: {}, cookies: { 'tcp.synCookies': 'always' } },
      'topology.links.0.latency': ['5ms', '9ms'],
    });
  });

  it('--seed and --seeds override the file', () => {
    const { runs } = load(FLOOD, { seed: 100, seeds: 3 });
    expect(runs.map((r) => r.id)).toEqual(['p0-s100', 'p0-s101', 'p0-s102']);
  });

  it('reports bad paths by the override that named them', () => {
    expect(
      problems(FLOOD, {
        set: [
          'apps.flod.rate=1/s',
          'topology.links.5.latency=1ms',
          'topology.links.x=1',
          'duration.s=1',
          'tcp.timewait=1s',
        ],
      }),
    ).toEqual([
      'experiments/t.yaml: --set apps.flod.rate=1/s: no such parameter: apps has no "flod" (did you mean "flood"?)',
      'experiments/t.yaml: --set topology.links.5.latency=1ms: no such parameter: topology.links has 2 entries (0…1), so no entry 5',
      'experiments/t.yaml: --set topology.links.x=1: no such parameter: topology.links is a list; pick an entry by number (0…1)',
      'experiments/t.yaml: --set duration.s=1: no such parameter: duration is a single value, so it has no "s"',
      'experiments/t.yaml: --set tcp.timewait=1s: no such parameter: tcp has no parameter "timewait" (did you mean "timeWait"?)',
    ]);
  });

  it('checks paths against the schema of each place', () => {
    const doc = { topology: { nodes: [], links: [{ between: ['a', 'b'] }] }, apps: { w: { kind: 'server' } } };
    expect(checkParamPath(doc, parsePath('topology.links.0.burstLoss.pGoodToBad')!)).toBeUndefined();
    expect(checkParamPath(doc, parsePath('apps.w.port')!)).toBeUndefined();
    expect(checkParamPath(doc, parsePath('apps.w.rate')!)).toBe('apps.w has no parameter "rate"');
    expect(checkParamPath(doc, parsePath('nodes.server.tcp.backlog')!)).toBeUndefined();
    expect(checkParamPath(doc, parsePath('nodes.server.udp')!)).toBe('nodes.server has no parameter "udp"');
    expect(parsePath('a..b')).toBeUndefined();
  });
});

describe('sweep expansion', () => {
  const SWEPT = `${FLOOD}
sweep:
  apps.flood.rate: [0/s, 100/s, 1000/s]
  tcp.synCookies: [false, true]
`;

  it('makes points × seeds runs, first axis slowest, seeds innermost, ids p<point>-s<seed>', () => {
    const { runs } = load(SWEPT);
    expect(runs).toHaveLength(3 * 2 * 2);
    expect(runs.map((r) => r.id)).toEqual([
      'p0-s10',
      'p0-s11',
      'p1-s10',
      'p1-s11',
      'p2-s10',
      'p2-s11',
      'p3-s10',
      'p3-s11',
      'p4-s10',
      'p4-s11',
      'p5-s10',
      'p5-s11',
    ]);
    expect(runs.map((r) => r.point)).toEqual(
      [
        { 'apps.flood.rate': '0/s', 'tcp.synCookies': false },
        { 'apps.flood.rate': '0/s', 'tcp.synCookies': true },
        { 'apps.flood.rate': '100/s', 'tcp.synCookies': false },
        { 'apps.flood.rate': '100/s', 'tcp.synCookies': true },
        { 'apps.flood.rate': '1000/s', 'tcp.synCookies': false },
        { 'apps.flood.rate': '1000/s', 'tcp.synCookies': true },
      ].flatMap((p) => [p, p]),
    );
  });

  it("applies each point's values to its spec, validated, with the run's seed", () => {
    const { runs } = load(SWEPT);
    const r = runs.find((x) => x.id === 'p3-s11')!;
    expect(r.pointIndex).toBe(3);
    expect(r.seed).toBe(11);
    expect(r.spec.seed).toBe(11);
    expect((r.spec.apps['flood'] as { rate: number }).rate).toBe(100);
    expect(r.spec.tcp.synCookies).toBe(true);
    expect(r.spec.sweep).toEqual({ 'apps.flood.rate': ['0/s', '100/s', '1000/s'], 'tcp.synCookies': [false, true] });
  });

  it('is stable: loading twice gives equal runs', () => {
    expect(load(SWEPT).runs).toEqual(load(SWEPT).runs);
  });

  it('freezes every run spec deeply', () => {
    const { runs } = load(SWEPT);
    const r = runs[0]!;
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.point)).toBe(true);
    expect(Object.isFrozen(r.spec.apps['flood'])).toBe(true);
    expect(Object.isFrozen(r.spec.topology.links[0])).toBe(true);
    expect(() => {
      (r.spec as { duration: number }).duration = 1;
    }).toThrow(TypeError);
  });

  it('a single run with no sweep has an empty point', () => {
    const { runs } = load(FLOOD);
    expect(runs.map((r) => [r.id, r.point])).toEqual([
      ['p0-s10', {}],
      ['p0-s11', {}],
    ]);
  });

  it('sweeps topology values and --set values combine with the sweep', () => {
    const { runs } = load(`${SWEPT}  topology.links.0.latency: [1ms, 100ms]\n`, { set: ['seeds=1'] });
    expect(runs).toHaveLength(12);
    expect(runs[0]!.spec.topology.links[0]!.latency).toBe(1 * MS);
    expect(runs[1]!.spec.topology.links[0]!.latency).toBe(100 * MS);
    expect(runs[1]!.point['topology.links.0.latency']).toBe('100ms');
  });

  it('computes the cross product in file order', () => {
    expect(sweepPoints({ a: [1, 2], b: ['x', 'y', 'z'] }).map((p) => `${p['a']}${p['b']}`)).toEqual([
      '1x',
      '1y',
      '1z',
      '2x',
      '2y',
      '2z',
    ]);
    expect(sweepPoints({})).toEqual([{}]);
  });

  it('reports bad sweep values by axis and index, and combination problems with their point', () => {
    expect(
      problems(`${FLOOD}
sweep:
  apps.flood.rate: [10/s, often, 10/s]
  duration: [5s, 1s]
  apps.flood.start: [0s, 3s]
`),
    ).toEqual([
      'experiments/t.yaml: sweep["apps.flood.rate"][2]: "10/s" appears twice on this axis',
      'experiments/t.yaml: sweep["apps.flood.start"][1]: starts at 3s, after the experiment ends (duration 1s)',
      'experiments/t.yaml: sweep["apps.flood.rate"][1]: expected a rate like "1000/s", got "often"',
    ]);
  });

  it('refuses empty axes, non-scalar values and unsweepable paths', () => {
    expect(
      problems(`${FLOOD}
sweep:
  apps.flood.rate: []
  tcp.backlog: [{ a: 1 }]
  seed: [1, 2]
  charts: [[]]
`),
    ).toEqual([
      'experiments/t.yaml: sweep["apps.flood.rate"]: a sweep axis needs at least one value',
      'experiments/t.yaml: sweep["tcp.backlog"][0]: a sweep value is a number, a string or true/false, got a map',
      'experiments/t.yaml: sweep.seed: cannot sweep "seed": replicates come from seed and seeds',
      'experiments/t.yaml: sweep.charts: cannot sweep "charts"',
    ]);
  });
});
