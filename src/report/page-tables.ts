/**
 * The report page's tables: the experiment's parameters (read from the spec as stored, which is
 * the file as written after --set overrides) and the aggregate metrics, mean ± 95 % CI per sweep
 * point, one column per point.
 */
import { format } from 'd3';
import { Problems } from '../experiment/errors.ts';
import { GENERATOR_KEY, expandGenerator } from '../experiment/generators.ts';
import type { AggregateRow } from '../schema/results.ts';
import { metricLabel, shortParamNames } from './labels.ts';
import { isObject } from './plain-data.ts';
import { esc } from './svg.ts';
import { valueLabel } from './sweep-values.ts';

/** Metric values for tables: integers as integers, other numbers with 3–4 significant digits. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e9) return format(',')(x);
  if (a >= 1000) return format(',.0f')(x);
  if (a >= 100) return format('.1f')(x);
  if (a >= 1) return format('.2f')(x);
  if (a === 0) return '0';
  return format('.3~r')(x);
}

function inline(v: unknown): string {
  if (isObject(v)) {
    return Object.entries(v)
      .map(([k, w]) => `${k}: ${isObject(w) || Array.isArray(w) ? JSON.stringify(w) : valueLabel(w)}`)
      .join(', ');
  }
  if (Array.isArray(v)) return v.map(valueLabel).join(', ');
  return valueLabel(v);
}

/**
 * The paths sweep axes set: a path axis's own path (the file's value there is used by no run, so
 * the table says "swept"), and the paths a named axis's variants override (the file's value holds
 * where a variant leaves it alone: "<value> unless <axis> sets it").
 */
function sweptPaths(sweep: unknown): Map<string, string | null> {
  const paths = new Map<string, string | null>();
  if (!isObject(sweep)) return paths;
  for (const [key, values] of Object.entries(sweep)) {
    if (isObject(values)) {
      for (const v of Object.values(values))
        for (const p of isObject(v) ? Object.keys(v) : []) if (!paths.has(p)) paths.set(p, key);
    } else paths.set(key, null);
  }
  return paths;
}

/** A map's entries, those a sweep sets (under `prefix`) marked so no run's value is misread. */
function withSwept(
  map: Record<string, unknown>,
  prefix: string,
  swept: ReadonlyMap<string, string | null>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    const axis = swept.get(`${prefix}.${k}`);
    out[k] = axis === undefined ? v : axis === null ? 'swept' : `${valueLabel(v)} unless ${axis} sets it`;
  }
  return out;
}

/** "1000000ns" → "1ms", "1000000000bps" → "1Gbps": a generator's defaults as one would write them. */
function tidyUnits(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(\d+)(ns|bps)$/.exec(v);
  if (!m) return v;
  const n = Number(m[1]);
  const steps: [number, string][] =
    m[2] === 'ns'
      ? [
          [1e9, 's'],
          [1e6, 'ms'],
          [1e3, 'us'],
          [1, 'ns'],
        ]
      : [
          [1e9, 'Gbps'],
          [1e6, 'Mbps'],
          [1e3, 'Kbps'],
          [1, 'bps'],
        ];
  const [f, unit] = steps.find(([f]) => n % f === 0)!;
  return `${n / f}${unit}`;
}

function nodesText(nodes: unknown): string {
  if (!Array.isArray(nodes)) return '';
  return nodes
    .map((n) =>
      isObject(n)
        ? `${valueLabel(n.name)}${typeof n.count === 'number' && n.count > 1 ? ` ×${n.count}` : ''}${n.kind === 'router' ? ' (router)' : ''}`
        : valueLabel(n),
    )
    .join(', ');
}

function linkRows(links: unknown): [string, string][] {
  if (!Array.isArray(links)) return [];
  return links.filter(isObject).map((l) => {
    const { between, ...rest } = l;
    const props = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, tidyUnits(v)]));
    return [
      '  link',
      `${Array.isArray(between) ? between.map(valueLabel).join(' – ') : ''}${Object.keys(props).length > 0 ? `: ${inline(props)}` : ''}`,
    ];
  });
}

/**
 * The Topology row and its links: a file name, the nodes and links as written, or for a generated
 * topology the generator with its parameters and what it expands to.
 */
function topologyRows(t: unknown): [string, string][] {
  if (typeof t === 'string') return [['Topology', t]];
  if (!isObject(t)) return [];
  if (typeof t[GENERATOR_KEY] === 'string') {
    const { [GENERATOR_KEY]: gen, ...params } = t;
    const head = `${valueLabel(gen)} generator${Object.keys(params).length > 0 ? ` (${inline(params)})` : ''}`;
    const expanded = expandGenerator(new Problems(), ['topology'], t);
    if (!expanded) return [['Topology', head]];
    return [['Topology', `${head}: ${nodesText(expanded.nodes)}`], ...linkRows(expanded.links)];
  }
  return [
    ['Topology', `${t.name !== undefined ? `${valueLabel(t.name)}: ` : ''}${nodesText(t.nodes)}`],
    ...linkRows(t.links),
  ];
}

