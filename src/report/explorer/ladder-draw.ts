/**
 * The explorer's ladder in the browser: a connection's segments on a true time axis that zooms and
 * pans (d3-zoom; wheel or drag on the diagram), each endpoint's TCP state bars beside its line,
 * labels hidden where they would overlap, and a segment's records on hover or click. Geometry comes
 * from ladder-view.ts; this file builds and updates the SVG with d3.
 */
import {
  axisLeft,
  scaleLinear,
  select,
  zoom,
  zoomIdentity,
  type D3ZoomEvent,
  type EnterElement,
  type ScaleLinear,
  type Selection,
} from 'd3';
import type { LadderMessage, LadderModel } from '../ladder-model.ts';
import type { TraceEvent } from '../trace-records.ts';
import { showDetails } from './details.ts';
import { el } from './dom.ts';
import {
  STATE_COLOURS,
  colourOf,
  declutter,
  recordsOf,
  segmentGeometry,
  segmentsSpan,
  stateBarGeometry,
  stateSpans,
  timeFormat,
  type LabelBox,
  type StateSpan,
} from './ladder-view.ts';

/** A drawn segment label and where its rotated box sits, for the overlap check. */
interface ShownLabel extends LabelBox {
  text: SVGTextElement;
}

/** The ladder's drawing: its size, the two endpoint lines' x, the layers redrawn on zoom, and what a click shows. */
interface LadderView {
  W: number;
  H: number;
  top: number;
  bottom: number;
  left: number;
  xs: readonly [number, number];
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  axis: Selection<SVGGElement, unknown, null, undefined>;
  bars: Selection<SVGGElement, unknown, null, undefined>;
  msgs: Selection<SVGGElement, unknown, null, undefined>;
  spans: StateSpan[];
  model: LadderModel;
  records: readonly TraceEvent[];
  details: HTMLElement;
  hiddenNote: HTMLSpanElement;
  /** The segment whose fields stay shown until another click. */
  pinned: LadderMessage | null;
}

/** The svg: clip, title, endpoint names and addresses, the axis, and the layers the zoom redraws. */
function ladderSkeleton(
  box: HTMLElement,
  v: Omit<LadderView, 'svg' | 'axis' | 'bars' | 'msgs'>,
  title: string,
): LadderView {
  const { W, H, top, bottom, left, xs } = v;
  const svg = select(box)
    .append('svg')
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('class', 'tx-svg')
    .attr('role', 'img')
    .attr('aria-label', `ladder of ${title}`);
  svg
    .append('defs')
    .append('clipPath')
    .attr('id', 'tx-clip')
    .append('rect')
    .attr('x', left - 4)
    .attr('y', top - 4)
    .attr('width', W - left)
    .attr('height', H - top - bottom + 8);
  svg
    .append('text')
    .attr('x', W / 2)
    .attr('y', 16)
    .attr('text-anchor', 'middle')
    .attr('class', 'tx-title')
    .text(title);
  v.model.endpoints.forEach((e, s) => {
    svg
      .append('text')
      .attr('x', xs[s]!)
      .attr('y', 36)
      .attr('text-anchor', 'middle')
      .attr('class', 'tx-end')
      .text(e.node ?? '(not traced)');
    svg
      .append('text')
      .attr('x', xs[s]!)
      .attr('y', 49)
      .attr('text-anchor', 'middle')
      .attr('class', 'tx-addr')
      .text(e.addr);
  });
  const axis = svg.append('g').attr('transform', `translate(${left},0)`).attr('class', 'tx-axis');
  const body = svg.append('g').attr('clip-path', 'url(#tx-clip)');
  const bars = body.append('g');
  const lanes = body.append('g');
  xs.forEach((x) =>
    lanes
      .append('line')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', top)
      .attr('y2', H - bottom)
      .attr('class', 'tx-lane'),
  );
  const msgs = body.append('g');
  return { ...v, svg, axis, bars, msgs };
}

/** Each endpoint's state bars beside its line, named where tall enough. */
function drawStateBars(v: LadderView, y: ScaleLinear<number, number>): void {
  v.bars
    .selectAll('g')
    .data(v.spans)
    .join((enter) => {
      const g = enter.append('g');
      g.append('rect').attr('width', 12);
      g.append('text').attr('class', 'tx-state');
      g.append('title');
      return g;
    })
    .each(function (d) {
      const g = select(this);
      const b = stateBarGeometry(d, v.xs, y);
      g.select('rect')
        .attr('x', b.x)
        .attr('y', b.y0)
        .attr('height', b.y1 - b.y0)
        .attr('fill', STATE_COLOURS[d.state] ?? '#eee')
        .attr('stroke', '#999')
        .attr('stroke-width', 0.5);
      g.select('text')
        .attr('x', b.textX)
        .attr('y', b.y0 + 10)
        .attr('text-anchor', b.anchor)
        .text(b.named ? d.state : '');
      g.select('title').text(`${d.state} from ${d.from.toFixed(6)} s to ${d.to.toFixed(6)} s`);
    });
}

/** A segment's group the first time it is drawn: hit line, line, label, tooltip, hover and click. */
function enterSegment(
  v: LadderView,
  enter: Selection<EnterElement, LadderMessage, SVGGElement, unknown>,
): Selection<SVGGElement, LadderMessage, SVGGElement, unknown> {
  const g = enter.append('g').attr('class', 'tx-msg');
  g.append('line').attr('class', 'hit');
  g.append('line').attr('class', 'seg');
  g.append('text');
  g.append('title').text((m) => m.detail);
  // Hover shows a segment's fields; a click keeps them (until another click, or a click on it again).
  g.on('mouseenter', (_e, m) => {
    if (v.pinned === null) showDetails(v.details, m, recordsOf(m, v.model, v.records));
  });
  g.on('click', (_e, m) => {
    v.pinned = v.pinned === m ? null : m;
    v.msgs.selectAll<SVGGElement, LadderMessage>('g').classed('on', (d) => d === v.pinned);
    showDetails(v.details, m, recordsOf(m, v.model, v.records));
  });
  return g;
}

