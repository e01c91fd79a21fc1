/**
 * The ladder layout (ladder-layout.ts) on hand-made models, checked as geometry: a segment's send
 * and arrival heights come from one time scale (equal times at equal heights, arrival minus send
 * proportional to the segment's latency), time is compressed only at marked cuts, and no two label
 * boxes overlap or leave the diagram.
 */
import { describe, expect, it } from 'vitest';
import { ladderMessage as msg } from './ladder-fixtures.ts';
import { boxCorners, boxesOverlap } from '../../src/report/ladder-labels.ts';
import { AXIS_X, LADDER_TOP, LADDER_W, LIFELINE_X, cutText, layoutLadder } from '../../src/report/ladder-layout.ts';
import type { LadderLayout } from '../../src/report/ladder-layout.ts';
import type { LadderMessage, LadderModel, StateChange } from '../../src/report/ladder-model.ts';
import { BREAK_H, MAX_GAP } from '../../src/report/ladder-time.ts';

/** Bottom of the endpoint boxes drawn over the time lines (ladder.ts drawHeader: y 58, height 38). */
const HEADER_BOTTOM = 96;
/** The legend's first row starts this far under the time lines' end (ladder.ts drawLegend). */
const LEGEND_GAP = 28;

function model(messages: LadderMessage[], states: [StateChange[], StateChange[]] = [[], []]): LadderModel {
  const times = messages.flatMap((m) => [m.tTx, m.tRx ?? m.drop?.t ?? m.tTx]);
  return {
    endpoints: [
      { addr: '10.0.0.1:40000', node: 'client', isn: 0 },
      { addr: '10.0.0.2:80', node: 'server', isn: 0 },
    ],
    messages,
    states,
    tStart: Math.min(...times),
    tEnd: Math.max(...times),
  };
}

/** A handshake and a request over a path whose one-way delay differs by direction (10 ms out, 30 ms back). */
const asymmetric = model([
  msg(0, 0, 0.01, 'SYN seq=0'),
  msg(1, 0.01, 0.04, 'SYN+ACK seq=0 ack=1'),
  msg(0, 0.04, 0.05, 'ACK seq=1 ack=1'),
  msg(0, 0.04, 0.05, 'PSH+ACK seq=1 ack=1 len=100'),
  msg(1, 0.05, 0.08, 'ACK seq=1 ack=101'),
]);

/** A SYN lost at a router and retransmitted after the 1 s RTO: a second of silence to cut. */
const lostSyn = model(
  [
    msg(0, 0, null, 'SYN seq=0', { drop: { t: 0.005, node: 'r1', reason: 'loss' } }),
    msg(0, 1, 1.01, 'SYN seq=0 (retx)', { retx: true }),
    msg(1, 1.01, 1.02, 'SYN+ACK seq=0 ack=1'),
    msg(0, 1.02, 1.03, 'ACK seq=1 ack=1'),
  ],
  [
    [
      { t: 0, from: 'CLOSED', to: 'SYN_SENT' },
      { t: 1.02, from: 'SYN_SENT', to: 'ESTABLISHED' },
    ],
    [
      { t: 1.01, from: 'LISTEN', to: 'SYN_RCVD' },
      { t: 1.03, from: 'SYN_RCVD', to: 'ESTABLISHED' },
    ],
  ],
);

/** A burst: eight data segments 0.5 ms apart, their arrows a few px apart at the base scale, and their ACKs. */
const burst = model([
  msg(0, 0, 0.02, 'SYN seq=0'),
  msg(1, 0.02, 0.04, 'SYN+ACK seq=0 ack=1'),
  ...Array.from({ length: 8 }, (_, i) =>
    msg(0, 0.04 + i * 0.0005, 0.06 + i * 0.0005, `PSH+ACK seq=${1 + i * 1448} ack=1 len=1448`),
  ),
  ...Array.from({ length: 4 }, (_, i) =>
    msg(1, 0.061 + i * 0.001, 0.081 + i * 0.001, `ACK seq=1 ack=${1 + (i + 1) * 2896}`),
  ),
]);

