/**
 * Every flagship ladder (experiments/lifecycle.yaml, each scenario run once on the whole model)
 * laid out: no two text boxes overlap, the client is on the left, every segment leaves at the
 * height of its send time and arrives at the height of its arrival, one scale within a stretch.
 */
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';
import { boxesOverlap } from '../../src/report/ladder-labels.ts';
import { LIFELINE_X, layoutLadder } from '../../src/report/ladder-layout.ts';
import { ladderModel, selectConnection } from '../../src/report/ladder-model.ts';
import { ladderChart } from '../../src/report/ladder.ts';
import type { TraceEvent } from '../../src/report/trace-records.ts';

const spec = (() => {
  const r = loadExperiment('experiments/lifecycle.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value;
})();

const SCENARIOS = [
  'normal',
  'simultaneous-open',
  'simultaneous-close',
  'lost-syn',
  'lost-synack',
  'lost-third-ack',
  'lost-last-ack',
  'half-close',
  'keepalive',
  'fast-open',
];

function traceOf(scenario: string): TraceEvent[] {
  const run = spec.runs.find((r) => r.point['scenario'] === scenario);
  if (!run) throw new Error(`no scenario ${scenario}`);
  const out = executeRun(run, { trace: true, pcap: false });
  return out
    .trace!.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceEvent);
}

describe('flagship ladders (experiments/lifecycle.yaml)', () => {
  it('lists the ten scenarios the experiment charts (fast-open twice: its first and its repeat visit)', () => {
    const charted = spec.spec.charts.filter((c) => c.kind === 'ladder').map((c) => String(c.point?.['scenario']));
    expect(charted.sort()).toEqual([...SCENARIOS, 'fast-open'].sort());
  });

  it("fast-open: the repeat visit's ladder (the connection the chart names) has no two label boxes overlapping and labels its SYN data", () => {
    const records = traceOf('fast-open');
    const chart = spec.spec.charts.find((c) => c.kind === 'ladder' && c.conn?.endsWith(':40002'))!;
    const model = ladderModel(records, selectConnection(records, chart.conn)!);
    expect(model.messages[0]!.label).toBe('SYN seq=0 len=200 (Fast Open: data + cookie)');
    const ls = layoutLadder(model).labels;
    const clashes: string[] = [];
    for (let i = 0; i < ls.length; i++)
      for (let j = i + 1; j < ls.length; j++)
        if (boxesOverlap(ls[i]!.box, ls[j]!.box)) clashes.push(`${ls[i]!.text} / ${ls[j]!.text}`);
    expect(clashes).toEqual([]);
  });

  for (const scenario of SCENARIOS) {
    describe(scenario, () => {
      const records = traceOf(scenario);
      const conn = selectConnection(records)!;
      const model = ladderModel(records, conn);
      const layout = layoutLadder(model);

      it('has no two label boxes overlapping (segment labels, notes, state names, cut notes)', () => {
        const clashes: string[] = [];
        const ls = layout.labels;
        for (let i = 0; i < ls.length; i++)
          for (let j = i + 1; j < ls.length; j++)
            if (boxesOverlap(ls[i]!.box, ls[j]!.box)) clashes.push(`${ls[i]!.text} / ${ls[j]!.text}`);
        expect(clashes).toEqual([]);
        expect(ls.filter((l) => l.kind === 'segment')).toHaveLength(model.messages.length);
      });

      it('puts the client on the left and colours segments by sender', () => {
        expect(model.endpoints[0].node).toBe('client');
        const svg = ladderChart({ records, title: scenario });
        if (svg.kind !== 'figure') throw new Error(svg.reason);
        for (const m of svg.svg.matchAll(
          /data-sender="(client|server)"[^>]*>(?:<title>[^<]*<\/title>)?<line class="arrow"[^>]*stroke="(#[0-9A-Fa-f]+)"/g,
        )) {
          expect(m[2]).toBe(m[1] === 'client' ? '#0072B2' : '#009E73');
        }
      });

      it('draws every segment from its send time to its arrival on one scale', () => {
        const { axis } = layout;
        for (const a of layout.arrows) {
          expect(a.line.y1).toBeCloseTo(axis.y(a.msg.tTx), 9);
          if (a.msg.tRx !== null) expect(a.line.y2).toBeCloseTo(axis.y(a.msg.tRx), 9);
          expect(a.line.x1 < a.line.x2).toBe(a.msg.from === 0);
          expect(Math.abs(a.line.x1 - LIFELINE_X[a.msg.from])).toBeLessThan(10);
        }
        // Equal send times, equal heights; within a stretch, heights are linear in time.
        for (const s of axis.stretches) {
          const inside = layout.arrows.filter((a) => a.msg.tTx >= s.t0 && a.msg.tTx <= s.t1);
          for (const a of inside) expect(a.line.y1 - s.y0).toBeCloseTo((a.msg.tTx - s.t0) * axis.pxPerS, 6);
        }
        expect(axis.breaks.every((b) => b.y1 > b.y0 && b.t1 > b.t0)).toBe(true);
      });
    });
  }

  it('draws the two SYN-ACKs the server sends at one instant at one height', () => {
    const records = traceOf('lost-synack');
    const model = ladderModel(records, selectConnection(records)!);
    const layout = layoutLadder(model);
    const synAcks = layout.arrows.filter((a) => a.msg.flags === 'S.' && a.msg.retx);
    expect(synAcks).toHaveLength(2);
    expect(synAcks[0]!.msg.tTx).toBe(synAcks[1]!.msg.tTx);
    expect(synAcks[0]!.line.y1).toBe(synAcks[1]!.line.y1);
  });
});
