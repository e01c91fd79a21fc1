/** Validation problems beyond the CLI fixtures, through the library: each one's file, path and words. */
import { describe, expect, it } from 'vitest';
import { closest, formatPath, formatSpecError } from '../../src/experiment/errors.ts';
import { loadExperimentText, parseYaml, validateFile } from '../../src/experiment/load.ts';
import { load, problems, SMALL } from './spec-helpers.ts';

const F = 'experiments/t.yaml';

describe('topology problems', () => {
  it('duplicate links, a link to itself and bad addresses', () => {
    expect(
      problems(`
topology:
  nodes:
    - { name: a, address: 10.0.0.1 }
    - { name: b, address: 10.0.0.1 }
    - { name: c, address: 10.0.0.300 }
  links:
    - { between: [a, b] }
    - { between: [b, a] }
    - { between: [c, c] }
    - { between: [a] }
duration: 1s
`),
    ).toEqual([
      `${F}: topology.nodes[1].address: address 10.0.0.1 of b is already used by a`,
      `${F}: topology.nodes[2].address: expected an IPv4 address like "10.0.0.5", got "10.0.0.300"`,
      `${F}: topology.links[1].between: b and a are already linked by links[0]`,
      `${F}: topology.links[2].between: a link needs two different ends, got c twice`,
      `${F}: topology.links[3].between: expected the two ends of the link, like [client, r1], got a list`,
    ]);
  });

  it('burst loss needs its two transition probabilities', () => {
    expect(
      problems(`
topology:
  nodes: [a, b]
  links: [{ between: [a, b], burstLoss: { lossBad: 2 } }]
duration: 1s
`),
    ).toEqual([
      `${F}: topology.links[0].burstLoss.pGoodToBad: missing (probability of entering the bad state per packet)`,
      `${F}: topology.links[0].burstLoss.pBadToGood: missing (probability of leaving the bad state per packet)`,
      `${F}: topology.links[0].burstLoss.lossBad: expected a probability from 0 to 1 (or a percentage like "0.1%"), got 2`,
    ]);
  });

  it('a topology without nodes, or not a map', () => {
    expect(problems('topology: { links: [] }\nduration: 1s\n')).toEqual([
      `${F}: topology.nodes: missing (a list of nodes)`,
    ]);
    expect(problems('topology: [a, b]\nduration: 1s\n')).toEqual([
      `${F}: topology: expected a map of keys, got a list`,
    ]);
  });
});

describe('app problems', () => {
  it('a target on the app itself, a router target, a bad spoof range, a bad id', () => {
    expect(
      problems(`${SMALL}
apps:
  self: { kind: client, on: client, target: client2:80 }
  torouter: { kind: bulk, on: client1, target: r1:80 }
  flood: { kind: synflood, on: client1, target: server, spoof: 198.18.0.0/33 }
  bad.id: { kind: server, on: server }
`),
    ).toEqual([
      `${F}: apps.self.target: client2 is the app's own node (on: client); target another host`,
      `${F}: apps.torouter.target: r1 is a router; target a host`,
      `${F}: apps.flood.spoof: expected an IPv4 range like "198.18.0.0/15", got "198.18.0.0/33"`,
      `${F}: apps["bad.id"]: an app id is a name of letters, digits, "_" or "-" (it is used in paths like apps.<id>.rate)`,
    ]);
  });

  it('two servers on one node and port would not both bind', () => {
    expect(
      problems(`${SMALL}
apps:
  a: { kind: server, on: server }
  b: { kind: server, on: server, port: 80 }
  c: { kind: server, on: server, port: 81 }
`),
    ).toEqual([`${F}: apps.b.port: server already has server "a" on port 80`]);
  });

  it('keys of another app kind are unknown here', () => {
    expect(
      problems(`${SMALL}
apps:
  web: { kind: server, on: server, rate: 10/s }
`),
    ).toEqual([`${F}: apps.web.rate: unknown key`]);
  });
});

