/** Good specs load to the expected typed values: units in ns / bit/s / bytes, defaults filled in. */
import { describe, expect, it } from 'vitest';
import { MS, SEC, US } from '../../src/sim/time.ts';
import { PROFILES } from '../../src/tcp/params.ts';
import { loadExperiment, loadTopology } from '../../src/experiment/load.ts';
import { tcpParamsFor } from '../../src/experiment/tcp-spec.ts';
import { load, SMALL } from './spec-helpers.ts';

const GOOD = 'test/experiment/fixtures/good-inline.yaml';

function loadGood() {
  const r = loadExperiment(GOOD);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}

describe('a good experiment file', () => {
  it('has its top-level values parsed', () => {
    const { spec } = loadGood();
    expect(spec.name).toBe('good-inline');
    expect(spec.file).toBe(GOOD);
    expect(spec.duration).toBe(120 * SEC);
    expect(spec.seed).toBe(7);
    expect(spec.seeds).toBe(2);
    expect(spec.sampleInterval).toBe(50 * MS);
    expect(spec.trace).toBe(true);
    expect(spec.pcap).toBe(false);
    expect(spec.tcp).toEqual({ profile: 'linux', backlog: 256, synCookies: false });
    expect(spec.nodes).toEqual({ server: { tcp: { timeWait: 30 * SEC } }, client: { tcp: { profile: 'rfc9293' } } });
    expect(spec.sweep).toEqual({ 'apps.flood.rate': ['0/s', '100/s', '1000/s'], 'tcp.synCookies': [false, true] });
  });

  it('expands the client group to numbered nodes with consecutive explicit addresses', () => {
    const { spec } = loadGood();
    expect(spec.topology.name).toBe('topology');
    expect(spec.topology.nodes).toEqual([
      { name: 'client1', kind: 'host', group: 'client', address: 0x0a000101 },
      { name: 'client2', kind: 'host', group: 'client', address: 0x0a000102 },
      { name: 'client3', kind: 'host', group: 'client', address: 0x0a000103 },
      { name: 'attacker', kind: 'host', group: 'attacker' },
      { name: 'r1', kind: 'router', group: 'r1' },
      { name: 'server', kind: 'host', group: 'server' },
    ]);
  });

  it('links a group name once per member, with units parsed and defaults filled in', () => {
    const { spec } = loadGood();
    const links = spec.topology.links;
    expect(links.map((l) => `${l.a}-${l.b}`)).toEqual([
      'client1-r1',
      'client2-r1',
      'client3-r1',
      'attacker-r1',
      'r1-server',
    ]);
    expect(links[0]).toEqual({
      a: 'client1',
      b: 'r1',
      latency: 10 * MS,
      bandwidth: 100e6,
      loss: 0.001,
      queue: { bytes: 64_000 },
      jitter: 0,
      reorder: false,
    });
    expect(links[3]).toEqual({
      a: 'attacker',
      b: 'r1',
      latency: 2 * MS,
      bandwidth: 1e9,
      loss: 0,
      queue: { packets: 1000 },
      jitter: 0,
      reorder: false,
    });
    expect(links[4]).toMatchObject({
      jitter: 200 * US,
      reorder: true,
      burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.5, lossGood: 0, lossBad: 1 },
    });
    // keys in the documented order, optional ones last (specs are written out as JSON)
    expect(Object.keys(links[0]!)).toEqual(['a', 'b', 'latency', 'bandwidth', 'loss', 'queue', 'jitter', 'reorder']);
    expect(Object.keys(links[4]!).slice(-1)).toEqual(['burstLoss']);
  });

  it('types every app kind and fills the defaults of docs/design.md part 2', () => {
    const { spec } = loadGood();
    expect(spec.apps['web']).toEqual({
      id: 'web',
      kind: 'server',
      on: 'server',
      port: 80,
      responseBytes: 2000,
      backlog: 64,
      frameBytes: 16384,
      maxConcurrentStreams: 100,
    });
    expect(spec.apps['users']).toEqual({
      id: 'users',
      kind: 'client',
      on: 'client',
      target: { node: 'server', port: 80 },
      start: 0,
      stop: 120 * SEC,
      rate: 20,
      arrival: 'poisson',
      count: 100,
      mode: 'keepalive',
      requestBytes: 200,
      closer: 'server',
      objects: 1,
      connections: 1,
      streamWindow: 65535,
      connectionWindow: 65535,
      fastOpen: false,
    });
    expect(spec.apps['flood']).toEqual({
      id: 'flood',
      kind: 'synflood',
      on: 'attacker',
      target: { node: 'server', port: 80 },
      start: 10 * SEC,
      stop: 70 * SEC,
      rate: 1000,
      arrival: 'periodic',
      spoof: { base: 0xc6120000, prefixLength: 15, text: '198.18.0.0/15' },
      data: 0,
    });
    expect(spec.apps['bulk']).toEqual({
      id: 'bulk',
      kind: 'bulk',
      on: 'client1',
      target: { node: 'server', port: 8080 },
      bytes: 5_000_000,
      start: 1 * SEC,
    });
  });

  it('passes chart keys through, known and extra', () => {
    const { spec } = loadGood();
    expect(spec.charts).toEqual([
      { kind: 'timeseries', metric: 'syn_queue', title: 'SYN queue occupancy' },
      { kind: 'sweep', x: 'apps.flood.rate', y: 'connections.success_ratio', series: 'tcp.synCookies', legend: 'top' },
    ]);
  });

  it('gives each node its parameters: profile, then tcp:, then its group, then itself', () => {
    const { spec } = loadGood();
    const node = (name: string) => spec.topology.nodes.find((n) => n.name === name)!;
    const server = tcpParamsFor(spec, node('server'));
    expect(server.profile).toBe('linux');
    expect(server.backlog).toBe(256);
    expect(server.timeWait).toBe(30 * SEC);
    expect(server.synCookies).toBe(false);
    const client = tcpParamsFor(spec, node('client2'));
    expect(client.profile).toBe('rfc9293');
    expect(client.timeWait).toBe(PROFILES.rfc9293.timeWait); // the rfc9293 default, 240 s
    expect(client.backlog).toBe(256); // tcp: still applies over the node's profile
    const attacker = tcpParamsFor(spec, node('attacker'));
    expect(attacker.timeWait).toBe(60 * SEC);
  });

  it('records the raw document after overrides, topology inlined', () => {
    const { raw } = loadGood();
    expect((raw as { topology: { nodes: unknown[] } }).topology.nodes).toHaveLength(4);
    expect((raw as { apps: { users: { rate: string } } }).apps.users.rate).toBe('20/s');
  });
});

