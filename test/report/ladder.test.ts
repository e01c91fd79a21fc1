/**
 * Ladder diagrams read like the packet traces they come from: the lost-SYN handshake of the
 * syn-flood fixture (SYN dropped at r1, retransmitted after the 1 s RTO), the simultaneous close
 * and the refused connection of the close fixture, and small hand-written traces for the corner
 * cases (a tx with no rx, an implicit retransmission, a duplicate ACK, a spoofed peer).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ladderChart } from '../../src/report/ladder.ts';
import { ladderModel, listConnections, selectConnection } from '../../src/report/ladder-model.ts';
import { BREAK_H, buildTimeAxis } from '../../src/report/ladder-time.ts';
import { boxesOverlap } from '../../src/report/ladder-labels.ts';
import type { Box } from '../../src/report/ladder-labels.ts';
import { layoutLadder } from '../../src/report/ladder-layout.ts';
import { textWidth } from '../../src/report/svg.ts';
import type { PacketTraceEvent, TraceEvent } from '../../src/report/trace-records.ts';
import { loadFixture } from './fixture-data.ts';
import { byClass, parseXml, texts } from './xml.ts';
import type { XmlElement } from './xml.ts';

let flood: TraceEvent[];
let close: TraceEvent[];
beforeAll(async () => {
  flood = (await loadFixture('syn-flood')).trace;
  close = (await loadFixture('close')).trace;
});

function model(records: TraceEvent[], conn?: string) {
  const c = selectConnection(records, conn);
  if (!c) throw new Error('no connection');
  return ladderModel(records, c);
}

function svgOf(records: TraceEvent[], conn?: string, extra: { absolute?: boolean } = {}): XmlElement {
  const r = ladderChart({ records, run: 'p0-s1', conn, ...extra });
  if (r.kind !== 'figure') throw new Error(r.reason);
  return parseXml(r.svg);
}

describe('ladder model: the lost SYN', () => {
  it('labels every segment with flags and ISN-relative numbers, like Wireshark', () => {
    const m = model(flood, 'client1');
    expect(m.endpoints.map((e) => `${e.node} ${e.addr}`)).toEqual(['client1 10.0.0.1:40001', 'server 10.0.0.5:80']);
    expect(m.messages.map((x) => `${x.from === 0 ? '→' : '←'} ${x.label}`)).toEqual([
      '→ SYN seq=0',
      '→ SYN seq=0 (retx)',
      '← SYN+ACK seq=0 ack=1',
      '→ ACK seq=1 ack=1',
      '→ PSH+ACK seq=1 ack=1 len=200',
      '← PSH+ACK seq=1 ack=201 len=1448',
      '← PSH+ACK seq=1449 ack=201 len=552',
      '→ ACK seq=201 ack=2001',
      '→ FIN+ACK seq=201 ack=2001',
      '← FIN+ACK seq=2001 ack=202',
      '→ ACK seq=202 ack=2002',
    ]);
  });

  it('ends the first SYN at the router that dropped it, and gives the arrival to the retransmission', () => {
    const [lost, retx] = model(flood, 'client1').messages;
    expect(lost!.tRx).toBeNull();
    expect(lost!.drop).toEqual({ t: 0.2100282, node: 'r1', reason: 'loss' });
    expect(lost!.retx).toBe(false);
    expect(retx!.retx).toBe(true);
    expect(retx!.tTx).toBeCloseTo(1.2, 9);
    expect(retx!.tRx).toBeCloseTo(1.21102, 9);
  });

  it('reads both sides’ state changes', () => {
    const m = model(flood, 'client1');
    expect(m.states[0].map((s) => s.to)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(m.states[1].map((s) => s.to)).toEqual(['SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });
});

describe('ladder diagram: the lost SYN', () => {
  it('draws arrows with their labels, a cross for the lost SYN and a dashed retransmission', () => {
    const svg = svgOf(flood, 'client1');
    const all = texts(svg);
    expect(all).toEqual(
      expect.arrayContaining([
        'SYN seq=0',
        'SYN seq=0 (retx)',
        'SYN+ACK seq=0 ack=1',
        'ACK seq=1 ack=1',
        'PSH+ACK seq=1 ack=1 len=200',
        'FIN+ACK seq=201 ack=2001',
      ]),
    );
    expect(byClass(svg, 'segment')).toHaveLength(11);
    expect(byClass(svg, 'arrowhead')).toHaveLength(10 + 2); // 10 arrivals, 2 legend swatches
    const lost = byClass(svg, 'lost');
    expect(lost).toHaveLength(1);
    expect(byClass(lost[0]!, 'lost-mark')).toHaveLength(1);
    expect(texts(lost[0]!)).toContain('lost at r1 (loss)');
    expect(byClass(lost[0]!, 'arrowhead')).toHaveLength(0);
    const retx = byClass(svg, 'retx');
    expect(retx).toHaveLength(1);
    expect(byClass(retx[0]!, 'arrow')[0]!.attrs['stroke-dasharray']).toBeTruthy();
    expect(texts(svg)).toEqual(expect.arrayContaining(['client1', '10.0.0.1:40001', 'server', '10.0.0.5:80']));
  });

  it('cuts the 1 s RTO out of the time axis and labels the cut', () => {
    const svg = svgOf(flood, 'client1');
    expect(byClass(svg, 'break')).toHaveLength(1);
    expect(texts(svg)).toContain('989 ms cut from the time axis');
    const ticks = texts(byClass(svg, 'time-axis')[0]!);
    expect(ticks).toEqual(expect.arrayContaining(['0', '1,000', 'Time (ms) from t = 0.200 s']));
    // Both a 10 ms stretch and the 1 s jump stay readable: the diagram is not 1000 RTTs tall.
    expect(Number(svg.attrs.height)).toBeLessThan(900);
  });

  it('labels time lines with the TCP states and colours them', () => {
    const svg = svgOf(flood, 'client1');
    const labels = byClass(svg, 'state-label').map((e) => texts(e)[0] ?? e.children.join(''));
    expect(labels).toEqual(
      expect.arrayContaining([
        'CLOSED',
        'SYN_SENT',
        'ESTABLISHED',
        'TIME_WAIT',
        'LISTEN',
        'SYN_RCVD',
        'CLOSE_WAIT',
        'LAST_ACK',
      ]),
    );
    expect(byClass(svg, 'state-bar').length).toBeGreaterThanOrEqual(8);
  });

  it('draws only the first segments of a long exchange, and says so', () => {
    const r = ladderChart({ records: flood, conn: 'client1', maxSegments: 3 });
    if (r.kind !== 'figure') throw new Error(r.reason);
    const svg = parseXml(r.svg);
    expect(byClass(svg, 'segment')).toHaveLength(3);
    expect(texts(svg).join(' ')).toContain('first 3 of 11 segments');
  });

  it('can print absolute sequence numbers', () => {
    const svg = svgOf(flood, 'client1', { absolute: true });
    const isn = (flood.find((r) => r.ev === 'tx' && r.flags === 'S') as PacketTraceEvent).seq as number;
    expect(texts(svg)).toContain(`SYN seq=${isn}`);
  });
});

/** Label boxes from the SVG (centre, angle, estimated width) must not overlap each other. */
function labelsOverlap(svg: XmlElement): string[] {
  const boxes = byClass(svg, 'arrow-label').map((e) => {
    const m = /translate\(([-\d.]+),([-\d.]+)\) rotate\(([-\d.]+)\)/.exec(e.attrs.transform!)!;
    const a = (Number(m[3]) * Math.PI) / 180;
    const text = texts(e)[0] ?? e.children.join('');
    return {
      text,
      cx: Number(m[1]),
      cy: Number(m[2]),
      ux: Math.cos(a),
      uy: Math.sin(a),
      y: Number(e.attrs.y),
      w: textWidth(text, 12),
    };
  });
  const clashes: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i]!;
      const q = boxes[j]!;
      // Sample p's text area; any sample inside q's box is a clash.
      let hit = false;
      for (let s = -p.w / 2; s <= p.w / 2 && !hit; s += 4) {
        for (const d of [p.y - 8, p.y - 2]) {
          const x = p.cx + s * p.ux - d * p.uy;
          const y = p.cy + s * p.uy + d * p.ux;
          const rx = x - q.cx;
          const ry = y - q.cy;
          const along = rx * q.ux + ry * q.uy;
          const across = -rx * q.uy + ry * q.ux;
          if (Math.abs(along) < q.w / 2 && across > q.y - 10 && across < q.y + 1) hit = true;
        }
      }
      if (hit) clashes.push(`${p.text} / ${q.text}`);
    }
  }
  return clashes;
}

