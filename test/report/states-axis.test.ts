/**
 * The state timeline's broken time axis: the long quiet gaps are cut and labelled, the scale is
 * one within each stretch, and in the lifecycle experiment's "normal" timeline TIME_WAIT no longer
 * takes nearly all the width while SYN_SENT gets a sliver.
 */
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';
import { brokenTimeScale } from '../../src/report/broken-time.ts';
import { statesChart } from '../../src/report/states.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';
import { byClass, findAll, parseXml, texts } from './xml.ts';

describe('broken time axis', () => {
  const times = [0, 0.02, 0.04, 1.0, 1.02, 1.06, 1.08, 1.5, 1.52, 1.54, 61.52];

  it('cuts the 60 s, 960 ms and 420 ms gaps and nothing shorter', () => {
    const xs = brokenTimeScale(times, 0, 600);
    expect(xs.cuts.map((c) => [c.t0, c.t1])).toEqual([
      [0.04, 1.0],
      [1.08, 1.5],
      [1.54, 61.52],
    ]);
  });

  it('keeps one scale within and across stretches, and time running right', () => {
    const xs = brokenTimeScale(times, 0, 600);
    const k = (xs.x(0.04) - xs.x(0)) / 0.04;
    expect((xs.x(1.08) - xs.x(1.0)) / 0.08).toBeCloseTo(k, 6);
    expect((xs.x(1.54) - xs.x(1.5)) / 0.04).toBeCloseTo(k, 6);
    const xsSorted = times.map((t) => xs.x(t));
    expect([...xsSorted].sort((a, b) => a - b)).toEqual(xsSorted);
    expect(xs.x(xs.tEnd)).toBeCloseTo(600, 6);
  });

  it('cuts nothing when changes are spread evenly', () => {
    expect(brokenTimeScale([0, 1, 2, 3, 4, 5], 0, 600).cuts).toEqual([]);
  });
});

describe('lifecycle state timeline (normal scenario)', () => {
  const loaded = loadExperiment('experiments/lifecycle.yaml');
  if (!loaded.ok) throw new Error('lifecycle.yaml does not load');
  const run = loaded.value.runs.find((r) => r.point['scenario'] === 'normal')!;
  const records = executeRun(run, { trace: true, pcap: false })
    .trace!.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceEvent);
  const r = statesChart({ records, run: run.id });
  if (r.kind !== 'figure') throw new Error(r.reason);
  const svg = parseXml(r.svg);

  it('gives every state a visible bar and TIME_WAIT less than half the width', () => {
    const client = byClass(svg, 'state-row')[0]!;
    const widths = new Map<string, number>();
    for (const bar of byClass(client, 'state-bar')) {
      const title = findAll(bar, (e) => e.name === 'title')[0]!.children.join('');
      const state = title.split(':')[0]!;
      widths.set(state, Number(bar.attrs.width));
    }
    const total = [...widths.values()].reduce((a, b) => a + b, 0);
    expect([...widths.keys()]).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    for (const w of widths.values()) expect(w).toBeGreaterThan(15);
    expect(widths.get('TIME_WAIT')! / total).toBeLessThan(0.5);
  });

  it('marks each cut and says what it skipped', () => {
    expect(byClass(svg, 'cut-mark').length).toBeGreaterThanOrEqual(1);
    expect(byClass(svg, 'axis-break')).toHaveLength(byClass(svg, 'cut-mark').length);
    expect(byClass(svg, 'cut-label').map((e) => texts(e)[0])).toContain('60 s cut');
  });
});
