/**
 * Checks a resolved topology before building it. The experiment layer validates the YAML and
 * reports problems with file positions; this is the last line for anything that slips through or
 * for topologies built in code. Problems are values: a code, a path into the TopologyDef
 * (`links.3.latency`) and a message.
 */
import type { TopologyDef } from './topology-def.ts';

export interface TopologyProblem {
  code:
    | 'duplicate-name'
    | 'bad-kind'
    | 'bad-address'
    | 'duplicate-address'
    | 'unknown-node'
    | 'self-link'
    | 'bad-value';
  path: string;
  message: string;
}

export class TopologyError extends Error {
  constructor(readonly problems: TopologyProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'TopologyError';
  }
}

export function validateTopology(topo: TopologyDef): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const add = (code: TopologyProblem['code'], path: string, message: string): void => {
    problems.push({ code, path, message });
  };
  const names = new Set<string>();
  const addresses = new Map<number, string>();
  topo.nodes.forEach((n, i) => {
    if (n.name === '' || names.has(n.name))
      add('duplicate-name', `nodes.${i}.name`, n.name === '' ? 'empty node name' : `node "${n.name}" defined twice`);
    names.add(n.name);
    if (n.kind !== 'host' && n.kind !== 'router')
      add('bad-kind', `nodes.${i}.kind`, `expected host or router, got ${JSON.stringify(n.kind)}`);
    if (n.address !== undefined) {
      if (!Number.isInteger(n.address) || n.address < 0 || n.address > 0xffffffff)
        add('bad-address', `nodes.${i}.address`, `not an IPv4 address: ${n.address}`);
      else if (addresses.has(n.address))
        add('duplicate-address', `nodes.${i}.address`, `address already used by ${addresses.get(n.address)}`);
      else addresses.set(n.address, n.name);
    }
  });
  // Per link: no closure and no path string unless a problem is found (10^5-link topologies).
  for (let i = 0; i < topo.links.length; i++) {
    const l = topo.links[i]!;
    if (!names.has(l.a)) add('unknown-node', `links.${i}.a`, `unknown node "${l.a}"`);
    if (!names.has(l.b)) add('unknown-node', `links.${i}.b`, `unknown node "${l.b}"`);
    if (l.a === l.b) add('self-link', `links.${i}.b`, `a link from "${l.a}" to itself`);
    if (!isWholeNs(l.latency))
      add('bad-value', `links.${i}.latency`, `expected a whole number of ns >= 0, got ${l.latency}`);
    if (!isWholeNs(l.jitter))
      add('bad-value', `links.${i}.jitter`, `expected a whole number of ns >= 0, got ${l.jitter}`);
    if (!(l.bandwidth > 0)) add('bad-value', `links.${i}.bandwidth`, `expected a rate > 0, got ${l.bandwidth}`);
    if (!(l.loss >= 0 && l.loss <= 1))
      add('bad-value', `links.${i}.loss`, `expected a probability in [0, 1], got ${l.loss}`);
    const q = l.queue as { packets?: number; bytes?: number };
    const limit = q.packets ?? q.bytes;
    if (limit === undefined || !Number.isSafeInteger(limit) || limit < 0)
      add('bad-value', `links.${i}.queue`, 'expected a whole number of packets or bytes >= 0');
    if (l.burstLoss !== undefined) {
      for (const k of ['pGoodToBad', 'pBadToGood', 'lossGood', 'lossBad'] as const) {
        const v = l.burstLoss[k];
        if (!(v >= 0 && v <= 1))
          add('bad-value', `links.${i}.burstLoss.${k}`, `expected a probability in [0, 1], got ${v}`);
      }
    }
  }
  return problems;
}

function isWholeNs(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}
