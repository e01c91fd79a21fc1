/**
 * The "Trace explorer" section of index.html: a container, the list of traced runs (as JSON the
 * script reads), the explorer's own CSS and its script inline (client.ts, bundled), so the page
 * needs nothing from the network; the connections load from explore/ beside it (explore-data.ts).
 */
import { esc } from '../svg.ts';

export interface ExplorerRunInfo {
  run: string;
  label: string;
  connections: number;
}

const CSS = `
[data-tcplab-explorer] .tx-bar { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; font-size: 13px; margin-bottom: 8px; }
[data-tcplab-explorer] .tx-bar input[type=search] { width: 150px; }
[data-tcplab-explorer] .tx-bar input[type=number] { width: 70px; }
[data-tcplab-explorer] .tx-count { color: #555; margin-left: auto; }
[data-tcplab-explorer] .tx-outliers { font-size: 12.5px; margin: 0 0 6px; }
[data-tcplab-explorer] .tx-outliers a { margin-right: 10px; }
[data-tcplab-explorer] .tx-list { position: relative; height: 220px; overflow-y: auto; border: 1px solid #ddd; font-size: 12.5px; }
[data-tcplab-explorer] .tx-spacer { position: relative; }
[data-tcplab-explorer] .tx-row { position: absolute; left: 0; right: 0; height: 22px; display: grid; grid-template-columns: 2.2fr 0.8fr 0.8fr 1.8fr 1.2fr; gap: 8px; padding: 2px 8px; cursor: pointer; white-space: nowrap; overflow: hidden; border-bottom: 1px solid #f2f2f2; font-variant-numeric: tabular-nums; }
[data-tcplab-explorer] .tx-row:hover { background: #eef5fb; }
[data-tcplab-explorer] .tx-row.tx-head { position: static; cursor: default; font-size: 12px; color: #555; border-bottom: 2px solid #bbb; background: none; }
[data-tcplab-explorer] .tx-row.on { background: #d6e9f8; }
[data-tcplab-explorer] .tx-row .warn { color: #b35c00; }
[data-tcplab-explorer] .tx-view { display: grid; grid-template-columns: minmax(0, 7fr) minmax(220px, 3fr); gap: 14px; margin-top: 12px; }
@media (max-width: 760px) { [data-tcplab-explorer] .tx-view { grid-template-columns: 1fr; } }
[data-tcplab-explorer] .tx-svg { display: block; width: 100%; height: auto; border: 1px solid #e4e4e4; cursor: grab; font: 10.5px "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; user-select: none; }
[data-tcplab-explorer] .tx-title { font-size: 12.5px; fill: #555; }
[data-tcplab-explorer] .tx-end { font-weight: 700; font-size: 12px; }
[data-tcplab-explorer] .tx-addr { fill: #666; }
[data-tcplab-explorer] .tx-lane { stroke: #444; stroke-width: 1.5; }
[data-tcplab-explorer] text.tx-state { font-size: 10.5px; fill: #333; }
[data-tcplab-explorer] .tx-msg { cursor: pointer; }
[data-tcplab-explorer] .tx-msg line.seg { stroke-width: 1.4; }
[data-tcplab-explorer] .tx-msg line.hit { stroke: transparent; stroke-width: 9; }
[data-tcplab-explorer] .tx-msg:hover line.seg, [data-tcplab-explorer] .tx-msg.on line.seg { stroke-width: 3; }
[data-tcplab-explorer] .tx-msg text { font-size: 10.5px; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
[data-tcplab-explorer] .tx-zoom { font-size: 12px; margin-bottom: 4px; }
[data-tcplab-explorer] .tx-zoom button { font-size: 12px; margin-right: 4px; }
[data-tcplab-explorer] .tx-details { font-size: 12.5px; }
[data-tcplab-explorer] .tx-details table { border-collapse: collapse; margin-bottom: 10px; width: 100%; }
[data-tcplab-explorer] .tx-details caption { text-align: left; font-weight: 700; padding: 2px 0; }
[data-tcplab-explorer] .tx-details th { text-align: left; font-weight: 400; color: #555; padding: 1px 10px 1px 0; }
[data-tcplab-explorer] .tx-details td { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
[data-tcplab-explorer] .tx-label { font-weight: 700; }
@media print { #explorer { display: none; } }
`;

/** The section's HTML; `script` is the bundled client (explorer-script.ts, or the playground's copy). */
export function explorerSection(runs: readonly ExplorerRunInfo[], script: string, cut?: string): string {
  const boot = JSON.stringify({ runs, ...(cut !== undefined ? { cut } : {}) }).replaceAll('<', '\\u003c');
  const total = runs.reduce((n, r) => n + r.connections, 0);
  return `<section id="explorer">
<h2>Trace explorer</h2>
<p class="note">Every connection in trace.jsonl (${total} in ${runs.length} run${runs.length === 1 ? '' : 's'}): filter the list, open a connection to see its ladder on a true time axis with each end's TCP states beside it, and click a segment for all of its fields. Connections load from <code>explore/</code> beside this page.</p>
<style>${CSS}</style>
<div data-tcplab-explorer><script type="application/json">${boot}</script></div>
<script>${script.replaceAll('</script', '<\\/script')}</script>
</section>`;
}