/** Each model laid out once (a burst takes a few layouts at growing scales). */
const laidOut = new Map<LadderModel, LadderLayout>();
function layout(m: LadderModel): LadderLayout {
  let l = laidOut.get(m);
  if (!l) laidOut.set(m, (l = layoutLadder(m)));
  return l;
}

/** The y of a time on the layout's one scale, cuts taken out: what every drawn height must equal. */
function trueY(l: LadderLayout, t: number): number {
  const s = l.axis.stretches.find((x) => t >= x.t0 - 1e-12 && t <= x.t1 + 1e-12);
  if (!s) throw new Error(`time ${t} falls inside a cut`);
  return s.y0 + (t - s.t0) * l.axis.pxPerS;
}

describe('ladder layout geometry', () => {
  it('puts equal times at equal heights: an arrival and the reply it triggers, two segments sent together', () => {
    const l = layout(asymmetric);
    const [syn, synAck, ack, data] = l.arrows;
    expect(syn!.line.y2).toBe(synAck!.line.y1);
    expect(synAck!.line.y2).toBe(ack!.line.y1);
    expect(ack!.line.y1).toBe(data!.line.y1);
    expect(ack!.line.y2).toBe(data!.line.y2);
    for (const a of l.arrows) {
      expect(a.line.y1).toBeCloseTo(trueY(l, a.msg.tTx), 9);
      expect(a.line.y2).toBeCloseTo(trueY(l, a.msg.tRx!), 9);
    }
  });

  it('draws arrival minus send in proportion to the latency: the 30 ms direction three times the 10 ms one', () => {
    const l = layout(asymmetric);
    expect(l.axis.breaks).toEqual([]);
    for (const a of l.arrows) expect(a.line.y2 - a.line.y1).toBeCloseTo((a.msg.tRx! - a.msg.tTx) * l.axis.pxPerS, 9);
    const [syn, synAck] = l.arrows;
    expect((synAck!.line.y2 - synAck!.line.y1) / (syn!.line.y2 - syn!.line.y1)).toBeCloseTo(3, 9);
    // Sender on its own time line, receiver on the other: the client's arrows run left to right.
    for (const a of l.arrows) expect(a.line.x1 < a.line.x2).toBe(a.msg.from === 0);
  });

  it('compresses time only at a marked cut: the RTO is cut, with a band and a note saying how long it was', () => {
    const l = layout(lostSyn);
    expect(l.axis.breaks).toHaveLength(1);
    const cut = l.axis.breaks[0]!;
    // The cut spans the silence from the lost SYN's would-be arrival to its retransmission.
    expect(cut.t1).toBe(1);
    expect(cut.t0).toBeLessThan(0.05);
    expect(cut.y1 - cut.y0).toBe(BREAK_H);
    expect((cut.t1 - cut.t0) * l.axis.pxPerS).toBeGreaterThan(MAX_GAP);
    const notes = l.labels.filter((x) => x.kind === 'cut');
    expect(notes.map((x) => x.text)).toEqual([cutText(cut.t1 - cut.t0)]);
    expect(notes[0]!.box.cy).toBeGreaterThan(cut.y0);
    expect(notes[0]!.box.cy).toBeLessThan(cut.y1);
    // Either side of the cut, one scale: the handshake after it is drawn like the one before would be.
    const [, retx, synAck] = l.arrows;
    expect(retx!.line.y2 - retx!.line.y1).toBeCloseTo(0.01 * l.axis.pxPerS, 9);
    expect(synAck!.line.y1).toBe(retx!.line.y2);
  });

  it('ends a lost segment half-way, at a cross with its note, and keeps its label on the drawn half', () => {
    const l = layout(lostSyn);
    const lost = l.arrows[0]!;
    expect(lost.kind).toBe('lost');
    expect(lost.drawn.x2).toBeCloseTo((lost.line.x1 + lost.line.x2) / 2, 9);
    expect(lost.note?.text).toBe('lost at r1 (loss)');
    const xs = boxCorners(lost.label.box).map(([x]) => x);
    expect(Math.min(...xs)).toBeGreaterThan(LIFELINE_X[0] - 40);
  });

  for (const [name, m] of [
    ['asymmetric handshake', asymmetric],
    ['lost SYN', lostSyn],
    ['burst', burst],
  ] as const) {
    it(`${name}: no two label boxes overlap, and every label stays inside the diagram`, () => {
      const l = layout(m);
      expect(l.clashes).toEqual([]);
      const overlaps: string[] = [];
      for (let i = 0; i < l.labels.length; i++) {
        for (let j = i + 1; j < l.labels.length; j++)
          if (boxesOverlap(l.labels[i]!.box, l.labels[j]!.box))
            overlaps.push(`${l.labels[i]!.text} / ${l.labels[j]!.text}`);
      }
      expect(overlaps).toEqual([]);
      expect(l.labels.filter((x) => x.kind === 'segment')).toHaveLength(m.messages.length);
      for (const lb of l.labels) {
        for (const [x, y] of boxCorners(lb.box)) {
          expect(x, lb.text).toBeGreaterThanOrEqual(AXIS_X);
          expect(x, lb.text).toBeLessThanOrEqual(LADDER_W);
          expect(y, lb.text).toBeGreaterThanOrEqual(HEADER_BOTTOM);
          expect(y, lb.text).toBeLessThanOrEqual(l.yEnd + LEGEND_GAP);
        }
      }
      expect(l.yEnd).toBeGreaterThan(LADDER_TOP);
    });
  }

  it('leaves out, and counts, the labels a burst too dense for the largest scale would stack (every arrow still drawn)', () => {
    // 30 segments 0.1 ms apart (as http2-stall's window of HEADERS and DATA): 20 ms one-way, so even
    // 4x the base scale puts arrows ~0.9 px apart.
    const dense = model([
      msg(0, 0, 0.02, 'SYN seq=0'),
      msg(1, 0.02, 0.04, 'SYN+ACK seq=0 ack=1'),
      ...Array.from({ length: 30 }, (_, i) =>
        msg(1, 0.05 + i * 0.0001, 0.07 + i * 0.0001, `PSH+ACK seq=${1 + i * 1448} ack=1 len=1448`),
      ),
    ]);
    const l = layoutLadder(dense);
    expect(l.clashes).toEqual([]);
    for (let i = 0; i < l.labels.length; i++)
      for (let j = i + 1; j < l.labels.length; j++)
        expect(boxesOverlap(l.labels[i]!.box, l.labels[j]!.box)).toBe(false);
    const shown = l.arrows.filter((a) => a.labelShown).length;
    expect(l.hiddenLabels).toBeGreaterThan(0);
    expect(shown + l.hiddenLabels).toBe(dense.messages.length);
    expect(l.labels.filter((x) => x.kind === 'segment')).toHaveLength(shown);
    expect(l.arrows).toHaveLength(dense.messages.length);
    // The handshake, alone in its stretch of time, keeps its labels.
    expect(l.arrows.slice(0, 2).every((a) => a.labelShown)).toBe(true);
  });

  it("grows the scale, not the gaps, when a burst's labels would collide at the base scale", () => {
    const l = layout(burst);
    // The base scale gives one 20 ms one-way delay 44 px; the burst needs more, applied everywhere alike.
    expect(l.axis.pxPerS).toBeGreaterThan(44 / 0.02);
    for (const a of l.arrows) expect(a.line.y2 - a.line.y1).toBeCloseTo(0.02 * l.axis.pxPerS, 6);
  });
});
