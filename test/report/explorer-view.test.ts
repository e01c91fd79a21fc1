/**
 * The explorer's pure parts, without a browser: its ladder geometry (ladder-view.ts: a segment's
 * send and arrival on one time scale, a drop half-way, labels above their line, no two shown
 * labels overlapping) and its list filter (row-filter.ts).
 */
import { describe, expect, it } from 'vitest';
import { ladderMessage as msg } from './ladder-fixtures.ts';
import type { LadderMessage, LadderModel } from '../../src/report/ladder-model.ts';
import type { ExploreRow } from '../../src/report/explorer/explore-data.ts';
import {
  declutter,
  segmentGeometry,
  segmentsSpan,
  stateBarGeometry,
  stateSpans,
  timeFormat,
} from '../../src/report/explorer/ladder-view.ts';
import type { LabelBox } from '../../src/report/explorer/ladder-view.ts';
import { filterRows, reachedStates, slowestHandshakes } from '../../src/report/explorer/row-filter.ts';

const xs = [200, 500] as const;
/** 1 px per ms from 100 px. */
const y = (t: number): number => 100 + t * 1000;

describe('explorer ladder geometry', () => {
  it("runs a segment from its send time on the sender's line to its arrival on the peer's, on one scale", () => {
    const a = segmentGeometry(msg(0, 0.01, 0.035, 'SYN seq=0'), xs, y);
    expect([a.x1, a.y1, a.x2, a.y2]).toEqual([200, 110, 500, 135]);
    const b = segmentGeometry(msg(1, 0.035, 0.06, 'SYN+ACK seq=0 ack=1'), xs, y);
    // The reply leaves at the height the SYN arrived: equal times, equal heights.
    expect(b.y1).toBe(a.y2);
    expect([b.x1, b.x2]).toEqual([500, 200]);
    expect(b.y2 - b.y1).toBeCloseTo(a.y2 - a.y1, 9);
  });

  it('ends a dropped segment half-way at its drop time, says why in its label, and stubs one never seen again', () => {
    const d = segmentGeometry(
      msg(0, 0, null, 'SYN seq=0', { drop: { t: 0.005, node: 'r1', reason: 'queue full' } }),
      xs,
      y,
    );
    expect([d.x2, d.y2]).toEqual([350, 105]);
    expect(d.text).toBe('SYN seq=0 ✕ queue full');
    const lost = segmentGeometry(msg(0, 0, null, 'FIN'), xs, y);
    expect(lost.x2).toBeCloseTo(200 + 300 * 0.35, 9);
    expect(lost.y2).toBe(112);
  });

  it('puts a label upright above the middle of its line, its box as wide as its text', () => {
    const flat = segmentGeometry(msg(0, 0, 0, 'ACK'), xs, y);
    expect([flat.mx, flat.my, flat.angle]).toEqual([350, 100, 0]);
    expect(flat.box.cy).toBeLessThan(flat.my);
    expect(flat.box.hw).toBeCloseTo((3 * 6.2) / 2, 9);
    // From right to left and down: turned to read left to right, within ±90°.
    const back = segmentGeometry(msg(1, 0, 0.3, 'ACK'), xs, y);
    expect(Math.abs(back.angle)).toBeLessThanOrEqual(90);
  });

  it('hides each label that would overlap one shown above it, and keeps apart ones shown', () => {
    const box = (cx: number, cy: number): LabelBox => ({ cx, cy, hw: 30, hh: 7 });
    const labels = [box(100, 140), box(100, 100), box(110, 105), box(300, 104), box(100, 120)];
    const hidden = declutter(labels);
    expect([...hidden].map((l) => [l.cx, l.cy])).toEqual([[110, 105]]);
    const shown = labels.filter((l) => !hidden.has(l));
    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        const [a, b] = [shown[i]!, shown[j]!];
        expect(Math.abs(a.cx - b.cx) >= a.hw + b.hw || Math.abs(a.cy - b.cy) >= a.hh + b.hh).toBe(true);
      }
    }
  });

  it("draws each state from its change to the next, outside each endpoint's line, named where tall enough", () => {
    const model: LadderModel = {
      endpoints: [
        { addr: 'a', node: 'c', isn: 0 },
        { addr: 'b', node: 's', isn: 0 },
      ],
      messages: [msg(0, 0, 0.02, 'SYN'), msg(1, 0.02, 0.04, 'SYN+ACK')],
      states: [
        [
          { t: 0, from: 'CLOSED', to: 'SYN_SENT' },
          { t: 0.04, from: 'SYN_SENT', to: 'ESTABLISHED' },
        ],
        [{ t: 0.02, from: 'LISTEN', to: 'SYN_RCVD' }],
      ],
      tStart: 0,
      tEnd: 0.05,
    };
    const spans = stateSpans(model);
    expect(spans.map((s) => [s.s, s.state, s.from, s.to])).toEqual([
      [0, 'SYN_SENT', 0, 0.04],
      [0, 'ESTABLISHED', 0.04, 0.05],
      [1, 'SYN_RCVD', 0.02, 0.05],
    ]);
    const left = stateBarGeometry(spans[0]!, xs, y);
    expect(left).toMatchObject({ x: 184, y0: 100, y1: 140, anchor: 'end', named: true });
    const right = stateBarGeometry(spans[2]!, xs, y);
    expect(right).toMatchObject({ x: 504, y0: 120, y1: 150, anchor: 'start' });
    expect(stateBarGeometry({ s: 0, state: 'FIN_WAIT_2', from: 0.01, to: 0.01 }, xs, y)).toMatchObject({
      y1: 111,
      named: false,
    });
    expect(segmentsSpan(model)).toEqual([0, 0.04]);
  });

  it('labels time with the decimals a fifth of the span needs', () => {
    expect(timeFormat(0.05)(0.0123)).toBe('0.01 s');
    expect(timeFormat(0.004)(0.0123)).toBe('0.0123 s');
    expect(timeFormat(60)(1.5)).toBe('2 s');
  });
});

