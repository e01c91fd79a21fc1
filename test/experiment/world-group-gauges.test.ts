/**
 * A group's established and TIME-WAIT series are kept as its hosts change state (HostStack.groupCounts),
 * not summed over the hosts at each sample: they must still equal the sum of the members' own
 * counts, rebuilt here from the trace's state records (ESTABLISHED and CLOSE_WAIT count as
 * established, as Linux's CurrEstab), and the TIME-WAIT metrics must agree with them.
 */
import { describe, expect, it } from 'vitest';
import { metric, runOne, series, traceOf, type TraceLine } from './world-helpers.ts';

const out = runOne(
  `name: group-gauges
topology:
  nodes: [{ name: client, count: 5 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 75s
sampleInterval: 10ms
tcp: { timers: exact }
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 20KB }
  users: { kind: client, on: client, target: server:80, count: 4, rate: 1/s, arrival: periodic, stagger: 37ms, closer: client }
`,
  { trace: true },
);

/** Per sample time, the group's count rebuilt from state records strictly before it (undefined when a record falls on the instant). */
function fromTrace(
  trace: readonly TraceLine[],
  counts: (to: string) => boolean,
  times: readonly number[],
): (number | undefined)[] {
  const states = trace.filter((r) => r.ev === 'state' && r.node.startsWith('client'));
  return times.map((t) => {
    if (states.some((r) => r.t === t)) return undefined;
    let n = 0;
    for (const r of states) {
      if (r.t >= t) break;
      if (counts(String(r['to']))) n++;
      if (counts(String(r['from']))) n--;
    }
    return n;
  });
}

describe('group gauges kept as hosts change state', () => {
  const trace = traceOf(out);
  const est = series(out, 'client', 'established');
  const tw = series(out, 'client', 'time_wait');

  it("established equals the members' ESTABLISHED + CLOSE_WAIT connections at every sample", () => {
    const expected = fromTrace(
      trace,
      (s) => s === 'ESTABLISHED' || s === 'CLOSE_WAIT',
      est.map(([t]) => t),
    );
    expect(est.some(([, v]) => v > 0)).toBe(true);
    est.forEach(([t, v], i) => {
      if (expected[i] !== undefined) expect(v, `t=${t}s`).toBe(expected[i]);
    });
  });

  it("time_wait equals the members' TIME-WAIT connections at every sample, and its peak the metric's", () => {
    const expected = fromTrace(
      trace,
      (s) => s === 'TIME_WAIT',
      tw.map(([t]) => t),
    );
    tw.forEach(([t, v], i) => {
      if (expected[i] !== undefined) expect(v, `t=${t}s`).toBe(expected[i]);
    });
    // 5 clients x 4 connections, all closed by the clients within 4 s: all 20 in TIME-WAIT for a while.
    expect(Math.max(...tw.map(([, v]) => v))).toBe(20);
    expect(metric(out, 'time_wait.peak_total')).toBe(20);
    expect(tw[tw.length - 1]![1]).toBe(0); // 60 s later every one has expired
  });
});
