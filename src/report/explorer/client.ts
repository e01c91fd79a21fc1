/**
 * The trace explorer in the browser (bundled by explorer-script.ts into index.html, and by the
 * playground): a filterable list of a run's connections, and for the chosen one a ladder on a true
 * time axis that zooms and pans (d3-zoom; wheel or drag on the diagram), each endpoint's TCP state
 * timeline beside its line, and every field of a segment's records (sent, received or dropped, with
 * the drop reason) on click. Data comes in lazily (explore-data.ts): a run's index when the run is
 * chosen, a chunk of connections' records when one of them is opened. The list is drawn here, the
 * ladder by ladder-draw.ts (its geometry in ladder-view.ts, the list's filter in row-filter.ts).
 */
import { ladderModel } from '../ladder-model.ts';
import type { TraceEvent } from '../trace-records.ts';
import { chunkRecords, type ExploreChunk, type ExploreRow } from './explore-data.ts';
import { drawLadder } from './ladder-draw.ts';
import { el } from './dom.ts';
import { filterRows, reachedStates, slowestHandshakes, type RowFilter, type Trouble } from './row-filter.ts';

interface Boot {
  runs: { run: string; label: string; connections: number }[];
  cut?: string;
}

type Loaded = ExploreRow[] | ExploreChunk;
const waiting = new Map<string, (data: Loaded) => void>();
const cache = new Map<string, Promise<Loaded>>();
(window as unknown as { tcplabExplore: (path: string, data: Loaded) => void }).tcplabExplore = (path, data) =>
  waiting.get(path)?.(data);

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

const ROW_H = 22;
/** Milliseconds to the microsecond, trailing zeros dropped. */
const ms = (v: number): string => String(Number(v.toFixed(3)));
const runDir = (run: string): string => `explore/${encodeURIComponent(run || 'run')}`;

interface Controls {
  runSel: HTMLSelectElement;
  search: HTMLInputElement;
  stateSel: HTMLSelectElement;
  checks: (readonly [Trouble, HTMLInputElement])[];
  minHs: HTMLInputElement;
  sortSel: HTMLSelectElement;
  count: HTMLSpanElement;
  outliers: HTMLDivElement;
  list: HTMLDivElement;
  spacer: HTMLDivElement;
  ladderBox: HTMLDivElement;
  details: HTMLDivElement;
}

function makeControls(boot: Boot): Controls {
  const runSel = el(
    'select',
    { className: 'tx-run' },
    ...boot.runs.map((r) =>
      el('option', {
        value: r.run,
        textContent: `${r.label} (${r.connections} connection${r.connections === 1 ? '' : 's'})`,
      }),
    ),
  );
  const search = el('input', { type: 'search', placeholder: 'address or node', className: 'tx-search' });
  const stateSel = el('select', { className: 'tx-reached' });
  const checks = (['retransmitted', 'dropped', 'reset', 'not established'] as const).map(
    (name) => [name, el('input', { type: 'checkbox' })] as const,
  );
  const minHs = el('input', { type: 'number', min: '0', step: 'any', placeholder: 'ms', className: 'tx-hs' });
  const sortSel = el(
    'select',
    {},
    ...[
      ['t0', 'first packet'],
      ['hs', 'handshake time ↓'],
      ['segs', 'segments ↓'],
      ['retx', 'retransmissions ↓'],
    ].map(([v, t]) => el('option', { value: v!, textContent: t! })),
  );
  const count = el('span', { className: 'tx-count' });
  const outliers = el('div', { className: 'tx-outliers' });
  const list = el('div', { className: 'tx-list', tabIndex: 0 });
  const spacer = el('div', { className: 'tx-spacer' });
  list.append(spacer);
  const ladderBox = el(
    'div',
    { className: 'tx-ladder' },
    el('p', { className: 'note', textContent: 'Choose a connection above to draw its ladder.' }),
  );
  const details = el(
    'div',
    { className: 'tx-details' },
    el('p', { className: 'note', textContent: 'Click a segment for every field of its records.' }),
  );
  return { runSel, search, stateSel, checks, minHs, sortSel, count, outliers, list, spacer, ladderBox, details };
}

/** The filter bar, the outlier links, the list with its header, and the ladder beside its details. */
function mount(root: HTMLElement, boot: Boot, c: Controls): void {
  root.append(
    el(
      'div',
      { className: 'tx-bar' },
      el('label', {}, 'Run ', c.runSel),
      el('label', {}, 'Find ', c.search),
      el('label', {}, 'Reached ', c.stateSel),
      ...c.checks.map(([name, box]) => el('label', {}, box, ` ${name}`)),
      el('label', {}, 'handshake ≥ ', c.minHs, ' ms'),
      el('label', {}, 'Sort ', c.sortSel),
      c.count,
    ),
    c.outliers,
    el(
      'div',
      { className: 'tx-row tx-head' },
      ...['connection (initiator → peer)', 'first packet', 'handshake', 'last states', 'trouble'].map((t) =>
        el('span', { textContent: t }),
      ),
    ),
    c.list,
    el('div', { className: 'tx-view' }, c.ladderBox, c.details),
  );
  if (boot.cut) root.prepend(el('p', { className: 'note', textContent: boot.cut }));
}

function readFilter(c: Controls): RowFilter {
  return {
    query: c.search.value.trim(),
    state: c.stateSel.value,
    want: new Set(c.checks.filter(([, b]) => b.checked).map(([n]) => n)),
    minHandshakeMs: c.minHs.value === '' ? null : Number(c.minHs.value),
    sort: c.sortSel.value,
  };
}

interface ListState {
  rows: ExploreRow[];
  shown: ExploreRow[];
  chosen: number | null;
}

