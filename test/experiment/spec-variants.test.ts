/** Named-variant sweep axes: expansion and order, points, sub-tree values, validation by path. */
import { describe, expect, it } from 'vitest';
import { SEC } from '../../src/sim/time.ts';
import { SYN } from '../../src/wire/segment.ts';
import { axisValues } from '../../src/experiment/sweep-spec.ts';
import { load, problems, SMALL } from './spec-helpers.ts';

const FLOOD = `${SMALL}
apps:
  web: { kind: server, on: server }
  flood: { kind: synflood, on: client1, target: server:80, rate: 10/s }
`;

const DEFENCE = `${FLOOD}
sweep:
  defence:
    none:    { tcp.synCookies: false }
    cookies: { tcp.synCookies: true }
    recycle: { tcp.synCookies: false, tcp.recycleOldest: true }
  apps.flood.rate: [0/s, 1000/s]
`;

describe('named-variant sweep axes', () => {
  it('gives each run the variant name as its point value, axes in file order, variants in file order', () => {
    const { runs } = load(DEFENCE);
    expect(runs.map((r) => [r.id, r.point])).toEqual([
      ['p0-s1', { defence: 'none', 'apps.flood.rate': '0/s' }],
      ['p1-s1', { defence: 'none', 'apps.flood.rate': '1000/s' }],
      ['p2-s1', { defence: 'cookies', 'apps.flood.rate': '0/s' }],
      ['p3-s1', { defence: 'cookies', 'apps.flood.rate': '1000/s' }],
      ['p4-s1', { defence: 'recycle', 'apps.flood.rate': '0/s' }],
      ['p5-s1', { defence: 'recycle', 'apps.flood.rate': '1000/s' }],
    ]);
  });

  it('applies every override of the chosen variant, validated like the file', () => {
    const { runs } = load(DEFENCE);
    const tcp = runs.map((r) => [
      r.spec.tcp.synCookies,
      r.spec.tcp.recycleOldest ?? false,
      (r.spec.apps['flood'] as { rate: number }).rate,
    ]);
    expect(tcp).toEqual([
      [false, false, 0],
      [false, false, 1000],
      [true, false, 0],
      [true, false, 1000],
      [false, true, 0],
      [false, true, 1000],
    ]);
  });

  it('keeps the axes as written in the spec; axisValues lists the variant names', () => {
    const { spec } = load(DEFENCE);
    expect(spec.sweep['defence']).toEqual({
      none: { 'tcp.synCookies': false },
      cookies: { 'tcp.synCookies': true },
      recycle: { 'tcp.synCookies': false, 'tcp.recycleOldest': true },
    });
    expect(axisValues(spec.sweep)).toEqual({
      defence: ['none', 'cookies', 'recycle'],
      'apps.flood.rate': ['0/s', '1000/s'],
    });
  });

  it('orders the named axis after a path axis written before it', () => {
    const { runs } = load(`${FLOOD}
sweep:
  apps.flood.rate: [0/s, 1000/s]
  defence: { b: { tcp.synCookies: true }, a: { tcp.synCookies: false } }
`);
    expect(runs.map((r) => `${r.point['apps.flood.rate']} ${r.point['defence']}`)).toEqual([
      '0/s b',
      '0/s a',
      '1000/s b',
      '1000/s a',
    ]);
  });

  it('lets a variant set whole sub-trees: an app, its steps, fault rules; an empty variant is the base', () => {
    const { runs } = load(`${SMALL}
apps:
  b: { kind: script, on: server, steps: [{at: 0s, listen: 80}, {at: 0s, accept: true}] }
sweep:
  scenario:
    plain: {}
    blank:
    lost-syn:
      faults: [{ node: client1, flags: S, nth: 1 }]
      apps.a: { kind: script, on: client1, steps: [{at: 0s, connect: "server:80"}, {at: 2s, close: true}] }
    late:
      apps.b.steps: [{at: 1s, listen: 80}, {at: 1s, accept: true}]
`);
    expect(runs.map((r) => r.point['scenario'])).toEqual(['plain', 'blank', 'lost-syn', 'late']);
    expect(runs[0]!.spec.faults).toEqual([]);
    expect(runs[1]!.spec).toEqual({ ...runs[0]!.spec });
    const lost = runs[2]!.spec;
    expect(lost.faults).toEqual([{ node: 'client1', chain: 'output', flags: SYN, nth: 1, from: 0 }]);
    expect(lost.apps['a']).toMatchObject({
      kind: 'script',
      steps: [
        { at: 0, op: 'connect', target: { node: 'server', port: 80 } },
        { at: 2 * SEC, op: 'close' },
      ],
    });
    expect(runs[3]!.spec.apps['b']).toMatchObject({
      steps: [
        { at: 1 * SEC, op: 'listen', port: 80 },
        { at: 1 * SEC, op: 'accept' },
      ],
    });
  });

  it('reports bad values at the variant and path that set them', () => {
    expect(
      problems(`${FLOOD}
sweep:
  defence:
    none: { tcp.synCookies: false }
    cookies: { tcp.synCookies: maybe, apps.flood.rate: fast }
    big: { tcp.backlog: -1 }
`),
    ).toEqual([
      'experiments/t.yaml: sweep.defence.cookies["tcp.synCookies"]: expected one of false, true, always, got "maybe"',
      'experiments/t.yaml: sweep.defence.cookies["apps.flood.rate"]: expected a rate like "1000/s", got "fast"',
      'experiments/t.yaml: sweep.defence.big["tcp.backlog"]: expected a whole number from 0 to 2147483647, got -1',
    ]);
  });

  it('reports problems deep inside a sub-tree value below the variant path', () => {
    expect(
      problems(`${SMALL}
sweep:
  scenario:
    a:
      apps.x: { kind: script, on: client1, steps: [{at: 0s, connect: "nowhere:80"}] }
      faults: [{ node: client1, flags: Q }]
`),
    ).toEqual([
      'experiments/t.yaml: sweep.scenario.a["apps.x"].steps[0].connect: unknown node or group "nowhere"',
      'experiments/t.yaml: sweep.scenario.a.faults[0].flags: expected packetdrill flag letters like "S", "S.", ".", "P.", "F." or "R" (letters F S R P U E W and "." for ACK), got "Q"; leave flags out to match any',
    ]);
  });

  it('checks variant paths like --set paths, all at once', () => {
    expect(
      problems(`${FLOOD}
sweep:
  defence:
    none: { tcp.synCookie: false }
    cookies: { apps.flod.rate: 1/s, seed: 3, tcp.synCookies: true }
`),
    ).toEqual([
      'experiments/t.yaml: sweep.defence.none["tcp.synCookie"]: no such parameter: tcp has no parameter "synCookie" (did you mean "synCookies"?)',
      'experiments/t.yaml: sweep.defence.cookies["apps.flod.rate"]: no such parameter: apps has no "flod" (did you mean "flood"?)',
      'experiments/t.yaml: sweep.defence.cookies.seed: cannot sweep "seed": replicates come from seed and seeds',
    ]);
  });

  it('refuses bad axis names, bad variant names, empty axes and variants that are not maps', () => {
    expect(
      problems(`${FLOOD}
sweep:
  tcp: { a: { tcp.backlog: 1 } }
  tcp.backlog: { a: 1 }
  empty: {}
  names: { 1k: { tcp.backlog: 1 }, "with space": {}, ok: 5 }
`),
    ).toEqual([
      'experiments/t.yaml: sweep.tcp: "tcp" is a section of the experiment: to sweep its parameters list their values by path (tcp.<name>: [a, b]), or give the named axis another name',
      'experiments/t.yaml: sweep["tcp.backlog"]: a named axis needs a one-word name (letters, digits, "_" or "-", starting with a letter) (to sweep the parameter tcp.backlog, list its values: [a, b])',
      'experiments/t.yaml: sweep.empty: a named axis needs at least one variant, like none: { tcp.synCookies: false }',
      'experiments/t.yaml: sweep.names["1k"]: a variant name is a word of letters, digits, "_" or "-", starting with a letter',
      'experiments/t.yaml: sweep.names["with space"]: a variant name is a word of letters, digits, "_" or "-", starting with a letter',
      'experiments/t.yaml: sweep.names.ok: expected a map of keys, got 5',
    ]);
  });

  it('refuses axes that would silently undo an earlier one, and overlaps inside a variant', () => {
    expect(
      problems(`${FLOOD}
sweep:
  tcp.synCookies: [false, true]
  defence:
    a: { tcp.synCookies: true }
    b: { apps.flood: { kind: synflood, on: client1, target: server:80 }, apps.flood.rate: 5/s }
  apps.flood.rate: [1/s]
`),
    ).toEqual([
      'experiments/t.yaml: sweep.defence.b["apps.flood.rate"]: overlaps "apps.flood" in the same variant: set one or the other',
      'experiments/t.yaml: sweep.defence.a["tcp.synCookies"]: sets tcp.synCookies, which the earlier sweep axis "tcp.synCookies" sets: one axis per parameter',
    ]);
    expect(
      problems(`${FLOOD}
sweep:
  apps.flood.rate: [1/s, 2/s]
  defence: { a: { apps.flood: { kind: synflood, on: client1, target: server:80 } } }
`),
    ).toEqual([
      'experiments/t.yaml: sweep.defence.a["apps.flood"]: replaces apps.flood.rate, which the earlier sweep axis "apps.flood.rate" sets: put this axis first, so the other refines what it sets',
    ]);
  });

  it('lets a later path axis refine what an earlier variant set', () => {
    const { runs } = load(`${FLOOD}
sweep:
  defence: { a: { apps.flood: { kind: synflood, on: client1, target: server:80, rate: 7/s } } }
  apps.flood.rate: [1/s, 2/s]
`);
    expect(runs.map((r) => (r.spec.apps['flood'] as { rate: number }).rate)).toEqual([1, 2]);
  });

  it('checks a chart point against the axes and their values', () => {
    expect(
      problems(`${DEFENCE}
charts:
  - { kind: ladder, point: { defence: cookie } }
  - { kind: states, point: { defense: none, apps.flood.rate: 5/s } }
  - { kind: ladder, point: cookies }
`),
    ).toEqual([
      'experiments/t.yaml: charts[0].point.defence: "cookie" is not a value of sweep axis "defence" (did you mean "cookies"?) (values: none, cookies, recycle)',
      'experiments/t.yaml: charts[1].point.defense: "defense" is not a sweep axis (did you mean "defence"?) (axes: defence, apps.flood.rate)',
      'experiments/t.yaml: charts[1].point["apps.flood.rate"]: "5/s" is not a value of sweep axis "apps.flood.rate" (values: 0/s, 1000/s)',
      'experiments/t.yaml: charts[2].point: expected a map of keys, got "cookies"',
    ]);
    const { spec } = load(
      `${DEFENCE}\ncharts: [{ kind: ladder, point: { defence: cookies, apps.flood.rate: 1000/s }, title: x }]\n`,
    );
    expect(spec.charts[0]).toEqual({
      kind: 'ladder',
      point: { defence: 'cookies', 'apps.flood.rate': '1000/s' },
      title: 'x',
    });
  });

  it('a sweep chart may put a named axis on x', () => {
    const { spec } = load(
      `${DEFENCE}\ncharts: [{ kind: sweep, x: defence, y: connections.success_ratio, series: apps.flood.rate }]\n`,
    );
    expect(spec.charts).toHaveLength(1);
  });
});