describe('simultaneous close and RST', () => {
  it('shows both FINs crossing and both sides going through CLOSING to TIME_WAIT', () => {
    const m = model(close, '10.0.0.1:40000');
    const fins = m.messages.filter((x) => x.flags === 'F.');
    expect(fins.map((f) => [f.from, f.label, f.tTx])).toEqual([
      [0, 'FIN+ACK seq=101 ack=101', 0.1],
      [1, 'FIN+ACK seq=101 ack=101', 0.1],
    ]);
    for (const side of [0, 1] as const)
      expect(m.states[side].map((s) => s.to).slice(-3)).toEqual(['FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    const svg = svgOf(close, '10.0.0.1:40000');
    expect(byClass(svg, 'lost')).toHaveLength(0);
    expect(byClass(svg, 'retx')).toHaveLength(0);
    expect(texts(svg).filter((t) => t === 'FIN+ACK seq=101 ack=101')).toHaveLength(2);
    expect(labelsOverlap(svg)).toEqual([]);
  });

  it('keeps labels apart in the lost-SYN diagram too', () => {
    expect(labelsOverlap(svgOf(flood, 'client1'))).toEqual([]);
  });

  it('draws a refused connection: SYN answered by RST+ACK, numbered from the RST’s own seq', () => {
    const m = model(close, '10.0.0.2:81');
    expect(m.messages.map((x) => x.label)).toEqual(['SYN seq=0', 'RST+ACK seq=0 ack=1']);
    expect(m.states[0].map((s) => s.to)).toEqual(['SYN_SENT', 'CLOSED']);
    expect(texts(svgOf(close, '10.0.0.2:81'))).toContain('RST+ACK seq=0 ack=1');
  });
});

describe('choosing the connection', () => {
  it('takes the first connection by default, or one named by node, address or pair', () => {
    expect(listConnections(flood)).toHaveLength(4);
    expect(selectConnection(flood)!.a).toBe('10.0.0.1:40001');
    expect(selectConnection(flood, 'client2')!.a).toBe('10.0.0.2:40001');
    expect(selectConnection(flood, '10.0.0.1:40002')!.a).toBe('10.0.0.1:40002');
    expect(selectConnection(flood, '10.0.0.2')!.a).toBe('10.0.0.2:40001');
    expect(selectConnection(flood, '10.0.0.5:80>10.0.0.2:40002')!.a).toBe('10.0.0.2:40002');
    expect(selectConnection(flood, 'nobody')).toBeNull();
    const r = ladderChart({ records: flood, conn: 'nobody' });
    expect(r.kind === 'skipped' && r.reason).toContain('no connection matching "nobody"');
  });

  it('prefers a connection whose two ends are traced over a spoofed flood SYN', () => {
    const spoofed: TraceEvent[] = [
      {
        t: 0.05,
        node: 'server',
        ev: 'rx',
        flags: 'S',
        seq: 7,
        ack: 0,
        len: 0,
        win: 65535,
        src: '198.18.3.4:999',
        dst: '10.0.0.5:80',
      },
      {
        t: 0.05,
        node: 'server',
        ev: 'tx',
        flags: 'S.',
        seq: 50,
        ack: 8,
        len: 0,
        win: 65535,
        src: '10.0.0.5:80',
        dst: '198.18.3.4:999',
      },
    ];
    expect(selectConnection([...spoofed, ...flood])!.a).toBe('10.0.0.1:40001');
    // Asked for explicitly, the spoofed exchange draws with its peer marked as not traced.
    const r = ladderChart({ records: spoofed, conn: '198.18.3.4:999' });
    expect(r.kind).toBe('figure');
    const svg = parseXml(r.kind === 'figure' ? r.svg : '');
    expect(texts(svg)).toContain('SYN+ACK seq=0 ack=1 (peer not traced)');
    expect(texts(svg)).toContain('(not traced)');
  });
});

describe('segments without explicit markers', () => {
  const a = { node: 'a', addr: '10.0.0.1:5000' };
  const b = { node: 'b', addr: '10.0.0.2:80' };
  const seg = (
    t: number,
    from: typeof a,
    to: typeof a,
    flags: string,
    seq: number,
    ack: number,
    len: number,
    ev: 'tx' | 'rx',
  ): TraceEvent => ({
    t,
    node: ev === 'tx' ? from.node : to.node,
    ev,
    flags,
    seq,
    ack,
    len,
    win: 65535,
    src: from.addr,
    dst: to.addr,
  });

  it('treats a tx without rx or drop as lost, and a repeated SYN as a retransmission', () => {
    const recs = [
      seg(0, a, b, 'S', 100, 0, 0, 'tx'),
      seg(1, a, b, 'S', 100, 0, 0, 'tx'),
      seg(1.01, a, b, 'S', 100, 0, 0, 'rx'),
    ];
    const m = model(recs);
    expect(m.messages.map((x) => [x.label, x.tRx])).toEqual([
      ['SYN seq=0', null],
      ['SYN seq=0 (retx)', 1.01],
    ]);
    const svg = svgOf(recs);
    expect(byClass(svg, 'lost-mark')).toHaveLength(1);
    expect(texts(svg)).toContain('lost');
  });

  it('does not call a duplicate ACK a retransmission', () => {
    const recs = [
      seg(0, a, b, '.', 101, 501, 0, 'tx'),
      seg(0.01, a, b, '.', 101, 501, 0, 'rx'),
      seg(0.02, a, b, '.', 101, 501, 0, 'tx'),
      seg(0.03, a, b, '.', 101, 501, 0, 'rx'),
    ];
    expect(model(recs).messages.map((x) => [x.retx, x.tRx])).toEqual([
      [false, 0.01],
      [false, 0.03],
    ]);
  });
});

describe('time axis', () => {
  it('cuts long gaps, marks them, and keeps one scale everywhere else', () => {
    const axis = buildTimeAxis([0, 0.01, 1, 1.01], { top: 100, pxPerS: 4400, t0: 0 });
    expect(axis.breaks).toHaveLength(1);
    expect(axis.breaks[0]).toMatchObject({ t0: 0.01, t1: 1 });
    expect(axis.y(0.01) - axis.y(0)).toBeCloseTo(44, 6); // one one-way delay
    expect(axis.y(1.01) - axis.y(1)).toBeCloseTo(44, 6); // the same scale after the cut
    expect(axis.y(1) - axis.y(0.01)).toBe(BREAK_H); // the 990 ms gap, cut
    expect(axis.y(0.005) - axis.y(0)).toBeCloseTo(22, 6); // linear within a stretch
  });

  it('puts equal times at equal heights: nothing is nudged apart', () => {
    const axis = buildTimeAxis([0.5, 0.5, 0.5, 0.5, 0.52], { top: 0, pxPerS: 2200, t0: 0.5 });
    expect(axis.y(0.5)).toBe(0);
    expect(axis.y(0.52)).toBeCloseTo(44, 6);
    expect(axis.breaks).toHaveLength(0);
  });

  it('labels ticks with one precision, a lone instant after a cut included', () => {
    const axis = buildTimeAxis([0, 0.02, 0.04, 61.520008], { top: 0, pxPerS: 2200, t0: 0 });
    expect(axis.ticks.map((t) => t.label)).toEqual(['0', '20', '40', '61,520']);
  });
});

describe('label boxes', () => {
  const upright = (cx: number, cy: number, w: number): Box => ({
    cx,
    cy,
    ux: 1,
    uy: 0,
    a0: -w / 2,
    a1: w / 2,
    p0: -3,
    p1: 10,
  });

  it('finds overlap between upright and rotated boxes, and none between boxes apart', () => {
    expect(boxesOverlap(upright(100, 100, 40), upright(130, 100, 40))).toBe(true);
    expect(boxesOverlap(upright(100, 100, 40), upright(141, 100, 40))).toBe(false);
    expect(boxesOverlap(upright(100, 100, 40), upright(100, 114, 40))).toBe(false);
    // A 45° box whose corner reaches into an upright one.
    const r = Math.SQRT1_2;
    const tilted: Box = { cx: 125, cy: 105, ux: r, uy: r, a0: -20, a1: 20, p0: -3, p1: 10 };
    expect(boxesOverlap(upright(100, 100, 40), tilted)).toBe(true);
    expect(boxesOverlap(upright(40, 100, 40), tilted)).toBe(false);
  });

  it('places the labels of arrows drawn on top of each other apart', () => {
    const a = { node: 'a', addr: '10.0.0.1:5000' };
    const b = { node: 'b', addr: '10.0.0.2:80' };
    const recs: TraceEvent[] = [];
    const send = (
      t: number,
      from: typeof a,
      to: typeof a,
      flags: string,
      seq: number,
      len: number,
      delay: number,
    ): void => {
      recs.push({ t, node: from.node, ev: 'tx', flags, seq, ack: 1, len, win: 65535, src: from.addr, dst: to.addr });
      recs.push({
        t: t + delay,
        node: to.node,
        ev: 'rx',
        flags,
        seq,
        ack: 1,
        len,
        win: 65535,
        src: from.addr,
        dst: to.addr,
      });
    };
    send(0, a, b, 'S', 100, 0, 0.02);
    // Four segments sent at one instant: one height at the sender, arrivals 0.1 ms apart.
    for (let i = 0; i < 4; i++) send(0.5, b, a, 'P.', 500 + i * 1448, 1448, 0.02 + i * 0.0001);
    recs.sort((x, y) => x.t - y.t);
    const layout = layoutLadder(model(recs));
    const burst = layout.arrows.filter((x) => x.msg.len === 1448);
    expect(new Set(burst.map((x) => x.line.y1)).size).toBe(1);
    expect(layout.clashes).toEqual([]);
    const boxes = layout.labels.map((l) => l.box);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) expect(boxesOverlap(boxes[i]!, boxes[j]!)).toBe(false);
  });
});