describe('explorer connection list', () => {
  const row = (
    i: number,
    nodeA: string,
    hs: number | null,
    reached: string,
    retx: number,
    drops: number,
    rst: 0 | 1,
    segs = 5,
  ): ExploreRow => [
    i,
    `10.0.0.${i}:4000${i}`,
    '10.0.0.9:80',
    nodeA,
    'server',
    i * 0.1,
    i * 0.1 + 1,
    hs,
    reached,
    'TIME_WAIT',
    'CLOSED',
    segs,
    retx,
    drops,
    rst,
    0,
  ];
  const rows = [
    row(0, 'client0', 52, 'SYN_SENT|ESTABLISHED|TIME_WAIT', 0, 0, 0),
    row(1, 'client1', 1052, 'SYN_SENT|ESTABLISHED', 1, 1, 0, 9),
    row(2, 'client2', null, 'SYN_SENT', 3, 3, 1),
    row(3, 'client3', 53, 'SYN_SENT|ESTABLISHED', 0, 0, 0),
  ];
  const none = { query: '', state: '', want: new Set<never>(), minHandshakeMs: null, sort: 't0' };

  it('keeps rows matching every criterion, in first-packet order unless asked to sort', () => {
    expect(filterRows(rows, none).map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect(filterRows(rows, { ...none, query: 'client1' }).map((r) => r[0])).toEqual([1]);
    expect(filterRows(rows, { ...none, state: 'TIME_WAIT' }).map((r) => r[0])).toEqual([0]);
    expect(
      filterRows(rows, { ...none, want: new Set(['retransmitted', 'dropped'] as const) }).map((r) => r[0]),
    ).toEqual([1, 2]);
    expect(filterRows(rows, { ...none, want: new Set(['not established'] as const) }).map((r) => r[0])).toEqual([2]);
    expect(filterRows(rows, { ...none, want: new Set(['reset'] as const) }).map((r) => r[0])).toEqual([2]);
    expect(filterRows(rows, { ...none, minHandshakeMs: 53 }).map((r) => r[0])).toEqual([1, 3]);
    expect(filterRows(rows, { ...none, sort: 'hs' }).map((r) => r[0])).toEqual([1, 3, 0, 2]);
    expect(filterRows(rows, { ...none, sort: 'segs' }).map((r) => r[0])).toEqual([1, 0, 2, 3]);
    expect(filterRows(rows, { ...none, sort: 'retx' }).map((r) => r[0])).toEqual([2, 1, 0, 3]);
  });

  it('links only handshakes slower than the median, slowest first', () => {
    expect(slowestHandshakes(rows).map((r) => r[0])).toEqual([1]);
    expect(slowestHandshakes(rows.slice(0, 1))).toEqual([]);
    expect(reachedStates(rows)).toEqual(['ESTABLISHED', 'SYN_SENT', 'TIME_WAIT']);
  });
});
