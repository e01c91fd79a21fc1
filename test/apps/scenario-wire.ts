/**
 * A small stand-in for the world of a spec, for script-app tests that should not depend on the
 * network layer: every host of the spec's topology on one wire with a fixed one-way delay, a
 * real HostStack per host wrapped by the spec's fault filters exactly as world.ts does, the
 * spec's script apps started on their hosts, and a packet log that reads like tcpdump:
 * `1.020 server < S. 0:0(0) ack 1` (sequence numbers relative to each side's ISN).
 */
import { Script } from '../../src/apps/script.ts';
import type { AppReporter } from '../../src/apps/context.ts';
import { faultFilters } from '../../src/experiment/fault-filters.ts';
import type { ExperimentSpec } from '../../src/experiment/spec-types.ts';
import { tcpParamsFor } from '../../src/experiment/tcp-spec.ts';
import type { TcpParams } from '../../src/tcp/params.ts';
import { FilteredDelivery, FilteredPort } from '../../src/net/packet-filter.ts';
import { Rng } from '../../src/sim/rng.ts';
import { Sim, type EventHandler } from '../../src/sim/simulator.ts';
import { MS, type Nanos } from '../../src/sim/time.ts';
import type { AppNote, AppNoteFields, AppRecord, TraceRecord } from '../../src/schema/trace.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { HostStack } from '../../src/stack/host-stack.ts';
import type { Errno } from '../../src/tcp/api.ts';
import { formatFlags } from '../../src/wire/flags.ts';
import { ACK, SYN, type Packet } from '../../src/wire/segment.ts';

interface WireHost {
  name: string;
  address: number;
  deliver: { receive(p: Packet): void };
}

/** What the scripts reported (connect outcomes), in order. */
export class Reports implements AppReporter {
  readonly lines: string[] = [];
  constructor(
    private readonly sim: Sim,
    private readonly tracer: Tracer,
  ) {}
  private add(s: string): void {
    this.lines.push(`${(this.sim.now / 1e9).toFixed(3)} ${s}`);
  }
  connectAttempted(app: string): void {
    this.add(`${app} attempted`);
  }
  connected(app: string, _n: string, handshake: Nanos): void {
    this.add(`${app} connected ${handshake / MS}ms`);
  }
  connectFailed(app: string, _n: string, errno: Errno): void {
    this.add(`${app} failed ${errno}`);
  }
  connectionLost(app: string, _n: string, errno: Errno): void {
    this.add(`${app} lost ${errno}`);
  }
  requestCompleted(): void {}
  headOfLineDelay(): void {}
  pageCompleted(): void {}
  bulkCompleted(): void {}
  note<W extends AppNote>(app: string, node: string, what: W, fields?: AppNoteFields<W>): void {
    this.tracer.emit({ t: this.sim.now, node, ev: 'app', app, what, ...fields } as AppRecord);
  }
}

export class ScenarioWire implements EventHandler<Packet> {
  readonly sim = new Sim();
  readonly tracer = new Tracer();
  readonly reports = new Reports(this.sim, this.tracer);
  readonly stacks = new Map<string, HostStack>();
  /** tcpdump-like lines: tx (>), rx (<), drops (x). */
  readonly log: string[] = [];
  readonly records: (TraceRecord & Record<string, unknown>)[] = [];
  private readonly hosts = new Map<number, WireHost>();
  private readonly isn = new Map<number, number>();

