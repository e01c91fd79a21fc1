/**
 * The trace explorer in the browser (bundled by explorer-script.ts into index.html, and by the
 * playground): a filterable list of a run's connections, and for the chosen one a ladder on a true
 * time axis that zooms and pans (d3-zoom; wheel or drag on the diagram), each endpoint's TCP state
 * timeline beside its line, and every field of a segment's records (sent, received or dropped, with
 * the drop reason) on click. Data comes in lazily (explore-data.ts): a run's index when the run is
 * chosen, a chunk of connections' records when one of them is opened.
 */
import { axisLeft, scaleLinear, select, zoom, zoomIdentity, type D3ZoomEvent, type ScaleLinear } from 'd3';
import { ladderModel, type LadderMessage, type LadderModel } from '../ladder-model.ts';
import type { PacketTraceEvent, TraceEvent } from '../trace-records.ts';
import { chunkRecords, type ExploreChunk, type ExploreRow } from './explore-data.ts';

interface Boot {
  runs: { run: string; label: string; connections: number }[];
  cut?: string;
}

type Loaded = ExploreRow[] | ExploreChunk;
const waiting = new Map<string, (data: Loaded) => void>();
const cache = new Map<string, Promise<Loaded>>();
(window as unknown as { tcplabExplore: (path: string, data: Loaded) => void }).tcplabExplore = (path, data) => waiting.get(path)?.(data);

/** The playground keeps the explore/ files in memory, in the window that framed this page. */
function inMemory(path: string): string | undefined {
  try {
    const files = (window.parent as unknown as { tcplabExploreFiles?: Map<string, string> }).tcplabExploreFiles;
    return files?.get(path);
  } catch {
    return undefined; // a parent from another origin
  }
}

function load(path: string): Promise<Loaded> {
  let p = cache.get(path);
  if (p) return p;
  p = new Promise<Loaded>((resolve, reject) => {
    waiting.set(path, resolve);
    const s = document.createElement('script');
    const text = inMemory(path);
    if (text !== undefined) s.textContent = text;
    else {
      s.src = path;
      s.onerror = () => reject(new Error(`cannot load ${path} (it sits beside index.html, in explore/)`));
    }
    document.head.append(s);
  });
  cache.set(path, p);
  return p;
}

/** A chunk's records by connection, grouped once per chunk. */
const grouped = new Map<string, Promise<Map<number, TraceEvent[]>>>();
function chunkOf(path: string): Promise<Map<number, TraceEvent[]>> {
  let p = grouped.get(path);
  if (!p) grouped.set(path, (p = load(path).then((data) => chunkRecords(data as ExploreChunk))));
  return p;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};

const ROW_H = 22;
/** Milliseconds to the microsecond, trailing zeros dropped. */
const ms = (v: number): string => String(Number(v.toFixed(3)));
const runDir = (run: string): string => `explore/${encodeURIComponent(run || 'run')}`;

