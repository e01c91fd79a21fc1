/**
 * `tcplab compare A B`: two results folders' metrics side by side, per sweep point present in
 * both, with the difference B − A and whether it is beyond the seeds' spread.
 *
 * "Beyond the spread" is Welch's two-sided t-test at the 5 % level on the per-seed values (the
 * runs in summary.json): it does not assume equal variances, and with the few seeds experiments
 * use its Student-t critical value is wider than a normal test's. With fewer than 2 seeds on a side
 * there is no spread to compare against ("1 seed"); when every seed on each side gives one value
 * (no variance, as deterministic metrics do) a difference is beyond the spread by definition.
 * Pure functions: the CLI reads the folders and writes what these return.
 */
import { studentT975, studentTCdf } from '../metrics/statistics.ts';
import type { PointValues, Summary } from '../schema/results.ts';
import { htmlPage } from './page.ts';
import { esc } from './svg.ts';

export interface Side {
  /** The folder as the user named it. */
  dir: string;
  summary: Summary;
}

export interface MetricComparison {
  metric: string;
  a: Stats;
  b: Stats;
  /** B − A of the means. */
  diff: number;
  /** Welch's t-test; null with fewer than 2 seeds on a side. */
  test: { p: number; beyond: boolean } | null;
}

export interface Stats {
  mean: number;
  /** 95 % half-width (Student t), 0 with one seed. */
  ci95: number;
  n: number;
}

export interface PointComparison {
  point: PointValues;
  metrics: MetricComparison[];
}

export interface Comparison {
  a: { dir: string; experiment: string; runs: number };
  b: { dir: string; experiment: string; runs: number };
  /** Spec paths whose values differ, as "path: A → B" (sweep and charts included). */
  specDiffs: string[];
  points: PointComparison[];
  onlyA: PointValues[];
  onlyB: PointValues[];
}

/** A point's identity: its values in key order. */
function pointKey(p: PointValues): string {
  return JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k]]),
  );
}

function stats(values: readonly number[]): Stats {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, ci95: 0, n };
  const sd = Math.sqrt(variance(values, mean));
  return { mean, ci95: studentT975(n - 1) * (sd / Math.sqrt(n)), n };
}

function variance(values: readonly number[], mean: number): number {
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return ss / (values.length - 1);
}

/** Welch's two-sided t-test at 5 %; null when a side has fewer than 2 values. */
export function welchTest(a: readonly number[], b: readonly number[]): { p: number; beyond: boolean } | null {
  if (a.length < 2 || b.length < 2) return null;
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  const qa = variance(a, ma) / a.length;
  const qb = variance(b, mb) / b.length;
  const se2 = qa + qb;
  if (se2 === 0) return ma === mb ? { p: 1, beyond: false } : { p: 0, beyond: true };
  const t = (mb - ma) / Math.sqrt(se2);
  // Welch–Satterthwaite degrees of freedom
  const df = (se2 * se2) / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  const p = 2 * (1 - studentTCdf(Math.abs(t), df));
  return { p, beyond: Math.abs(t) > studentT975(df) };
}

/** Numeric per-seed values of each metric at each point. */
function valuesByPoint(s: Summary): Map<string, { point: PointValues; metrics: Map<string, number[]> }> {
  const out = new Map<string, { point: PointValues; metrics: Map<string, number[]> }>();
  for (const run of s.runs) {
    const key = pointKey(run.point);
    let g = out.get(key);
    if (g === undefined) out.set(key, (g = { point: run.point, metrics: new Map() }));
    for (const [m, v] of Object.entries(run.metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let list = g.metrics.get(m);
      if (list === undefined) g.metrics.set(m, (list = []));
      list.push(v);
    }
  }
  return out;
}

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, w] of Object.entries(v)) flatten(w, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, JSON.stringify(v));
}

export function compareSummaries(a: Side, b: Side): Comparison {
  const fa = new Map<string, string>(),
    fb = new Map<string, string>();
  flatten(a.summary.spec, '', fa);
  flatten(b.summary.spec, '', fb);
  const specDiffs: string[] = [];
  for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    if (path === 'charts' || path.startsWith('charts.')) continue;
    const va = fa.get(path),
      vb = fb.get(path);
    if (va !== vb) specDiffs.push(`${path}: ${va ?? '(unset)'} → ${vb ?? '(unset)'}`);
  }
  const pa = valuesByPoint(a.summary),
    pb = valuesByPoint(b.summary);
  const points: PointComparison[] = [];
  const onlyA: PointValues[] = [];
  for (const [key, ga] of pa) {
    const gb = pb.get(key);
    if (gb === undefined) {
      onlyA.push(ga.point);
      continue;
    }
    const metrics: MetricComparison[] = [];
    for (const metric of [...ga.metrics.keys()].filter((m) => gb.metrics.has(m)).sort()) {
      const va = ga.metrics.get(metric)!,
        vb = gb.metrics.get(metric)!;
      const sa = stats(va),
        sb = stats(vb);
      metrics.push({ metric, a: sa, b: sb, diff: sb.mean - sa.mean, test: welchTest(va, vb) });
    }
    points.push({ point: ga.point, metrics });
  }
  const onlyB = [...pb].filter(([key]) => !pa.has(key)).map(([, g]) => g.point);
  return {
    a: { dir: a.dir, experiment: a.summary.experiment, runs: a.summary.runs.length },
    b: { dir: b.dir, experiment: b.summary.experiment, runs: b.summary.runs.length },
    specDiffs,
    points,
    onlyA,
    onlyB,
  };
}