  constructor(
    readonly spec: ExperimentSpec,
    readonly oneWay: Nanos = 20 * MS,
  ) {
    this.tracer.subscribe((r) => this.onRecord(r), { packets: true });
    const filters = faultFilters(spec, this.sim, this.tracer);
    spec.topology.nodes.forEach((n, i) => {
      if (n.kind === 'router') return;
      const address = n.address ?? 0x0a000001 + i;
      const wire = this;
      const port = {
        name: n.name,
        address,
        sim: this.sim,
        tracer: this.tracer,
        send(p: Packet) {
          wire.send(n.name, p);
        },
      };
      const f = filters.get(n.name);
      const stack = new HostStack(
        f?.output ? new FilteredPort(port, f.output) : port,
        nominal(spec, tcpParamsFor(spec, n)),
        1,
      );
      this.stacks.set(n.name, stack);
      this.hosts.set(address, {
        name: n.name,
        address,
        deliver: f?.input ? new FilteredDelivery(stack, f.input) : stack,
      });
    });
    for (const app of Object.values(spec.apps)) {
      if (app.kind !== 'script') continue;
      for (const n of spec.topology.nodes.filter((x) => x.name === app.on || x.group === app.on)) {
        new Script(
          {
            sim: this.sim,
            node: n.name,
            app: app.id,
            stack: this.stacks.get(n.name)!,
            rng: new Rng(1, app.id),
            report: this.reports,
            addressOf: (name) => [...this.hosts.values()].find((h) => h.name === name)!.address,
          },
          app,
        ).start();
      }
    }
  }

  run(until: Nanos = this.spec.duration): this {
    this.sim.run({ until });
    return this;
  }

  /** Log lines of one kind of app record, e.g. notes('b') → ["1.000 b accepted", …]. */
  notes(app: string): string[] {
    return this.records
      .filter((r) => r.ev === 'app' && r.app === app)
      .map((r) => {
        const { t, node: _n, ev: _e, app: _a, what, ...rest } = r;
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
        return `${(t / 1e9).toFixed(3)} ${String(what)}${extra ? ` ${extra}` : ''}`;
      });
  }

  /** State changes of one node: "0.000 client SYN_SENT". */
  states(node: string): string[] {
    return this.records
      .filter((r) => r.ev === 'state' && r.node === node)
      .map((r) => `${(r.t / 1e9).toFixed(3)} ${String(r.to)}`);
  }

  private send(from: string, p: Packet): void {
    this.line(from, '>', p);
    this.sim.at(this.sim.now + this.oneWay, this, 0, p);
  }

  onEvent(_sim: Sim, _tag: number, p: Packet): void {
    const h = this.hosts.get(p.dst);
    if (h === undefined) return;
    this.line(h.name, '<', p);
    h.deliver.receive(p);
  }

  private onRecord(rec: TraceRecord): void {
    const r = rec as TraceRecord & Record<string, unknown>;
    this.records.push(r);
    if (r.ev === 'drop')
      this.log.push(
        `${(r.t / 1e9).toFixed(3)} ${r.node} x ${String(r.flags)} dropped (${String(r.reason)} ${String(r.chain)})`,
      );
  }

  /** `0.000 client > S 0:0(0)` with sequence numbers relative to the sender's ISN. */
  private line(node: string, dir: '>' | '<', p: Packet): void {
    const s = p.tcp!;
    if ((s.flags & SYN) !== 0 && !this.isn.has(p.src * 65536 + s.srcPort))
      this.isn.set(p.src * 65536 + s.srcPort, s.seq);
    const mine = this.isn.get(p.src * 65536 + s.srcPort) ?? s.seq;
    const theirs = this.isn.get(p.dst * 65536 + s.dstPort) ?? 0;
    const rel = (v: number, base: number): number => (v - base + 2 ** 32) % 2 ** 32;
    const seq = rel(s.seq, mine);
    let text = `${formatFlags(s.flags)} ${seq}:${seq + s.len}(${s.len})`;
    if ((s.flags & ACK) !== 0) text += ` ack ${rel(s.ack, theirs)}`;
    this.log.push(`${(this.sim.now / 1e9).toFixed(3)} ${node} ${dir} ${text}`);
  }
}

/** Packet traces at nominal times: `timers: exact` unless the spec asks for the wheel (docs/linux-timers.md). */
function nominal(spec: { tcp: { timers?: unknown } }, p: TcpParams): TcpParams {
  return spec.tcp.timers === undefined ? { ...p, timers: 'exact' } : p;
}