describe('tcp problems', () => {
  it('cross-field rules on the merged parameters, globally and per node', () => {
    expect(
      problems(`${SMALL}
tcp: { minRto: 2s, maxRto: 1s }
nodes:
  server: { tcp: { ephemeralLow: 60000, ephemeralHigh: 50000 } }
`),
    ).toEqual([
      `${F}: tcp.minRto: minRto (2s) is above maxRto (1s)`,
      `${F}: nodes.server.tcp.minRto: minRto (2s) is above maxRto (1s)`,
      `${F}: nodes.server.tcp.ephemeralLow: ephemeralLow (60000) is above ephemeralHigh (50000)`,
    ]);
  });

  it('unknown parameters get a suggestion; nodes: must name nodes or groups', () => {
    expect(
      problems(`${SMALL}
tcp: { synRetry: 3, backlog: many }
nodes:
  clients: { tcp: { backlog: 1 } }
  server: { udp: {} }
`),
    ).toEqual([
      `${F}: tcp.synRetry: unknown key (did you mean "synRetries"?)`,
      `${F}: tcp.backlog: expected a whole number from 0 to 2147483647, got "many"`,
      `${F}: nodes.clients: unknown node or group "clients" (did you mean "client"?)`,
      `${F}: nodes.server.udp: unknown key`,
    ]);
  });
});

describe('request-limit parameters', () => {
  it('maxSynBacklog is a whole number, invalidRateLimit a duration, metricsSave a boolean', () => {
    expect(
      problems(`${SMALL}
tcp: { maxSynBacklog: -1, invalidRateLimit: fast, metricsSave: sometimes }
`),
    ).toEqual([
      `${F}: tcp.maxSynBacklog: expected a whole number from 0 to 2147483647, got -1`,
      expect.stringMatching(/^experiments\/.*: tcp\.invalidRateLimit: .*"fast"/),
      expect.stringMatching(/^experiments\/.*: tcp\.metricsSave: .*"sometimes"/),
    ]);
    expect(
      load(`${SMALL}
tcp: { maxSynBacklog: 256, invalidRateLimit: 100ms, metricsSave: false }
`).spec.tcp,
    ).toMatchObject({ maxSynBacklog: 256, invalidRateLimit: 100_000_000, metricsSave: false });
  });
});