/** Rows of (parameter, value) describing the experiment. */
export function parameterRows(spec: unknown, runCount: number, seeds: number[]): [string, string][] {
  const s = isObject(spec) ? spec : {};
  const swept = sweptPaths(s.sweep);
  const rows: [string, string][] = [];
  if (s.name !== undefined) rows.push(['Experiment', valueLabel(s.name)]);
  rows.push(...topologyRows(s.topology));
  if (s.duration !== undefined) rows.push(['Duration', valueLabel(s.duration)]);
  const uniq = [...new Set(seeds)].sort((a, b) => a - b);
  if (uniq.length > 0) {
    const contiguous = uniq.length > 2 && uniq[uniq.length - 1]! - uniq[0]! === uniq.length - 1;
    rows.push([
      'Seeds',
      `${contiguous ? `${uniq[0]}–${uniq[uniq.length - 1]}` : uniq.join(', ')} (${uniq.length} per point)`,
    ]);
  } else if (s.seeds !== undefined) rows.push(['Seeds', `${valueLabel(s.seeds)} from ${valueLabel(s.seed ?? 1)}`]);
  if (isObject(s.sweep)) {
    for (const [path, values] of Object.entries(s.sweep)) {
      if (isObject(values)) {
        // A named axis: each variant and the overrides it applies.
        rows.push([`Sweep ${path}`, Object.keys(values).join(', ')]);
        for (const [name, overrides] of Object.entries(values)) {
          rows.push([
            `  ${name}`,
            isObject(overrides) && Object.keys(overrides).length === 0 ? '(the spec as written)' : inline(overrides),
          ]);
        }
      } else
        rows.push([`Sweep ${path}`, Array.isArray(values) ? values.map(valueLabel).join(', ') : valueLabel(values)]);
    }
  }
  rows.push(['Runs', String(runCount)]);
  if (isObject(s.tcp)) rows.push(['TCP', inline(withSwept(s.tcp, 'tcp', swept))]);
  if (isObject(s.nodes)) for (const [n, v] of Object.entries(s.nodes)) rows.push([`Node ${n}`, inline(v)]);
  if (isObject(s.apps)) {
    for (const [id, app] of Object.entries(s.apps)) {
      if (!isObject(app)) continue;
      const { kind, on, ...rest } = withSwept(app, `apps.${id}`, swept);
      rows.push([
        `App ${id}`,
        `${valueLabel(kind ?? '?')} on ${valueLabel(on ?? '?')}${Object.keys(rest).length > 0 ? `; ${inline(rest)}` : ''}`,
      ]);
    }
  }
  return rows;
}

export function parameterTable(rows: readonly [string, string][]): string {
  const body = rows
    .map(([k, v]) =>
      k.startsWith('  ')
        ? `<tr class="sub"><th>${esc(k.trim())}</th><td>${esc(v)}</td></tr>`
        : `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`,
    )
    .join('\n');
  return `<table class="params">\n${body}\n</table>`;
}

/**
 * Metrics left out of the page: wall-clock time differs between identical runs, and the page must
 * stay byte-identical when the simulation results are.
 */
export const UNREPRODUCIBLE: ReadonlySet<string> = new Set(['sim.wall_s']);

/** Points per table: wider tables do not fit a printed page. */
const COLUMNS_PER_TABLE = 4;

/** Aggregate metrics: rows are metrics (grouped by their first name part), columns points. */
export function aggregateTables(aggregate: readonly AggregateRow[], sweepPaths: readonly string[]): string {
  if (aggregate.length === 0) return '<p class="note">No aggregate metrics in summary.json.</p>';
  const names: string[] = [];
  for (const a of aggregate)
    for (const k of Object.keys(a.metrics)) if (!names.includes(k) && !UNREPRODUCIBLE.has(k)) names.push(k);
  const short = shortParamNames(sweepPaths);
  const out: string[] = [];
  for (let c0 = 0; c0 < aggregate.length; c0 += COLUMNS_PER_TABLE) {
    const cols = aggregate.slice(c0, c0 + COLUMNS_PER_TABLE);
    const head = cols
      .map((a) => {
        const lines = sweepPaths
          .filter((p) => p in a.point)
          .map((p) => `${esc(short.get(p) ?? p)}=<b>${esc(valueLabel(a.point[p]))}</b>`);
        return `<th scope="col">${lines.length > 0 ? lines.join('<br>') : 'all runs'}</th>`;
      })
      .join('');
    const rows: string[] = [];
    let group = '';
    for (const name of names) {
      const g = name.split('.')[0]!;
      if (g !== group) {
        group = g;
        rows.push(`<tr class="group"><th colspan="${cols.length + 1}">${esc(metricLabel(g).name)}</th></tr>`);
      }
      const cells = cols
        .map((a) => {
          const m = a.metrics[name];
          if (!m) return '<td class="na">–</td>';
          const ci = m.n > 1 && m.ci95 > 0 ? ` <span class="ci">± ${esc(formatValue(m.ci95))}</span>` : '';
          return `<td title="min ${esc(formatValue(m.min))}, max ${esc(formatValue(m.max))}, n = ${m.n}">${esc(formatValue(m.mean))}${ci}</td>`;
        })
        .join('');
      const unit = metricLabel(name).unit;
      rows.push(
        `<tr><th scope="row"><code>${esc(name)}</code>${unit ? ` <span class="unit">${esc(unit)}</span>` : ''}</th>${cells}</tr>`,
      );
    }
    out.push(
      `<div class="table-wrap"><table class="metrics">\n<thead><tr><th scope="col">metric</th>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`,
    );
  }
  return out.join('\n');
}
