/**
 * The report page, index.html: experiment name, parameters, every figure (inline SVG, so the page
 * is one self-contained file; the .svg files sit beside it for papers) with its caption, notes
 * for figures that could not be drawn, and the aggregate metrics. No external CSS, scripts or
 * fonts; prints on A4/Letter with figures kept whole.
 */
import { stringify } from 'yaml';
import type { AggregateRow } from '../schema/results.ts';
import { aggregateTables, parameterRows, parameterTable } from './page-tables.ts';
import { esc } from './svg.ts';

export interface PageFigure {
  /** 1-based figure number as printed. */
  number: number;
  title: string;
  /** File name of the .svg beside index.html. */
  file?: string;
  svg?: string;
  caption?: string;
  /** Why it was not drawn. */
  skipped?: string;
  /** Links after the caption (the trace explorer's connections behind a figure's outliers). */
  links?: { href: string; text: string }[];
}

export interface PageInput {
  experiment: string;
  spec: unknown;
  sweepPaths: string[];
  runCount: number;
  seeds: number[];
  aggregate: readonly AggregateRow[];
  figures: PageFigure[];
  /** Page-level notes (a missing summary.json, unreadable trace lines). */
  notes: string[];
  /** The trace explorer section (explorer/explorer-section.ts), when the results hold a trace. */
  explorer?: string;
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1a1a1a;
  font: 15px/1.5 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 28px; margin: 0 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
.lede { color: #555; margin: 0 0 12px; }
nav ol { margin: 6px 0 0; padding-left: 22px; columns: 2; column-gap: 32px; }
nav li { break-inside: avoid; }
a { color: #0062a0; }
table { border-collapse: collapse; font-size: 13.5px; }
table.params { width: 100%; }
table.params th { text-align: left; font-weight: 600; white-space: nowrap; padding: 3px 18px 3px 0; vertical-align: top; color: #333; }
table.params td { padding: 3px 0; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
table.params tr.sub th { font-weight: 400; padding-left: 16px; color: #666; }
table.params tr + tr { border-top: 1px solid #f0f0f0; }
details { margin-top: 12px; }
summary { cursor: pointer; color: #333; }
pre { background: #f6f6f6; border: 1px solid #e4e4e4; padding: 10px 12px; overflow-x: auto;
  font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figure { margin: 28px 0 36px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; max-width: 760px; height: auto; margin: 0 auto; }
figcaption { max-width: 760px; margin: 8px auto 0; font-size: 13.5px; color: #333; }
figcaption .num { font-weight: 700; }
figcaption a { font-size: 12px; margin-left: 6px; }
.skipped { border-left: 4px solid #E69F00; background: #fff8e8; padding: 8px 12px; margin: 18px 0; font-size: 14px; }
.note { color: #555; }
.notes li { color: #7a4a00; }
.table-wrap { overflow-x: auto; margin-bottom: 22px; }
table.metrics th, table.metrics td { padding: 3px 10px; border-bottom: 1px solid #eee; }
table.metrics thead th { text-align: right; vertical-align: bottom; font-weight: 400; font-size: 12.5px; border-bottom: 2px solid #bbb; white-space: nowrap; }
table.metrics thead th:first-child { text-align: left; }
table.metrics td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.metrics th[scope=row] { text-align: left; font-weight: 400; white-space: nowrap; }
table.metrics tr.group th { text-align: left; font-weight: 700; padding-top: 10px; border-bottom: 1px solid #ccc; }
table.metrics .ci { color: #666; font-size: 12px; }
table.metrics .na { color: #aaa; }
.unit { color: #777; font-size: 12px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
footer { margin-top: 40px; font-size: 12px; color: #777; }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  nav, figcaption a { display: none; }
  h2 { break-after: avoid; }
  details > pre { display: block; }
  .table-wrap { overflow: visible; }
}
@page { margin: 16mm; }
`;

function figureHtml(f: PageFigure): string {
  if (f.skipped !== undefined || !f.svg) {
    return `<div class="skipped" id="fig-${f.number}"><b>Figure ${f.number}</b> (${esc(f.title)}) was not drawn: ${esc(f.skipped ?? 'no data')}.</div>`;
  }
  const more = (f.links ?? []).map((l) => ` <a href="${esc(l.href)}">${esc(l.text)}</a>`).join('');
  const link = (f.file ? ` <a href="${esc(f.file)}">SVG</a>` : '') + more;
  return `<figure id="fig-${f.number}">\n${f.svg.trim()}\n<figcaption><span class="num">Figure ${f.number}.</span> <b>${esc(f.title)}.</b> ${esc(f.caption ?? '')}${link}</figcaption>\n</figure>`;
}

export function renderPage(input: PageInput): string {
  const drawn = input.figures.filter((f) => f.svg && f.skipped === undefined).length;
  const points = input.aggregate.length;
  const lede = [
    `${input.runCount} run${input.runCount === 1 ? '' : 's'}`,
    points > 1 ? `${points} sweep points` : '',
    `${drawn} figure${drawn === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const specYaml = stringify(input.spec ?? {}, { lineWidth: 100 });
  const toc = input.figures
    .map(
      (f) => `<li><a href="#fig-${f.number}">${esc(f.title)}</a>${f.skipped !== undefined ? ' (not drawn)' : ''}</li>`,
    )
    .join('\n');
  const notes =
    input.notes.length > 0
      ? `<ul class="notes">\n${input.notes.map((n) => `<li>${esc(n)}</li>`).join('\n')}\n</ul>`
      : '';
  const header = `${notes}
${input.figures.length > 0 ? `<nav aria-label="Figures"><b>Figures</b>\n<ol>\n${toc}\n</ol></nav>` : ''}${input.explorer !== undefined ? '\n<p><a href="#explorer">Trace explorer</a>: every traced connection, its ladder zoomable in time.</p>' : ''}`;
  return htmlPage({
    tool: 'report',
    title: input.experiment,
    titleSuffix: 'tcplab report',
    lede: `tcplab experiment report · ${esc(lede)}`,
    header,
    footer: 'from the results folder (summary.json, timeseries.csv, samples.csv, trace.jsonl)',
    body: `<section id="parameters">
<h2>Parameters</h2>
${parameterTable(parameterRows(input.spec, input.runCount, input.seeds))}
<details>
<summary>Experiment spec as run (YAML)</summary>
<pre>${esc(specYaml)}</pre>
</details>
</section>
<section id="figures">
<h2>Figures</h2>
${input.figures.length > 0 ? input.figures.map(figureHtml).join('\n') : '<p class="note">No figures were requested and none could be derived from the results.</p>'}
</section>${input.explorer !== undefined ? `\n${input.explorer}` : ''}
<section id="metrics">
<h2>Aggregate metrics</h2>
<p class="note">Mean over seeds ± the 95 % confidence half-width (Student t); hover a value for min, max and n. Wall-clock time (<code>sim.wall_s</code>) is left out: it differs between identical runs.</p>
${aggregateTables(input.aggregate, input.sweepPaths)}
</section>`,
  });
}

export interface PageFrame {
  /** The tcplab command that wrote the page (`report`, `compare`): generator meta and footer. */
  tool: string;
  title: string;
  /** After the title in the browser tab: "<title> · <titleSuffix>". */
  titleSuffix: string;
  /** The line under the heading, already escaped HTML. */
  lede: string;
  /** More of the header after the lede (notes, table of contents), HTML. */
  header?: string;
  /** Extra CSS after the report's own. */
  css?: string;
  body: string;
  /** What the page was generated from, for the footer. */
  footer: string;
}

/** The document every tcplab page shares: head, the report's CSS, header, body and footer. */
export function htmlPage(f: PageFrame): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tcplab ${f.tool}">
<title>${esc(f.title)} · ${f.titleSuffix}</title>
<style>${CSS}${f.css ?? ''}</style>
</head>
<body>
<main>
<header>
<h1>${esc(f.title)}</h1>
<p class="lede">${f.lede}</p>
${f.header === undefined ? '' : `${f.header}\n`}</header>
${f.body}
<footer>Generated by <code>tcplab ${f.tool}</code> ${f.footer}.</footer>
</main>
</body>
</html>
`;
}