describe('whole-file problems', () => {
  it('an empty file or a list is not an experiment', () => {
    expect(problems('')).toEqual([`${F}: expected a map of keys, got nothing`]);
    expect(problems('- a\n- b\n')).toEqual([`${F}: expected a map of keys, got a list`]);
  });

  it('a YAML syntax error carries line and column', () => {
    const r = parseYaml('name: x\nduration: 10s\napps:\n  web: { kind: server\n', 'x.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ code: 'yaml', file: 'x.yaml', line: 5, col: 1 });
    expect(formatSpecError(r.errors[0]!)).toMatch(/^x\.yaml:5:1: YAML syntax error: /);
  });

  it('a duplicate key names its field path and both lines; merge keys may repeat', () => {
    const text = [
      'name: x', //                                     1
      'base: &b { latency: 1ms }', //                    2
      'apps:', //                                        3
      '  web: { kind: server, on: server }', //          4
      '  app-1:', //                                     5
      '    kind: client', //                             6
      '    <<: *b', //                                   7
      '    <<: *b', //                                   8
      '    kind: server', //                             9
      '  web: { kind: client }', //                      10
      'list: [{ a: 1, a: 2 }]', //                       11
    ].join('\n');
    const r = parseYaml(text, 'x.yaml');
    expect(!r.ok && r.errors.map(formatSpecError)).toEqual([
      'x.yaml:9:5: duplicate key: apps.app-1.kind is already set at line 6',
      'x.yaml:10:3: duplicate key: apps.web is already set at line 4',
      'x.yaml:11:16: duplicate key: list[0].a is already set at line 11',
    ]);
    expect(!r.ok && r.errors[0]).toMatchObject({ code: 'duplicate', path: 'apps.app-1.kind', line: 9, col: 5 });
    expect(parseYaml('a: { <<: [{ x: 1 }], y: 2 }\nb: 1\n', 'x.yaml').ok).toBe(true);
  });
  it('a file that is neither a topology nor an experiment', () => {
    const r = validateFile('x.yaml', { readFile: () => 'colour: blue\n' });
    expect(!r.ok && r.errors.map(formatSpecError)).toEqual([
      'x.yaml: neither a topology (nodes:, links:) nor an experiment (topology:, duration:, apps:)',
    ]);
  });

  it('--set on a topology file applies its topology. paths, checked, and leaves experiment paths alone', () => {
    const topo = 'nodes: [a, b]\nlinks:\n  - { between: [a, b], latency: 10ms }\n';
    const check = (set: string[]) => {
      const r = validateFile('t.yaml', { readFile: () => topo, set });
      return r.ok
        ? r.value.kind === 'topology'
          ? r.value.topology.links[0]!.latency
          : 'not a topology'
        : r.errors.map(formatSpecError);
    };
    expect(check(['topology.links.0.latency=50ms', 'tcp.backlog=5'])).toBe(50_000_000);
    expect(check(['topology.links.0.latency=-1ms'])).toEqual([
      't.yaml: links[0].latency: expected a duration like "10ms", got "-1ms"',
    ]);
    expect(check(['topology.linkz.0=1', 'nonsense'])).toEqual([
      't.yaml: --set nonsense: expected path=value, like tcp.backlog=1024 or apps.flood.rate=500/s',
      't.yaml: --set topology.linkz.0=1: no such parameter: topology has no parameter "linkz" (did you mean "links"?)',
    ]);
  });

  it('an experiment given where a topology file is expected', () => {
    const r = loadExperimentText('topology: other.yaml\nduration: 1s\n', 'lab/e.yaml', {
      readFile: () => 'topology: x.yaml\nduration: 1s\n',
    });
    expect(!r.ok && r.errors.map(formatSpecError)).toContain(
      'lab/e.yaml: topology: lab/other.yaml is an experiment file, not a topology',
    );
  });

  it('a sweep of more than 100000 runs is refused before expanding it', () => {
    const values = Array.from({ length: 400 }, (_, i) => `${i}/s`).join(', ');
    expect(
      problems(`${SMALL}
seeds: 1000
apps: { f: { kind: synflood, on: client1, target: server } }
sweep: { apps.f.rate: [${values}] }
`),
    ).toEqual([`${F}: sweep: 400000 runs (sweep points × seeds); the limit is 100000`]);
  });

  it('reports every problem at once, across sections', () => {
    const lines = problems(`
name: "has spaces"
topology:
  nodes: [a, { name: b, kind: switch }]
  links: [{ between: [a, b], latency: fast }]
duration: -1s
tcp: { profile: bsd }
apps: { w: { kind: server, on: c } }
charts: [{ kind: pie }]
`);
    expect(lines).toHaveLength(7);
    expect(lines.map((l) => l.split(': ')[1])).toEqual([
      'name',
      'duration',
      'topology.nodes[1].kind',
      'topology.links[0].latency',
      'tcp.profile',
      'apps.w.on',
      'charts[0].kind',
    ]);
  });
});

describe('paths and suggestions', () => {
  it('renders list indices in brackets and dotted keys quoted', () => {
    expect(formatPath(['links', 2, 'latency'])).toBe('links[2].latency');
    expect(formatPath(['sweep', 'apps.flood.rate', 0])).toBe('sweep["apps.flood.rate"][0]');
    expect(formatPath([])).toBe('');
  });

  it('suggests only close names', () => {
    expect(closest('latncy', ['latency', 'loss'])).toBe('latency');
    expect(closest('synCookie', ['synCookies', 'synRetries'])).toBe('synCookies');
    expect(closest('banana', ['latency', 'loss'])).toBeUndefined();
    expect(closest('Server', ['server'])).toBe('server');
  });
});
