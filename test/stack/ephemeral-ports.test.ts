import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/sim/rng.ts';
import { keyedHash4 } from '../../src/tcp/syn-cookies.ts';
import { EphemeralPorts, type PortChecker, type PortSecrets } from '../../src/stack/ephemeral-ports.ts';

/** A host's port secrets as HostTcp gives them: a hash key and the stream "host:<name>:ports" of `seed`. */
function secrets(portKeyA: number, portKeyB: number, seed: number, name: string): PortSecrets {
  return { portKeyA, portKeyB, portsRng: () => new Rng(seed, `host:${name}:ports`) };
}

/**
 * The port-by-port search as it was before port indexes (Linux __inet_hash_connect, RFC 6056
 * algorithm 4): the reference the indexed search must match choice for choice.
 */
class ReferencePorts {
  private perturb = new Map<number, number>();
  private rng: Rng | null = null;
  constructor(
    readonly low: number,
    readonly high: number,
    private keyA: number,
    private keyB: number,
    private seed: number,
    private hostName: string,
  ) {}
  pick(laddr: number, raddr: number, rport: number, check: PortChecker): number {
    const low = this.low;
    let remaining = this.high - low + 1;
    if (remaining > 1) remaining &= ~1;
    const slot = keyedHash4(this.keyA, this.keyB, laddr, raddr, rport, 0) & 63;
    const counter = (this.perturb.get(slot) ?? 0) >>> 0;
    let offset = ((counter + keyedHash4(this.keyB, this.keyA, laddr, raddr, rport, 1)) >>> 0) % remaining;
    offset &= ~1;
    const step = remaining > 1 ? 2 : 1;
    for (;;) {
      let port = low + offset;
      for (let i = 0; i < remaining; i += step, port += step) {
        if (port >= low + remaining) port -= remaining;
        if (check.portUsable(port, raddr, rport)) {
          const extra = Math.max(i, (this.rng ??= new Rng(this.seed, `host:${this.hostName}:ports`)).int(8) * step);
          this.perturb.set(slot, (counter + extra + step) | 0);
          return port;
        }
      }
      offset++;
      if (!(offset & 1) || remaining <= 1) return -1;
    }
  }
}

/**
 * A host's connections as a set of (port, destination) plus TIME-WAIT marks; tw_reuse takes a
 * TIME-WAIT port over when `old` says it is more than a second old.
 */
class FakeHost implements PortChecker {
  held = new Map<string, 'open' | 'tw-old' | 'tw-young'>();
  listening = new Set<number>();
  constructor(
    private readonly twReuse: boolean,
    private readonly ports?: EphemeralPorts,
  ) {}
  private key(l: number, a: number, p: number) {
    return `${l}/${a}/${p}`;
  }
  portUsable(lport: number, raddr: number, rport: number): boolean {
    if (this.listening.has(lport)) return false;
    const k = this.key(lport, raddr, rport);
    const h = this.held.get(k);
    if (h === undefined) return true;
    if (this.twReuse && h === 'tw-old') {
      this.remove(lport, raddr, rport);
      return true;
    }
    return false;
  }
  visitPorts(
    raddr: number,
    rport: number,
    visit: (lport: number, reusable: boolean) => void,
    listening: (lport: number) => void,
  ): void {
    for (const [k, h] of this.held) {
      const [l, a, p] = k.split('/').map(Number) as [number, number, number];
      if (a === raddr && p === rport) visit(l, h !== 'open');
    }
    for (const l of this.listening) listening(l);
  }
  add(lport: number, raddr: number, rport: number): void {
    this.held.set(this.key(lport, raddr, rport), 'open');
    this.ports?.flowChanged(lport, raddr, rport, true, false);
  }
  timeWait(k: string, state: 'tw-old' | 'tw-young'): void {
    this.held.set(k, state);
    const [l, a, p] = k.split('/').map(Number) as [number, number, number];
    this.ports?.flowChanged(l, a, p, true, true);
  }
  remove(lport: number, raddr: number, rport: number): void {
    this.held.delete(this.key(lport, raddr, rport));
    this.ports?.flowChanged(lport, raddr, rport, false, false);
  }
  listen(lport: number, on: boolean): void {
    if (on) this.listening.add(lport);
    else this.listening.delete(lport);
    this.ports?.listenerChanged(lport, on);
  }
}

type Op =
  | { kind: 'connect'; dest: number }
  | { kind: 'close'; which: number }
  | { kind: 'tw'; which: number; old: boolean }
  | { kind: 'listen'; port: number; on: boolean };

const LOW = 1000;
const opArb = (span: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant('connect' as const), dest: fc.integer({ min: 0, max: 2 }) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), which: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tw' as const), which: fc.nat(), old: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('listen' as const),
        port: fc.integer({ min: LOW, max: LOW + span }),
        on: fc.boolean(),
      }),
    },
  );

