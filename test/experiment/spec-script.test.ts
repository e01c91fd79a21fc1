/** `script` apps (socket-call timelines) and `faults:` (drop rules at hosts): typed values and every problem by path. */
import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, FIN, PSH, SYN } from '../../src/wire/segment.ts';
import { load, problems, SMALL } from './spec-helpers.ts';

const PAIR = `${SMALL}
apps:
  a: { kind: script, on: client1, steps: [ {at: 0s, connect: "server:80", localPort: 40000},
       {at: 100ms, send: 500}, {at: 1s, shutdown: wr}, {at: 2s, close: true} ] }
  b: { kind: script, on: server, autoRead: false, steps: [ {at: 0s, listen: 80, backlog: 5}, {at: 0s, accept: true},
       {at: 1.5s, send: 1KB}, {at: 1.6s, read: true}, {at: 1.7s, read: 10}, {at: 3s, close: true} ] }
`;

describe('script apps', () => {
  it('types every step: times in ns, targets resolved, defaults filled in', () => {
    const { spec } = load(PAIR);
    expect(spec.apps['a']).toEqual({
      id: 'a',
      kind: 'script',
      on: 'client1',
      autoRead: true,
      steps: [
        { at: 0, op: 'connect', target: { node: 'server', port: 80 }, localPort: 40000 },
        { at: 100 * MS, op: 'send', bytes: 500 },
        { at: 1 * SEC, op: 'shutdown', how: 'wr' },
        { at: 2 * SEC, op: 'close' },
      ],
    });
    expect(spec.apps['b']).toEqual({
      id: 'b',
      kind: 'script',
      on: 'server',
      autoRead: false,
      steps: [
        { at: 0, op: 'listen', port: 80, backlog: 5 },
        { at: 0, op: 'accept' },
        { at: 1.5 * SEC, op: 'send', bytes: 1000 },
        { at: 1.6 * SEC, op: 'read' },
        { at: 1.7 * SEC, op: 'read', bytes: 10 },
        { at: 3 * SEC, op: 'close' },
      ],
    });
  });

  it('reads linger0 and setsockopt with socket options typed like tcp: values', () => {
    const { spec } = load(`${SMALL}
apps:
  k: { kind: script, on: client1, steps: [ {at: 0s, setsockopt: {keepalive: true, keepaliveIdle: 5s, keepaliveInterval: 2s, keepaliveProbes: 3}},
       {at: 0s, linger0: true}, {at: 0s, connect: server}, {at: 1s, setsockopt: {nagle: false}} ] }
`);
    expect((spec.apps['k'] as { steps: unknown[] }).steps).toEqual([
      {
        at: 0,
        op: 'setsockopt',
        options: { keepalive: true, keepaliveIdle: 5 * SEC, keepaliveInterval: 2 * SEC, keepaliveProbes: 3 },
      },
      { at: 0, op: 'linger0', on: true },
      { at: 0, op: 'connect', target: { node: 'server', port: 80 } },
      { at: 1 * SEC, op: 'setsockopt', options: { nagle: false } },
    ]);
  });

  it('reports unknown keys, several actions or none, and options of another action', () => {
    expect(
      problems(`${SMALL}
apps:
  a: { kind: script, on: client1, steps: [ {at: 0s, conect: "server:80"}, {at: 0s, connect: "server:80", send: 5},
       {at: 0s, connect: "server:80", backlog: 3}, {at: 1s, close: true, localport: 1} ] }
`),
    ).toEqual([
      'experiments/t.yaml: apps.a.steps[0]: a step needs an action: one of listen, accept, connect, send, read, shutdown, close, linger0, setsockopt',
      'experiments/t.yaml: apps.a.steps[0].conect: unknown key (did you mean "connect"?)',
      'experiments/t.yaml: apps.a.steps[1]: one action per step, found connect and send: give each its own step (they may share an "at")',
      'experiments/t.yaml: apps.a.steps[2].backlog: backlog belongs to a listen step, not a connect step',
      'experiments/t.yaml: apps.a.steps[3].localport: unknown key (did you mean "localPort"?)',
    ]);
  });

  it('reports bad targets: unknown, a group, itself, a router, a bad port', () => {
    expect(
      problems(`${SMALL}
apps:
  a: { kind: script, on: client1, steps: [ {at: 0s, connect: "sever:80"}, {at: 0s, connect: client}, {at: 0s, connect: "client1:80"},
       {at: 0s, connect: "r1:80"}, {at: 0s, connect: "server:70000"}, {at: 0s, connect: "server:80", localPort: 0} ] }
`),
    ).toEqual([
      'experiments/t.yaml: apps.a.steps[0].connect: unknown node or group "sever" (did you mean "server"?)',
      'experiments/t.yaml: apps.a.steps[1].connect: a target is one node, but "client" is a group of 2 (client1 … client2)',
      "experiments/t.yaml: apps.a.steps[2].connect: client1 is the app's own node (on: client1); target another host",
      'experiments/t.yaml: apps.a.steps[3].connect: r1 is a router; target a host',
      'experiments/t.yaml: apps.a.steps[4].connect: port 70000 is outside 1–65535',
      'experiments/t.yaml: apps.a.steps[5].localPort: expected a whole number from 1 to 65535, got 0',
    ]);
  });

  it('reports times that are missing, malformed, after the end or going backwards', () => {
    expect(
      problems(`${SMALL}
apps:
  a: { kind: script, on: client1, steps: [ {connect: "server:80"}, {at: 5, send: 1}, {at: 2s, send: 1},
       {at: 1s, send: 1}, {at: 90s, close: true} ] }
`),
    ).toEqual([
      'experiments/t.yaml: apps.a.steps[0].at: missing (when the call is made, e.g. 100ms)',
      'experiments/t.yaml: apps.a.steps[1].at: expected a duration like "10ms", got 5 (add a unit: ns, us, ms or s)',
      'experiments/t.yaml: apps.a.steps[3].at: at 1s comes before step 2 (2s): steps run in list order',
      'experiments/t.yaml: apps.a.steps[4].at: at 90s is after the experiment ends (duration 60s)',
    ]);
  });

  it('reports calls in an impossible order and bad action values', () => {
    expect(
      problems(`${SMALL}
apps:
  b: { kind: script, on: server, steps: [ {at: 0s, send: 10}, {at: 0s, accept: true}, {at: 0s, listen: 80}, {at: 0s, listen: 80},
       {at: 1s, shutdown: write}, {at: 1s, close: false}, {at: 1s, send: 0}, {at: 1s, read: 0}, {at: 1s, linger0: 1} ] }
  c: { kind: script, on: client1, steps: [] }
  d: { kind: script, on: client2 }
`),
    ).toEqual([
      'experiments/t.yaml: apps.b.steps[0].send: send needs a connection: a connect or accept step before it',
      'experiments/t.yaml: apps.b.steps[1].accept: accept needs a listen step before it',
      'experiments/t.yaml: apps.b.steps[3].listen: step 2 already listens on port 80',
      'experiments/t.yaml: apps.b.steps[4].shutdown: expected one of rd, wr, rdwr, got "write"',
      'experiments/t.yaml: apps.b.steps[5].close: write close: true, got false',
      'experiments/t.yaml: apps.b.steps[6].send: send at least 1 byte',
      'experiments/t.yaml: apps.b.steps[7].read: read: true reads what is there; a number reads at most that many bytes (at least 1)',
      'experiments/t.yaml: apps.b.steps[8].linger0: expected true or false, got 1',
      'experiments/t.yaml: apps.c.steps: a script needs at least one step, like {at: 0s, connect: "server:80"}',
      'experiments/t.yaml: apps.d.steps: missing (a list of socket calls, like [{at: 0s, connect: "server:80"}, {at: 1s, close: true}])',
    ]);
  });

  it('reports socket options that are host settings or unknown, and bad option values', () => {
    expect(
      problems(`${SMALL}
apps:
  a: { kind: script, on: client1, steps: [ {at: 0s, setsockopt: {synCookies: true, keepalve: true, keepaliveIdle: 5, keepaliveProbes: -1}},
       {at: 0s, setsockopt: {}} ] }
`),
    ).toEqual([
      'experiments/t.yaml: apps.a.steps[0].setsockopt.synCookies: synCookies is a host setting, not a socket option: set it under tcp: or nodes.<node>.tcp',
      'experiments/t.yaml: apps.a.steps[0].setsockopt.keepalve: unknown socket option (did you mean "keepalive"?) (options: keepalive, keepaliveIdle, keepaliveInterval, keepaliveProbes, userTimeout, nagle, delayedAck, sndBuf, rcvBuf, mss, synRetries, finWait2Timeout, fastOpenConnect, fastOpenQueue)',
      'experiments/t.yaml: apps.a.steps[0].setsockopt.keepaliveIdle: expected a duration like "10ms", got 5 (add a unit: ns, us, ms or s)',
      'experiments/t.yaml: apps.a.steps[0].setsockopt.keepaliveProbes: expected a whole number from 1 to 127, got -1',
      'experiments/t.yaml: apps.a.steps[1].setsockopt: set at least one option (keepalive, keepaliveIdle, keepaliveInterval, keepaliveProbes, userTimeout, nagle, delayedAck, sndBuf, rcvBuf, mss, synRetries, finWait2Timeout, fastOpenConnect, fastOpenQueue)',
    ]);
  });

  it('reports two listeners on one node and port, across scripts and servers', () => {
    expect(
      problems(`${SMALL}
apps:
  web: { kind: server, on: server }
  b: { kind: script, on: server, steps: [ {at: 0s, listen: 80} ] }
`),
    ).toEqual(['experiments/t.yaml: apps.b.steps[0].listen: server already has server "web" on port 80']);
  });

  it('steps are parameters: --set reaches into them', () => {
    const { spec } = load(PAIR, { set: ['apps.a.steps.1.send=2KB', 'apps.b.autoRead=true'] });
    expect((spec.apps['a'] as { steps: unknown[] }).steps[1]).toEqual({ at: 100 * MS, op: 'send', bytes: 2000 });
    expect(spec.apps['b']).toMatchObject({ autoRead: true });
  });
});

