/** `--set` on a path a sweep axis also sets: an error naming both, unless the axis is set too. */
import { describe, expect, it } from 'vitest';
import { parameterRows } from '../../src/report/page-tables.ts';
import { load, problems, SMALL } from './spec-helpers.ts';

const SWEPT = `${SMALL}
apps:
  web: { kind: server, on: server }
  flood: { kind: synflood, on: client1, target: server:80, rate: 10/s }
sweep:
  apps.flood.rate: [100/s, 1000/s]
  defence:
    none: {}
    cookies: { tcp.synCookies: true }
`;

describe('--set on a swept path', () => {
  it('is an error naming the --set and the path axis', () => {
    expect(problems(SWEPT, { set: ['apps.flood.rate=500/s'] })).toEqual([
      `experiments/t.yaml: --set apps.flood.rate=500/s: apps.flood.rate is also set by sweep axis "apps.flood.rate", which would override it in every run; set the axis instead: --set 'sweep.apps.flood.rate=[500/s]'`,
    ]);
  });

  it('is an error naming the named axis and its variant', () => {
    expect(problems(SWEPT, { set: ['tcp.synCookies=always'] })).toEqual([
      `experiments/t.yaml: --set tcp.synCookies=always: tcp.synCookies is also set by sweep axis "defence" (its variant "cookies" sets tcp.synCookies), which would override it in the runs of that variant; drop the --set, or set the axis too (e.g. --set 'sweep.defence.cookies.tcp.synCookies=…')`,
    ]);
  });

  it('counts a whole-map --set that holds a swept path (apps.flood=…) as a conflict too', () => {
    expect(
      problems(SWEPT, { set: ['apps.flood={kind: synflood, on: client1, target: server:80, rate: 5/s}'] })[0],
    ).toMatch(/--set apps\.flood=.*also set by sweep axis "apps.flood.rate"/);
  });

  it('is allowed when the axis itself is set on the same command line, and the runs use the axis values', () => {
    const r = load(SWEPT, { set: ['apps.flood.rate=500/s', 'sweep.apps.flood.rate=[500/s]'] });
    expect(
      r.runs.map((run) => run.spec.apps['flood']).every((a) => a !== undefined && 'rate' in a && a.rate === 500),
    ).toBe(true);
  });

  it('leaves unswept paths alone', () => {
    expect(load(SWEPT, { set: ['tcp.backlog=64'] }).runs.every((run) => run.spec.tcp.backlog === 64)).toBe(true);
  });

  it('the report says swept where no run uses the file value', () => {
    const { raw } = load(SWEPT);
    const rows = new Map(parameterRows(raw, 4, [1]));
    expect(rows.get('App flood')).toBe('synflood on client1; target: server:80, rate: swept');
  });
});