function start(root: HTMLElement, boot: Boot): void {
  const runSel = el('select', { className: 'tx-run' }, ...boot.runs.map((r) => el('option', { value: r.run, textContent: `${r.label} (${r.connections} connection${r.connections === 1 ? '' : 's'})` })));
  const search = el('input', { type: 'search', placeholder: 'address or node', className: 'tx-search' });
  const stateSel = el('select', { className: 'tx-reached' });
  const checks = (['retransmitted', 'dropped', 'reset', 'not established'] as const).map((name) => [name, el('input', { type: 'checkbox' })] as const);
  const minHs = el('input', { type: 'number', min: '0', step: 'any', placeholder: 'ms', className: 'tx-hs' });
  const sortSel = el('select', {}, ...[['t0', 'first packet'], ['hs', 'handshake time ↓'], ['segs', 'segments ↓'], ['retx', 'retransmissions ↓']].map(([v, t]) => el('option', { value: v!, textContent: t! })));
  const count = el('span', { className: 'tx-count' });
  const outliers = el('div', { className: 'tx-outliers' });
  const list = el('div', { className: 'tx-list', tabIndex: 0 });
  const spacer = el('div', { className: 'tx-spacer' });
  list.append(spacer);
  const ladderBox = el('div', { className: 'tx-ladder' }, el('p', { className: 'note', textContent: 'Choose a connection above to draw its ladder.' }));
  const details = el('div', { className: 'tx-details' }, el('p', { className: 'note', textContent: 'Click a segment for every field of its records.' }));
  root.append(
    el('div', { className: 'tx-bar' },
      el('label', {}, 'Run ', runSel), el('label', {}, 'Find ', search), el('label', {}, 'Reached ', stateSel),
      ...checks.map(([name, box]) => el('label', {}, box, ` ${name}`)), el('label', {}, 'handshake ≥ ', minHs, ' ms'), el('label', {}, 'Sort ', sortSel), count),
    outliers,
    el('div', { className: 'tx-row tx-head' }, ...['connection (initiator → peer)', 'first packet', 'handshake', 'last states', 'trouble'].map((t) => el('span', { textContent: t }))),
    list,
    el('div', { className: 'tx-view' }, ladderBox, details),
  );
  if (boot.cut) root.prepend(el('p', { className: 'note', textContent: boot.cut }));

  let rows: ExploreRow[] = [];
  let shown: ExploreRow[] = [];
  let chosen: number | null = null;

  const filter = (): void => {
    const q = search.value.trim();
    const st = stateSel.value;
    const want = new Set(checks.filter(([, b]) => b.checked).map(([n]) => n));
    const min = minHs.value === '' ? null : Number(minHs.value);
    shown = rows.filter((r) => {
      if (q && !`${r[1]} ${r[2]} ${r[3] ?? ''} ${r[4] ?? ''}`.includes(q)) return false;
      if (st && !r[8].split('|').includes(st)) return false;
      if (want.has('retransmitted') && r[12] === 0) return false;
      if (want.has('dropped') && r[13] === 0) return false;
      if (want.has('reset') && r[14] === 0) return false;
      if (want.has('not established') && r[8].split('|').includes('ESTABLISHED')) return false;
      if (min !== null && (r[7] === null || r[7] < min)) return false;
      return true;
    });
    const key = sortSel.value;
    if (key === 'hs') shown.sort((x, y) => (y[7] ?? -1) - (x[7] ?? -1));
    else if (key === 'segs') shown.sort((x, y) => y[11] - x[11]);
    else if (key === 'retx') shown.sort((x, y) => y[12] - x[12]);
    count.textContent = `${shown.length} of ${rows.length} connections`;
    spacer.style.height = `${shown.length * ROW_H}px`;
    list.style.height = `${Math.min(220, Math.max(1, shown.length) * ROW_H + 2)}px`;
    list.scrollTop = 0;
    paint();
  };

  /** Draws only the rows in view: a run may hold 100 000 connections. */
  const paint = (): void => {
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - 5);
    const last = Math.min(shown.length, first + Math.ceil(list.clientHeight / ROW_H) + 10);
    const items: HTMLElement[] = [];
    for (let k = first; k < last; k++) {
      const r = shown[k]!;
      const flags = [r[12] > 0 ? `${r[12]} retx` : '', r[13] > 0 ? `${r[13]} dropped` : '', r[14] ? 'RST' : ''].filter(Boolean).join(' · ');
      const row = el('div', { className: `tx-row${r[0] === chosen ? ' on' : ''}` },
        el('span', { textContent: `${r[3] ?? r[1]} → ${r[4] ?? r[2]}`, title: `${r[1]} → ${r[2]}` }),
        el('span', { textContent: `${r[5].toFixed(3)} s` }),
        el('span', { textContent: r[7] === null ? '—' : `${ms(r[7])} ms` }),
        el('span', { textContent: `${r[9] || '?'} / ${r[10] || '?'}` }),
        el('span', { className: 'warn', textContent: flags }));
      row.style.top = `${k * ROW_H}px`;
      row.dataset.conn = String(r[0]);
      row.onclick = () => void open(r);
      items.push(row);
    }
    spacer.replaceChildren(...items);
  };

  const open = async (r: ExploreRow): Promise<void> => {
    chosen = r[0];
    paint();
    const run = runSel.value;
    const records = (await chunkOf(`${runDir(run)}/${r[15]}.js`)).get(r[0]) ?? [];
    const model = ladderModel(records, { a: r[1], b: r[2], nodeA: r[3], nodeB: r[4], firstT: r[5] });
    drawLadder(ladderBox, details, model, records, `${r[3] ?? r[1]} → ${r[4] ?? r[2]}`);
    root.dataset.open = String(r[0]);
  };

  const chooseRun = async (want?: number): Promise<void> => {
    rows = (await load(`${runDir(runSel.value)}/index.js`)) as ExploreRow[];
    const states = [...new Set(rows.flatMap((r) => r[8].split('|').filter(Boolean)))].sort();
    stateSel.replaceChildren(el('option', { value: '', textContent: 'any state' }), ...states.map((s) => el('option', { value: s, textContent: s })));
    // The tail of the handshake-time distribution, one click from its ladders.
    // Only handshakes slower than the median: when every handshake took the RTT, none is an outlier.
    const timed = rows.filter((r) => r[7] !== null).sort((x, y) => y[7]! - x[7]! || x[0] - y[0]);
    const median = timed[Math.floor(timed.length / 2)]?.[7] ?? 0;
    const slow = timed.filter((r) => r[7]! > median).slice(0, 5);
    outliers.replaceChildren(...(slow.length > 0 ? [el('span', { textContent: 'Slowest handshakes: ' }), ...slow.map((r) => {
      const a = el('a', { href: `#explore=${encodeURIComponent(runSel.value)}/${r[0]}`, textContent: `${ms(r[7]!)} ms (${r[3] ?? r[1]}, ${r[5].toFixed(3)} s)` });
      a.onclick = (e) => {
        e.preventDefault();
        void open(r);
      };
      return a;
    })] : []));
    filter();
    const first = rows.find((r) => r[0] === want) ?? rows.find((r) => r[3] !== null && r[4] !== null) ?? rows[0];
    if (first) await open(first);
  };

  /** `#explore=<run>/<connection>` opens that connection (a link from elsewhere on the page, or a bookmark). */
  const fromHash = (): boolean => {
    const m = /^#explore=([^/]*)\/(\d+)$/.exec(location.hash);
    if (!m || !boot.runs.some((r) => r.run === decodeURIComponent(m[1]!))) return false;
    runSel.value = decodeURIComponent(m[1]!);
    void chooseRun(Number(m[2])).then(() => root.scrollIntoView());
    return true;
  };
  window.addEventListener('hashchange', () => void fromHash());

  list.addEventListener('scroll', paint);
  for (const input of [search, minHs]) input.addEventListener('input', filter);
  for (const input of [stateSel, sortSel, ...checks.map(([, b]) => b)]) input.addEventListener('change', filter);
  runSel.addEventListener('change', () => void chooseRun());
  if (!fromHash()) void chooseRun().catch((e: Error) => root.append(el('p', { className: 'skipped', textContent: e.message })));
}