type Open = (r: ExploreRow) => Promise<void>;

/** One row of the list, placed at its index (the list is virtual). */
function rowElement(r: ExploreRow, k: number, chosen: number | null, open: Open): HTMLElement {
  const flags = [r[12] > 0 ? `${r[12]} retx` : '', r[13] > 0 ? `${r[13]} dropped` : '', r[14] ? 'RST' : '']
    .filter(Boolean)
    .join(' · ');
  const row = el(
    'div',
    { className: `tx-row${r[0] === chosen ? ' on' : ''}` },
    el('span', { textContent: `${r[3] ?? r[1]} → ${r[4] ?? r[2]}`, title: `${r[1]} → ${r[2]}` }),
    el('span', { textContent: `${r[5].toFixed(3)} s` }),
    el('span', { textContent: r[7] === null ? '—' : `${ms(r[7])} ms` }),
    el('span', { textContent: `${r[9] || '?'} / ${r[10] || '?'}` }),
    el('span', { className: 'warn', textContent: flags }),
  );
  row.style.top = `${k * ROW_H}px`;
  row.dataset.conn = String(r[0]);
  row.onclick = () => void open(r);
  return row;
}

/** Draws only the rows in view: a run may hold 100 000 connections. */
function paintRows(c: Controls, st: ListState, open: Open): void {
  const first = Math.max(0, Math.floor(c.list.scrollTop / ROW_H) - 5);
  const last = Math.min(st.shown.length, first + Math.ceil(c.list.clientHeight / ROW_H) + 10);
  const items: HTMLElement[] = [];
  for (let k = first; k < last; k++) items.push(rowElement(st.shown[k]!, k, st.chosen, open));
  c.spacer.replaceChildren(...items);
}

/** Filters and sorts the run's rows, sizes the list for them and scrolls it to the top. */
function applyFilter(c: Controls, st: ListState): void {
  st.shown = filterRows(st.rows, readFilter(c));
  c.count.textContent = `${st.shown.length} of ${st.rows.length} connections`;
  c.spacer.style.height = `${st.shown.length * ROW_H}px`;
  c.list.style.height = `${Math.min(220, Math.max(1, st.shown.length) * ROW_H + 2)}px`;
  c.list.scrollTop = 0;
}

/** "Slowest handshakes:" and a link to each, one click from its ladder. */
function outlierLinks(run: string, slow: readonly ExploreRow[], open: Open): HTMLElement[] {
  if (slow.length === 0) return [];
  return [
    el('span', { textContent: 'Slowest handshakes: ' }),
    ...slow.map((r) => {
      const a = el('a', {
        href: `#explore=${encodeURIComponent(run)}/${r[0]}`,
        textContent: `${ms(r[7]!)} ms (${r[3] ?? r[1]}, ${r[5].toFixed(3)} s)`,
      });
      a.onclick = (e) => {
        e.preventDefault();
        void open(r);
      };
      return a;
    }),
  ];
}

function start(root: HTMLElement, boot: Boot): void {
  const c = makeControls(boot);
  mount(root, boot, c);
  const st: ListState = { rows: [], shown: [], chosen: null };
  const paint = (): void => paintRows(c, st, open);
  const filter = (): void => {
    applyFilter(c, st);
    paint();
  };
  const open = async (r: ExploreRow): Promise<void> => {
    st.chosen = r[0];
    paint();
    const records = (await chunkOf(`${runDir(c.runSel.value)}/${r[15]}.js`)).get(r[0]) ?? [];
    const model = ladderModel(records, { a: r[1], b: r[2], nodeA: r[3], nodeB: r[4], firstT: r[5] });
    drawLadder(c.ladderBox, c.details, model, records, `${r[3] ?? r[1]} → ${r[4] ?? r[2]}`);
    root.dataset.open = String(r[0]);
  };
  const chooseRun = async (want?: number): Promise<void> => {
    st.rows = (await load(`${runDir(c.runSel.value)}/index.js`)) as ExploreRow[];
    c.stateSel.replaceChildren(
      el('option', { value: '', textContent: 'any state' }),
      ...reachedStates(st.rows).map((s) => el('option', { value: s, textContent: s })),
    );
    c.outliers.replaceChildren(...outlierLinks(c.runSel.value, slowestHandshakes(st.rows), open));
    filter();
    const first =
      st.rows.find((r) => r[0] === want) ?? st.rows.find((r) => r[3] !== null && r[4] !== null) ?? st.rows[0];
    if (first) await open(first);
  };
  /** `#explore=<run>/<connection>` opens that connection (a link from elsewhere on the page, or a bookmark). */
  const fromHash = (): boolean => {
    const m = /^#explore=([^/]*)\/(\d+)$/.exec(location.hash);
    if (!m || !boot.runs.some((r) => r.run === decodeURIComponent(m[1]!))) return false;
    c.runSel.value = decodeURIComponent(m[1]!);
    void chooseRun(Number(m[2])).then(() => root.scrollIntoView());
    return true;
  };
  window.addEventListener('hashchange', () => void fromHash());
  c.list.addEventListener('scroll', paint);
  for (const input of [c.search, c.minHs]) input.addEventListener('input', filter);
  for (const input of [c.stateSel, c.sortSel, ...c.checks.map(([, b]) => b)]) input.addEventListener('change', filter);
  c.runSel.addEventListener('change', () => void chooseRun());
  if (!fromHash())
    void chooseRun().catch((e: Error) => root.append(el('p', { className: 'skipped', textContent: e.message })));
}

for (const root of document.querySelectorAll<HTMLElement>('[data-tcplab-explorer]')) {
  const data = root.querySelector('script[type="application/json"]');
  if (data?.textContent) start(root, JSON.parse(data.textContent) as Boot);
}