/** Every segment at this time scale; returns the labels inside the view, for the overlap check. */
function drawSegments(v: LadderView, y: ScaleLinear<number, number>): ShownLabel[] {
  const labels: ShownLabel[] = [];
  v.msgs
    .selectAll<SVGGElement, LadderMessage>('g')
    .data(v.model.messages)
    .join((enter) => enterSegment(v, enter))
    .each(function (m) {
      const g = select(this);
      const s = segmentGeometry(m, v.xs, y);
      const colour = colourOf(m);
      g.selectAll('line').attr('x1', s.x1).attr('y1', s.y1).attr('x2', s.x2).attr('y2', s.y2);
      g.select('line.seg')
        .attr('stroke', colour)
        .attr('stroke-dasharray', m.tRx === null ? '4 3' : null)
        .attr('marker-end', null);
      const t = g
        .select<SVGTextElement>('text')
        .attr('x', 0)
        .attr('y', -4)
        .attr('transform', `translate(${s.mx},${s.my}) rotate(${s.angle.toFixed(2)})`)
        .attr('text-anchor', 'middle')
        .attr('fill', colour)
        .text(s.text);
      if (s.my < v.top - 20 || s.my > v.H - v.bottom + 20) return;
      labels.push({ text: t.node()!, ...s.box });
    });
  return labels;
}

/** Redraws the axis, state bars and segments for a time scale, and hides labels that would overlap. */
function redrawLadder(v: LadderView, y: ScaleLinear<number, number>): void {
  const [d0, d1] = y.domain() as [number, number];
  v.axis.call(
    axisLeft(y)
      .ticks(8)
      .tickFormat((t) => timeFormat(d1 - d0)(Number(t))),
  );
  drawStateBars(v, y);
  const labels = drawSegments(v, y);
  const hiddenSet = declutter(labels);
  for (const l of labels) l.text.setAttribute('visibility', hiddenSet.has(l) ? 'hidden' : 'visible');
  const hidden = hiddenSet.size;
  v.hiddenNote.textContent =
    hidden > 0
      ? ` · ${hidden} label${hidden === 1 ? '' : 's'} hidden where ${hidden === 1 ? 'it' : 'they'} would overlap: zoom in, or point at a segment`
      : '';
}

/** Wheel and drag zoom and pan time only (the endpoints stay put); buttons for the whole connection and its segments. */
function zoomControls(
  v: LadderView,
  bar: Selection<HTMLDivElement, unknown, null, undefined>,
  y0: ScaleLinear<number, number>,
  span: number,
): void {
  const { W, H, top, bottom, svg, model } = v;
  const z = zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, 1e7])
    .extent([
      [0, top],
      [W, H - bottom],
    ])
    .translateExtent([
      [0, top],
      [W, H - bottom],
    ])
    .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => redrawLadder(v, e.transform.rescaleY(y0)));
  svg.call(z).on('dblclick.zoom', null);
  /** Shows [a, b] of simulated time over the diagram's height. */
  const show = (a: number, b: number): void => {
    const px = Math.max(y0(b) - y0(a), 1e-9);
    const k = Math.max(1, (H - bottom - top - 24) / px);
    svg.call(z.transform, zoomIdentity.translate(0, top + 12 - k * y0(a)).scale(k));
  };
  const [segA, segB] = segmentsSpan(model);
  bar
    .append('button')
    .attr('type', 'button')
    .text('whole connection')
    .on('click', () => svg.call(z.transform, zoomIdentity));
  if (model.messages.length > 0) {
    bar
      .append('button')
      .attr('type', 'button')
      .text('segments')
      .on('click', () => show(segA, segB));
    // Long quiet stretches (TIME-WAIT's 60 s) would squeeze the exchange into a few pixels: start on the segments.
    if (segB - segA < 0.2 * span) show(segA, segB);
  }
  bar.append('span').attr('class', 'note').text(' wheel: zoom in time · drag: pan');
  bar.node()!.append(v.hiddenNote);
}

export function drawLadder(
  box: HTMLElement,
  details: HTMLElement,
  model: LadderModel,
  records: readonly TraceEvent[],
  title: string,
): void {
  // One drawing unit per CSS pixel, so the labels show at their font size.
  const W = Math.max(520, Math.round(box.clientWidth || 640)),
    H = 600,
    top = 56,
    bottom = 16,
    left = 86;
  const xs = [left + 110, W - 110] as const;
  const t0 = model.tStart,
    t1 = Math.max(model.tEnd, model.tStart + 1e-6);
  const pad = (t1 - t0) * 0.03;
  const y0 = scaleLinear()
    .domain([t0 - pad, t1 + pad])
    .range([top, H - bottom]);
  select(box).html('');
  const bar = select(box).append('div').attr('class', 'tx-zoom');
  // Says how many labels are hidden at this zoom; placed after the buttons below.
  const hiddenNote = el('span', { className: 'note tx-hidden' });
  const v = ladderSkeleton(
    box,
    { W, H, top, bottom, left, xs, spans: stateSpans(model), model, records, details, hiddenNote, pinned: null },
    title,
  );
  redrawLadder(v, y0);
  zoomControls(v, bar, y0, t1 - t0);
}
