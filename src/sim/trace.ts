/**
 * The trace stream: every layer reports what happened (a segment sent, received or dropped, a TCP
 * state change, an application step) as a plain record. Metrics collectors subscribe to it, and
 * `--trace` writes it as trace.jsonl (docs/design.md part 2). The sim layer knows nothing of packets:
 * it only carries records, whose shape is the schema's (src/schema/trace.ts).
 *
 * Emitters check a flag before building a record: `tracer.packets` for per-packet records
 * (tx, rx, drop), `tracer.events` for the rest (state, app). Metrics need state changes but not
 * every packet, so a run without `--trace` builds no per-packet objects.
 */
import type { PacketRecord, TraceRecord } from '../schema/trace.ts';

export type TraceListener = (rec: TraceRecord) => void;

export interface Subscription {
  /** Also receive per-packet records (tx, rx, drop). */
  packets?: boolean;
}

export class Tracer {
  private all: TraceListener[] = [];
  private nonPacket: TraceListener[] = [];
  /** Someone wants per-packet records: build them. */
  packets = false;
  /** Someone wants state/app records: build them. */
  events = false;

  subscribe(listener: TraceListener, options: Subscription = {}): void {
    if (options.packets) this.all.push(listener);
    else this.nonPacket.push(listener);
    this.packets = this.all.length > 0;
    this.events = this.all.length + this.nonPacket.length > 0;
  }

  /** Stops delivering records to `listener` (a trace writer over its size budget). */
  unsubscribe(listener: TraceListener): void {
    this.all = this.all.filter((l) => l !== listener);
    this.nonPacket = this.nonPacket.filter((l) => l !== listener);
    this.packets = this.all.length > 0;
    this.events = this.all.length + this.nonPacket.length > 0;
  }

  /** Emits a per-packet record (tx, rx, drop): only packet subscribers get it. */
  emitPacket(rec: PacketRecord): void {
    for (const l of this.all) l(rec);
  }

  /** Emits a state/app record to every subscriber. */
  emit(rec: TraceRecord): void {
    for (const l of this.all) l(rec);
    for (const l of this.nonPacket) l(rec);
  }
}
