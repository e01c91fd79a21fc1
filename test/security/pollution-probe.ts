/**
 * Run by prototype-pollution.test.ts under `node --frozen-intrinsics`: every way a user can name a
 * key or a path (--set, sweep axis paths, named sweep variants and their keys, YAML keys in the
 * experiment and in its topology file, --set values that are maps) is tried with the reserved
 * names. A write to a frozen prototype throws, so a pollution shows up as `threw`; prints JSON.
 */
import { loadExperimentText, type LoadOptions } from '../../src/experiment/load.ts';
import { formatSpecError } from '../../src/experiment/errors.ts';

const BASE = `name: probe
topology: { generator: star, clients: 2, latency: 1ms, bandwidth: 100Mbps }
duration: 2s
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 5/s, stop: 1s }
`;

interface Case {
  name: string;
  yaml?: string;
  set?: string[];
  topologyFile?: string;
}

const cases: Case[] = [];
for (const word of ['__proto__', 'constructor', 'prototype']) {
  cases.push(
    { name: `--set apps.${word}.stop`, set: [`apps.${word}.stop=1s`] },
    { name: `--set ${word}.x`, set: [`${word}.x=1`] },
    { name: `--set tcp.${word}.backlog`, set: [`tcp.${word}.backlog=1`] },
    { name: `--set nodes.${word}.tcp.backlog`, set: [`nodes.${word}.tcp.backlog=1`] },
    { name: `--set apps.users.${word}`, set: [`apps.users.${word}=1`] },
    { name: `--set value map with ${word}`, set: [`apps.users={${word}: {stop: 1s}}`] },
    { name: `--set sweep axis apps.${word}.stop`, set: [`sweep.apps.${word}.stop=[1s, 2s]`] },
    { name: `--set sweep variant key with ${word}`, set: [`sweep={d: {a: {apps.${word}.stop: 1s}}}`] },
    { name: `sweep axis path apps.${word}.stop`, yaml: `${BASE}sweep:\n  apps.${word}.stop: [1s, 2s]\n` },
    { name: `named variant key apps.${word}.stop`, yaml: `${BASE}sweep:\n  d:\n    a: { apps.${word}.stop: 1s }\n` },
    { name: `named variant called ${word}`, yaml: `${BASE}sweep:\n  d:\n    ${word}: { tcp.backlog: 1 }\n` },
    { name: `named axis called ${word}`, yaml: `${BASE}sweep:\n  ${word}:\n    a: { tcp.backlog: 1 }\n` },
    { name: `YAML key apps.${word}`, yaml: `${BASE.replace('apps:\n', `apps:\n  ${word}: { stop: 1s }\n`)}` },
    { name: `YAML key tcp.${word}`, yaml: `${BASE}tcp: { ${word}: { backlog: 1 } }\n` },
    { name: `YAML key in a list entry (${word})`, yaml: `${BASE}faults:\n  - { ${word}: { at: 1s } }\n` },
    { name: `YAML merge key bringing ${word}`, yaml: `${BASE}x-a: &a { ${word}: { stop: 1s } }\ntcp: { <<: *a }\n` },
    {
      name: `topology file key ${word}`,
      yaml: BASE.replace(/topology: .*\n/, 'topology: topo.yaml\n'),
      topologyFile: `nodes:\n  a: {}\n  b: {}\n  ${word}: { x: 1 }\nlinks:\n  - { between: [a, b], latency: 1ms, bandwidth: 1Mbps }\n`,
    },
  );
}

const out = cases.map((c) => {
  const opts: LoadOptions = { set: c.set ?? [] };
  if (c.topologyFile !== undefined) {
    const topo = c.topologyFile;
    opts.readFile = () => topo;
  }
  try {
    const r = loadExperimentText(c.yaml ?? BASE, 'probe.yaml', opts);
    return { name: c.name, ok: r.ok, errors: r.ok ? [] : r.errors.map(formatSpecError) };
  } catch (err) {
    return { name: c.name, threw: (err as Error).message };
  }
});
process.stdout.write(
  JSON.stringify({ cases: out, prototypeKeys: Object.getOwnPropertyNames(Object.prototype).length }),
);
