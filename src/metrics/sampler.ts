/**
 * Samples gauges (SYN queue, accept queue, established, TIME-WAIT, cwnd) on a fixed interval into
 * timeseries columns (`t_s,node,metric,value`). One sim event per interval for the whole run,
 * whatever the number of gauges.
 */
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { SEC, type Nanos } from '../sim/time.ts';

/** A value read at each sampling instant, labelled with the node (or group) and metric names. */
export interface Gauge {
  node: string;
  metric: string;
  read(): number;
}

export interface SampledColumns {
  t_s: number[];
  node: string[];
  metric: string[];
  value: number[];
}

export class Sampler implements EventHandler {
  readonly columns: SampledColumns = { t_s: [], node: [], metric: [], value: [] };

  constructor(
    private readonly gauges: readonly Gauge[],
    private readonly interval: Nanos,
    private readonly until: Nanos,
  ) {}

  /** Samples at 0, interval, 2·interval, … up to and including `until`. */
  start(sim: Sim): void {
    if (this.gauges.length > 0 && this.interval > 0) sim.at(0, this);
  }

  onEvent(sim: Sim): void {
    const t = Math.round((sim.now / SEC) * 1e6) / 1e6;
    const c = this.columns;
    for (const g of this.gauges) {
      c.t_s.push(t);
      c.node.push(g.node);
      c.metric.push(g.metric);
      c.value.push(g.read());
    }
    const next = sim.now + this.interval;
    if (next <= this.until) sim.at(next, this);
  }
}