/** Runs ops on the indexed allocator and on the reference; returns both sequences of choices. */
function replay(span: number, twReuse: boolean, ops: Op[], scanLimit = 64): [number[], number[]] {
  const dests: Array<[number, number]> = [
    [0x0a000001, 80],
    [0x0a000001, 443],
    [0x0a000002, 80],
  ];
  const run = (indexed: boolean): number[] => {
    const ports = indexed
      ? new EphemeralPorts(LOW, LOW + span, secrets(11, 22, 7, 'h'), twReuse, scanLimit)
      : undefined;
    const ref = indexed ? undefined : new ReferencePorts(LOW, LOW + span, 11, 22, 7, 'h');
    const host = new FakeHost(twReuse, ports);
    const chosen: number[] = [];
    for (const op of ops) {
      const keys = [...host.held.keys()];
      if (op.kind === 'connect') {
        const [a, p] = dests[op.dest]!;
        const port = ports ? ports.pick(0x0a0000ff, a, p, host) : ref!.pick(0x0a0000ff, a, p, host);
        chosen.push(port);
        if (port >= 0) host.add(port, a, p);
      } else if (op.kind === 'close' && keys.length > 0) {
        const [l, a, p] = keys[op.which % keys.length]!.split('/').map(Number) as [number, number, number];
        host.remove(l, a, p);
      } else if (op.kind === 'tw' && keys.length > 0) {
        host.timeWait(keys[op.which % keys.length]!, op.old ? 'tw-old' : 'tw-young');
      } else if (op.kind === 'listen') {
        host.listen(op.port, op.on);
      }
    }
    return chosen;
  };
  return [run(true), run(false)];
}

describe('ephemeral port choice with port indexes', () => {
  it('chooses exactly the ports of the port-by-port search (random connects, closes, TIME-WAITs, listeners)', () => {
    for (const [twReuse, scanLimit] of [
      [false, 64],
      [true, 64],
      [false, 1],
      [true, 1],
      [true, 5],
    ] as const) {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.array(opArb(300), { minLength: 50, maxLength: 600 }),
          (span, ops) => {
            const [indexed, reference] = replay(span, twReuse, ops, scanLimit);
            expect(indexed).toEqual(reference);
          },
        ),
        { numRuns: 60, seed: 42 },
      );
    }
  });

  it('fills a range to the last port in the reference order, then fails with -1', () => {
    const connects: Op[] = Array.from({ length: 400 }, () => ({ kind: 'connect' as const, dest: 0 }));
    const [indexed, reference] = replay(255, false, connects);
    expect(indexed).toEqual(reference);
    expect(new Set(indexed.slice(0, 256)).size).toBe(256);
    expect(indexed.slice(256).every((p) => p === -1)).toBe(true);
  });

  it('a full range of 28 232 ports answers -1 without probing each held port', () => {
    let probes = 0;
    const held = new Set<number>();
    const checker: PortChecker = {
      portUsable: (l) => (probes++, !held.has(l)),
      visitPorts: (_a, _p, visit) => {
        for (const l of held) visit(l, false);
      },
    };
    const ports = new EphemeralPorts(32768, 60999, secrets(1, 2, 3, 'c'));
    for (let i = 0; i < 28232; i++) {
      const p = ports.pick(1, 2, 80, checker);
      expect(p).toBeGreaterThanOrEqual(32768);
      held.add(p);
      ports.flowChanged(p, 2, 80, true, false);
    }
    probes = 0;
    for (let i = 0; i < 1000; i++) expect(ports.pick(1, 2, 80, checker)).toBe(-1);
    expect(probes).toBe(0); // the index answers; the port-by-port search would have made 28 232 000 probes
  });
});

describe('perturbation counters', () => {
  it('keep one counter per slot, the first in fields and the rest in a list, as a table of all slots would', () => {
    // 40 destinations in turn, several rounds: many slots in use, some shared by two destinations.
    const ports = new EphemeralPorts(LOW, LOW + 999, secrets(11, 22, 7, 'h'));
    const ref = new ReferencePorts(LOW, LOW + 999, 11, 22, 7, 'h');
    const a = new FakeHost(false, ports);
    const b = new FakeHost(false);
    const slots = new Set<number>();
    for (let round = 0; round < 5; round++) {
      for (let d = 0; d < 40; d++) {
        const raddr = 0x0a000100 + d;
        slots.add(keyedHash4(11, 22, 0x0a0000ff, raddr, 80, 0) & 63);
        const got = ports.pick(0x0a0000ff, raddr, 80, a);
        expect(got).toBe(ref.pick(0x0a0000ff, raddr, 80, b));
        a.add(got, raddr, 80);
        b.add(got, raddr, 80);
      }
    }
    expect(slots.size).toBeGreaterThan(20);
    expect(slots.size).toBeLessThan(40);
  });
});