const STATE_COLOURS: Record<string, string> = {
  SYN_SENT: '#9ecae1', SYN_RCVD: '#c6dbef', ESTABLISHED: '#74c476', FIN_WAIT_1: '#fdae6b', FIN_WAIT_2: '#fdd0a2',
  CLOSE_WAIT: '#bcbddc', LAST_ACK: '#9e9ac8', CLOSING: '#fd8d3c', TIME_WAIT: '#d9d9d9', LISTEN: '#f0f0f0',
};

function colourOf(m: LadderMessage): string {
  if (m.flags.includes('R')) return '#c62828';
  if (m.retx) return '#E69F00';
  if (m.flags.includes('S')) return '#0072B2';
  if (m.flags.includes('F')) return '#7b3294';
  return '#333';
}

function timeFormat(span: number): (t: number) => string {
  const digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10(Math.max(span, 1e-9) / 5))));
  return (t) => `${t.toFixed(digits)} s`;
}

/** The records behind one drawn segment: its tx, and its rx or drop. */
function recordsOf(m: LadderMessage, model: LadderModel, records: readonly TraceEvent[]): PacketTraceEvent[] {
  const src = model.endpoints[m.from].addr;
  const same = (r: PacketTraceEvent): boolean => r.src === src && r.flags === m.flags && r.seq === m.seq && r.ack === m.ack && (r.len ?? 0) === m.len;
  const out = records.filter((r): r is PacketTraceEvent => r.ev === 'tx' && r.t === m.tTx && same(r)).slice(0, 1);
  if (m.tRx !== null) out.push(...records.filter((r): r is PacketTraceEvent => r.ev === 'rx' && r.t === m.tRx && same(r)).slice(0, 1));
  if (m.drop) out.push(...records.filter((r): r is PacketTraceEvent => r.ev === 'drop' && r.t === m.drop!.t && same(r)).slice(0, 1));
  return out;
}