describe('units and defaults', () => {
  it('reads every unit form the files use', () => {
    const { spec } = load(`
topology:
  nodes: [a, b]
  links: [{ between: [a, b], latency: 250us, bandwidth: 1.5Gbps, queue: 100p, loss: 0.02 }]
duration: 1.5s
tcp: { initialRto: 3s, minRto: 200ms, rcvBuf: 256KB, mss: 1400, synCookies: always, ephemeralLow: 40000 }
apps:
  s: { kind: server, on: b, port: 8080, responseBytes: 1MB }
  c: { kind: client, on: a, target: "b:8080", rate: 5/ms, requestBytes: 0, objects: 6, connections: 6, mode: pipelined }
`);
    expect(spec.duration).toBe(1_500_000_000);
    expect(spec.topology.links[0]).toMatchObject({
      latency: 250_000,
      bandwidth: 1.5e9,
      queue: { packets: 100 },
      loss: 0.02,
    });
    expect(spec.tcp).toEqual({
      profile: 'linux',
      initialRto: 3 * SEC,
      minRto: 200 * MS,
      rcvBuf: 256_000,
      mss: 1400,
      synCookies: 'always',
      ephemeralLow: 40000,
    });
    expect(spec.apps['s']).toMatchObject({ port: 8080, responseBytes: 1_000_000 });
    expect(spec.apps['c']).toMatchObject({
      rate: 5000,
      requestBytes: 0,
      objects: 6,
      connections: 6,
      mode: 'pipelined',
      target: { node: 'b', port: 8080 },
    });
  });

  it('fills defaults for a minimal spec: linux profile, one seed, 100 ms sampling, no sweep', () => {
    const { spec, runs } = load(`${SMALL}
apps:
  web: { kind: server, on: server }
  users: { kind: client, on: client, target: server }
  flood: { kind: synflood, on: client1, target: server:80 }
`);
    expect(spec.name).toBe('t'); // from the file name
    expect(spec.seed).toBe(1);
    expect(spec.seeds).toBe(1);
    expect(spec.sampleInterval).toBe(100 * MS);
    expect(spec.tcp).toEqual({ profile: 'linux' });
    expect(spec.nodes).toEqual({});
    expect(spec.sweep).toEqual({});
    expect(spec.charts).toEqual([]);
    expect(spec.apps['web']).toEqual({
      id: 'web',
      kind: 'server',
      on: 'server',
      port: 80,
      responseBytes: 1000,
      frameBytes: 16384,
      maxConcurrentStreams: 100,
    });
    expect(spec.apps['users']).toMatchObject({
      target: { node: 'server', port: 80 },
      start: 0,
      stop: 60 * SEC,
      rate: 10,
      arrival: 'periodic',
      mode: 'http1.0',
      requestBytes: 200,
      closer: 'client',
      objects: 1,
      connections: 1,
    });
    expect(spec.apps['users']).not.toHaveProperty('count');
    expect(spec.apps['flood']).toMatchObject({
      rate: 1000,
      start: 0,
      stop: 60 * SEC,
      spoof: { text: '198.18.0.0/15', prefixLength: 15 },
    });
    expect(runs.map((r) => r.id)).toEqual(['p0-s1']);
  });

  it('resolves a topology path relative to the experiment file and names the topology after its file', () => {
    const r = loadExperiment('experiments/syn-flood.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.spec.topology.name).toBe('star');
    expect(r.value.spec.topology.nodes.filter((n) => n.group === 'client')).toHaveLength(50);
    expect(r.value.spec.topology.links).toHaveLength(52);
  });

  it('loads a topology file alone', () => {
    const r = loadTopology('topologies/dumbbell.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.nodes.map((n) => n.name)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `client${i + 1}`),
      'attacker',
      'r1',
      'r2',
      'server1',
      'server2',
    ]);
    const bottleneck = r.value.links.find((l) => l.a === 'r1' && l.b === 'r2')!;
    expect(bottleneck).toMatchObject({ latency: 20 * MS, bandwidth: 10e6, queue: { packets: 100 } });
  });

  it('ignores top-level x- keys and honours YAML anchors and merge keys', () => {
    const { spec } = load(`
x-wan: &wan { latency: 40ms, bandwidth: 10Mbps }
topology:
  x-lan: &lan { latency: 1ms }
  nodes: [a, { name: r1, kind: router }, b]
  links:
    - { between: [a, r1], <<: *wan }
    - { between: [r1, b], <<: *lan, loss: 0.5% }
duration: 1s
`);
    expect(spec.topology.links[0]).toMatchObject({ latency: 40 * MS, bandwidth: 10e6 });
    expect(spec.topology.links[1]).toMatchObject({ latency: 1 * MS, bandwidth: 1e9, loss: 0.005 });
  });

  it('keeps a group name in `on:` (the run expands it), and accepts a member name too', () => {
    const { spec } = load(`${SMALL}
apps:
  all: { kind: client, on: client, target: server:80 }
  one: { kind: client, on: client2, target: server:80 }
`);
    expect(spec.apps['all']!.on).toBe('client');
    expect(spec.apps['one']!.on).toBe('client2');
  });

  it('reads through an injected file reader (no disk)', () => {
    const files: Record<string, string> = {
      'lab/exp.yaml': 'topology: ../topo/two.yaml\nduration: 5s\n',
      'topo/two.yaml': 'nodes: [a, b]\nlinks: [{ between: [a, b] }]\n',
    };
    const r = loadExperiment('lab/exp.yaml', {
      readFile: (f) => {
        if (!(f in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        return files[f]!;
      },
    });
    expect(r.ok && r.value.spec.topology.name).toBe('two');
    expect(r.ok && r.value.spec.topology.links).toEqual([
      expect.objectContaining({ a: 'a', b: 'b', latency: 1 * MS, bandwidth: 1e9 }),
    ]);
  });
});