// ---- rendering --------------------------------------------------------------------------------

function num(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

function statsText(s: Stats): string {
  return s.n >= 2 ? `${num(s.mean)} ± ${num(s.ci95)}` : num(s.mean);
}

function diffText(m: MetricComparison): string {
  if (m.diff === 0) return '=';
  const rel = m.a.mean !== 0 ? ` (${m.diff > 0 ? '+' : ''}${num((100 * m.diff) / Math.abs(m.a.mean))} %)` : '';
  return `${m.diff > 0 ? '+' : ''}${num(m.diff)}${rel}`;
}

function verdict(m: MetricComparison): string {
  if (m.test === null) return m.diff === 0 ? '' : '1 seed';
  if (!m.test.beyond) return m.diff === 0 ? '' : `no (p = ${num(m.test.p)})`;
  return m.test.p === 0 ? 'yes (no spread)' : `yes (p = ${num(m.test.p)})`;
}

export function pointLabel(p: PointValues): string {
  const parts = Object.entries(p).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? '(no sweep)' : parts.join(', ');
}

export const METHOD =
  "beyond the spread: Welch's two-sided t-test on the per-seed values, p < 0.05 (needs 2 or more seeds per side); ± is the 95 % confidence half-width (Student t)";

/** The comparison as text; `all` false lists only metrics whose means differ. */
export function comparisonText(c: Comparison, all = false): string {
  const lines: string[] = [];
  lines.push(`A: ${c.a.dir} (${c.a.experiment}, ${c.a.runs} runs)`);
  lines.push(`B: ${c.b.dir} (${c.b.experiment}, ${c.b.runs} runs)`);
  lines.push(
    c.specDiffs.length === 0
      ? 'spec: identical'
      : `spec differences (A → B):\n${c.specDiffs.map((d) => `  ${d}`).join('\n')}`,
  );
  lines.push(METHOD);
  for (const p of c.points) {
    const rows = all ? p.metrics : p.metrics.filter((m) => m.diff !== 0);
    lines.push(
      '',
      `${pointLabel(p.point)}: ${rows.length === 0 ? `all ${p.metrics.length} metrics identical` : `${p.metrics.filter((m) => m.diff !== 0).length} of ${p.metrics.length} metrics differ`}`,
    );
    if (rows.length === 0) continue;
    const table = [
      ['metric', 'A', 'B', 'B − A', 'beyond spread'],
      ...rows.map((m) => [m.metric, statsText(m.a), statsText(m.b), diffText(m), verdict(m)]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    for (const r of table)
      lines.push(
        `  ${r
          .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join('  ')
          .trimEnd()}`,
      );
  }
  if (c.onlyA.length > 0) lines.push('', `only in A: ${c.onlyA.map(pointLabel).join('; ')}`);
  if (c.onlyB.length > 0) lines.push('', `only in B: ${c.onlyB.map(pointLabel).join('; ')}`);
  return lines.join('\n') + '\n';
}

/** The comparison as one self-contained page, in the report's style; every metric is listed. */
export function comparisonHtml(c: Comparison): string {
  const sections = c.points.map((p) => {
    const rows = p.metrics.map((m) => {
      const cls = m.test?.beyond ? ' class="beyond"' : '';
      return `<tr${cls}><th scope="row">${esc(m.metric)}</th><td>${esc(statsText(m.a))}</td><td>${esc(statsText(m.b))}</td><td>${esc(diffText(m))}</td><td>${esc(verdict(m))}</td></tr>`;
    });
    return `<h3>${esc(pointLabel(p.point))}</h3>\n<div class="table-wrap"><table class="metrics">\n<thead><tr><th>metric</th><th>A</th><th>B</th><th>B − A</th><th>beyond spread</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
  });
  const only = [
    c.onlyA.length > 0 ? `<p class="note">Only in A: ${esc(c.onlyA.map(pointLabel).join('; '))}</p>` : '',
    c.onlyB.length > 0 ? `<p class="note">Only in B: ${esc(c.onlyB.map(pointLabel).join('; '))}</p>` : '',
  ].join('\n');
  const title = `${c.a.experiment} vs ${c.b.experiment}`;
  return htmlPage({
    tool: 'compare',
    title,
    titleSuffix: 'tcplab comparison',
    lede: `tcplab comparison · A: <code>${esc(c.a.dir)}</code> (${c.a.runs} runs) · B: <code>${esc(c.b.dir)}</code> (${c.b.runs} runs)`,
    css: `
h3 { font-size: 16px; margin: 24px 0 6px; }
table.metrics tr.beyond td, table.metrics tr.beyond th { background: #fff3d6; font-weight: 600; }
`,
    footer: "from the two folders' summary.json",
    body: `<section id="spec">
<h2>What differs in the specs</h2>
${c.specDiffs.length === 0 ? '<p class="note">The specs are identical.</p>' : `<table class="params">\n${c.specDiffs.map((d) => `<tr><td>${esc(d)}</td></tr>`).join('\n')}\n</table>`}
</section>
<section id="metrics">
<h2>Metrics per sweep point</h2>
<p class="note">Mean over seeds; ${esc(METHOD)}. Highlighted rows differ beyond the spread.</p>
${sections.join('\n')}
${only}
</section>`,
  });
}