function showDetails(box: HTMLElement, m: LadderMessage, recs: readonly PacketTraceEvent[]): void {
  const tables = recs.map((r) => {
    const title = r.ev === 'tx' ? `sent by ${r.node}` : r.ev === 'rx' ? `received by ${r.node}` : `dropped at ${r.node}: ${String(r.reason ?? '?')}`;
    return el('table', {}, el('caption', { textContent: title }),
      ...Object.entries(r).filter(([k]) => k !== 'run').map(([k, v]) => el('tr', {}, el('th', { textContent: k }), el('td', { textContent: typeof v === 'object' ? JSON.stringify(v) : String(v) }))));
  });
  box.replaceChildren(el('p', { className: 'tx-label', textContent: m.label }), ...tables, ...(m.tRx === null && !m.drop ? [el('p', { className: 'note', textContent: 'Never received (the run ended first, or the peer is not traced).' })] : []));
}

/** Pixels per character of a segment label (10.5 px sans-serif, measured on DejaVu Sans / Liberation Sans). */
const LABEL_CHAR_W = 6.2;
const LABEL_H = 13;

interface LabelBox {
  text: SVGTextElement;
  cx: number;
  cy: number;
  /** Half-extents of the rotated label's bounding box. */
  hw: number;
  hh: number;
}

/**
 * Shows labels top to bottom and hides each that would overlap one already shown (their text stays
 * in the segment's tooltip and details); returns how many were hidden.
 */
function declutter(labels: LabelBox[]): number {
  labels.sort((a, b) => a.cy - b.cy);
  const shown: LabelBox[] = [];
  let hidden = 0;
  let tallest = 0;
  for (const l of labels) {
    let clash = false;
    for (let k = shown.length - 1; k >= 0; k--) {
      const o = shown[k]!;
      if (l.cy - o.cy >= l.hh + tallest) break; // sorted by y: nothing further up can reach down here
      if (Math.abs(l.cx - o.cx) < l.hw + o.hw && Math.abs(l.cy - o.cy) < l.hh + o.hh) {
        clash = true;
        break;
      }
    }
    l.text.setAttribute('visibility', clash ? 'hidden' : 'visible');
    if (clash) hidden++;
    else {
      shown.push(l);
      tallest = Math.max(tallest, l.hh);
    }
  }
  return hidden;
}