describe('fault rules', () => {
  it('types rules: exact flag bits, defaults chain output and from 0', () => {
    const { spec } = load(`${SMALL}
faults:
  - { node: client1, chain: output, flags: "S", nth: 1 }
  - { node: server, flags: "S.", nth: 1 }
  - { node: client, flags: ".", len: 0, nth: 2 }
  - { node: server, chain: input, from: 10s, to: 20s }
  - { node: server, flags: "FP." }
`);
    expect(spec.faults).toEqual([
      { node: 'client1', chain: 'output', flags: SYN, nth: 1, from: 0 },
      { node: 'server', chain: 'output', flags: SYN | ACK, nth: 1, from: 0 },
      { node: 'client', chain: 'output', flags: ACK, len: 0, nth: 2, from: 0 },
      { node: 'server', chain: 'input', from: 10 * SEC, to: 20 * SEC },
      { node: 'server', chain: 'output', flags: FIN | PSH | ACK, from: 0 },
    ]);
  });

  it('reports every problem by path', () => {
    expect(
      problems(`${SMALL}
faults:
  - { node: sever, chain: forward, flags: "SX", nth: 0 }
  - { node: r1, len: -1 }
  - { chain: input, flags: "", from: 2min }
  - { node: server, from: 10s, to: 5s, when: now }
  - { node: server, flags: "SS" }
  - drop everything
`),
    ).toEqual([
      'experiments/t.yaml: faults[0].node: unknown node or group "sever" (did you mean "server"?)',
      'experiments/t.yaml: faults[0].chain: expected one of input, output, got "forward"',
      'experiments/t.yaml: faults[0].flags: expected packetdrill flag letters like "S", "S.", ".", "P.", "F." or "R" (letters F S R P U E W and "." for ACK), got "SX"; leave flags out to match any',
      'experiments/t.yaml: faults[0].nth: expected a whole number ≥ 1, got 0',
      'experiments/t.yaml: faults[1].node: r1 is a router; fault rules sit between a host and its TCP stack',
      'experiments/t.yaml: faults[1].len: expected a size like "2KB" or a number of bytes, got -1',
      'experiments/t.yaml: faults[2].node: missing (the host or group whose packets it drops)',
      'experiments/t.yaml: faults[2].flags: expected packetdrill flag letters like "S", "S.", ".", "P.", "F." or "R" (letters F S R P U E W and "." for ACK), got ""; leave flags out to match any',
      'experiments/t.yaml: faults[2].from: starts at 120s, after the experiment ends (duration 60s)',
      'experiments/t.yaml: faults[3].when: unknown key',
      'experiments/t.yaml: faults[3].to: ends at 5s, not after it starts (10s)',
      'experiments/t.yaml: faults[4].flags: "SS" names a flag twice',
      'experiments/t.yaml: faults[5]: expected a map of keys, got "drop everything"',
    ]);
  });

  it('fault fields are parameters: --set and sweeps reach them', () => {
    const { spec } = load(`${SMALL}\nfaults: [{ node: client1, flags: S, nth: 1 }]\n`, { set: ['faults.0.nth=3'] });
    expect(spec.faults[0]).toMatchObject({ nth: 3 });
    expect(problems(`${SMALL}\nfaults: [{ node: client1 }]\n`, { set: ['faults.0.nht=3'] })).toEqual([
      'experiments/t.yaml: --set faults.0.nht=3: no such parameter: faults[0] has no parameter "nht" (did you mean "nth"?)',
    ]);
  });
});