function drawLadder(box: HTMLElement, details: HTMLElement, model: LadderModel, records: readonly TraceEvent[], title: string): void {
  // One drawing unit per CSS pixel, so the labels show at their font size.
  const W = Math.max(520, Math.round(box.clientWidth || 640)), H = 600, top = 56, bottom = 16, left = 86;
  const xs = [left + 110, W - 110] as const;
  const t0 = model.tStart, t1 = Math.max(model.tEnd, model.tStart + 1e-6);
  const pad = (t1 - t0) * 0.03;
  const y0 = scaleLinear().domain([t0 - pad, t1 + pad]).range([top, H - bottom]);
  select(box).html('');
  const bar = select(box).append('div').attr('class', 'tx-zoom');
  // Says how many labels are hidden at this zoom; placed after the buttons below.
  const hiddenNote = el('span', { className: 'note tx-hidden' });
  const svg = select(box).append('svg').attr('viewBox', `0 0 ${W} ${H}`).attr('class', 'tx-svg').attr('role', 'img').attr('aria-label', `ladder of ${title}`);
  svg.append('defs').append('clipPath').attr('id', 'tx-clip').append('rect').attr('x', left - 4).attr('y', top - 4).attr('width', W - left).attr('height', H - top - bottom + 8);
  svg.append('text').attr('x', W / 2).attr('y', 16).attr('text-anchor', 'middle').attr('class', 'tx-title').text(title);
  model.endpoints.forEach((e, s) => {
    svg.append('text').attr('x', xs[s]!).attr('y', 36).attr('text-anchor', 'middle').attr('class', 'tx-end').text(e.node ?? '(not traced)');
    svg.append('text').attr('x', xs[s]!).attr('y', 49).attr('text-anchor', 'middle').attr('class', 'tx-addr').text(e.addr);
  });
  const axis = svg.append('g').attr('transform', `translate(${left},0)`).attr('class', 'tx-axis');
  const body = svg.append('g').attr('clip-path', 'url(#tx-clip)');
  const bars = body.append('g');
  const lanes = body.append('g');
  xs.forEach((x) => lanes.append('line').attr('x1', x).attr('x2', x).attr('y1', top).attr('y2', H - bottom).attr('class', 'tx-lane'));
  const msgs = body.append('g');
  const stateSpans = model.states.flatMap((changes, s) => changes.map((c, k) => ({ s, state: c.to, from: c.t, to: changes[k + 1]?.t ?? model.tEnd })));
  const redraw = (y: ScaleLinear<number, number>): void => {
    const [d0, d1] = y.domain() as [number, number];
    axis.call(axisLeft(y).ticks(8).tickFormat((t) => timeFormat(d1 - d0)(Number(t))));
    bars.selectAll('g').data(stateSpans).join((enter) => {
      const g = enter.append('g');
      g.append('rect').attr('width', 12);
      g.append('text').attr('class', 'tx-state');
      g.append('title');
      return g;
    }).each(function (d) {
      const g = select(this);
      const x = d.s === 0 ? xs[0] - 16 : xs[1] + 4;
      const ya = y(d.from), yb = Math.max(y(d.to), ya + 1);
      g.select('rect').attr('x', x).attr('y', ya).attr('height', yb - ya).attr('fill', STATE_COLOURS[d.state] ?? '#eee').attr('stroke', '#999').attr('stroke-width', 0.5);
      g.select('text').attr('x', d.s === 0 ? x - 4 : x + 16).attr('y', ya + 10).attr('text-anchor', d.s === 0 ? 'end' : 'start').text(yb - ya > 11 ? d.state : '');
      g.select('title').text(`${d.state} from ${d.from.toFixed(6)} s to ${d.to.toFixed(6)} s`);
    });
    const labels: LabelBox[] = [];
    msgs.selectAll<SVGGElement, LadderMessage>('g').data(model.messages).join((enter) => {
      const g = enter.append('g').attr('class', 'tx-msg');
      g.append('line').attr('class', 'hit');
      g.append('line').attr('class', 'seg');
      g.append('text');
      g.append('title').text((m) => m.detail);
      // Hover shows a segment's fields; a click keeps them (until another click, or a click on it again).
      g.on('mouseenter', (_e, m) => {
        if (pinned === null) showDetails(details, m, recordsOf(m, model, records));
      });
      g.on('click', (_e, m) => {
        pinned = pinned === m ? null : m;
        msgs.selectAll<SVGGElement, LadderMessage>('g').classed('on', (d) => d === pinned);
        showDetails(details, m, recordsOf(m, model, records));
      });
      return g;
    }).each(function (m) {
      const g = select(this);
      const xa = xs[m.from], xb = xs[m.from === 0 ? 1 : 0];
      const ya = y(m.tTx);
      let x2 = xb, y2: number;
      if (m.tRx !== null) y2 = y(m.tRx);
      else if (m.drop) {
        y2 = y(m.drop.t);
        x2 = (xa + xb) / 2;
      } else {
        x2 = xa + (xb - xa) * 0.35;
        y2 = ya + 12;
      }
      const colour = colourOf(m);
      g.selectAll('line').attr('x1', xa).attr('y1', ya).attr('x2', x2).attr('y2', y2);
      g.select('line.seg').attr('stroke', colour).attr('stroke-dasharray', m.tRx === null ? '4 3' : null).attr('marker-end', null);
      // The label rides along its segment, just above it, as in the static ladder (ladder.ts).
      const mx = (xa + x2) / 2, my = (ya + y2) / 2;
      let angle = (Math.atan2(y2 - ya, x2 - xa) * 180) / Math.PI;
      if (angle > 90) angle -= 180;
      else if (angle < -90) angle += 180;
      const text = m.drop ? `${m.label} ✕ ${m.drop.reason}` : m.label;
      const t = g.select<SVGTextElement>('text').attr('x', 0).attr('y', -4).attr('transform', `translate(${mx},${my}) rotate(${angle.toFixed(2)})`).attr('text-anchor', 'middle').attr('fill', colour).text(text);
      if (my < top - 20 || my > H - bottom + 20) return;
      const rad = (angle * Math.PI) / 180, w = text.length * LABEL_CHAR_W;
      // The label's centre sits 4 px + half its height above the line, across it.
      const off = 4 + LABEL_H / 2 - 3;
      labels.push({ text: t.node()!, cx: mx + off * Math.sin(rad), cy: my - off * Math.cos(rad), hw: (w * Math.abs(Math.cos(rad)) + LABEL_H * Math.abs(Math.sin(rad))) / 2, hh: (w * Math.abs(Math.sin(rad)) + LABEL_H * Math.abs(Math.cos(rad))) / 2 });
    });
    const hidden = declutter(labels);
    hiddenNote.textContent = (hidden > 0 ? ` · ${hidden} label${hidden === 1 ? '' : 's'} hidden where ${hidden === 1 ? 'it' : 'they'} would overlap: zoom in, or point at a segment` : '');
  };
  let pinned: LadderMessage | null = null;
  redraw(y0);
  // Zoom and pan act on time only: the two endpoints stay where they are.
  const z = zoom<SVGSVGElement, unknown>().scaleExtent([1, 1e7]).extent([[0, top], [W, H - bottom]]).translateExtent([[0, top], [W, H - bottom]])
    .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => redraw(e.transform.rescaleY(y0)));
  svg.call(z).on('dblclick.zoom', null);
  /** Shows [a, b] of simulated time over the diagram's height. */
  const show = (a: number, b: number): void => {
    const span = Math.max(y0(b) - y0(a), 1e-9);
    const k = Math.max(1, (H - bottom - top - 24) / span);
    svg.call(z.transform, zoomIdentity.translate(0, top + 12 - k * y0(a)).scale(k));
  };
  const segA = Math.min(...model.messages.map((m) => m.tTx));
  const segB = Math.max(...model.messages.map((m) => Math.max(m.tTx, m.tRx ?? m.drop?.t ?? m.tTx)));
  bar.append('button').attr('type', 'button').text('whole connection').on('click', () => svg.call(z.transform, zoomIdentity));
  if (model.messages.length > 0) {
    bar.append('button').attr('type', 'button').text('segments').on('click', () => show(segA, segB));
    // Long quiet stretches (TIME-WAIT's 60 s) would squeeze the exchange into a few pixels: start on the segments.
    if (segB - segA < 0.2 * (t1 - t0)) show(segA, segB);
  }
  bar.append('span').attr('class', 'note').text(' wheel: zoom in time · drag: pan');
  bar.node()!.append(hiddenNote);
}

for (const root of document.querySelectorAll<HTMLElement>('[data-tcplab-explorer]')) {
  const data = root.querySelector('script[type="application/json"]');
  if (data?.textContent) start(root, JSON.parse(data.textContent) as Boot);
}
