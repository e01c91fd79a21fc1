/** Download links for a finished batch: the results files, the figures, the page and the captures. */
import type { FigureFile } from '../../src/report/report-build.ts';
import type { BatchResult } from './batch.ts';

const TYPES: Record<string, string> = { json: 'application/json', csv: 'text/csv', jsonl: 'application/x-ndjson', svg: 'image/svg+xml', html: 'text/html', pcap: 'application/vnd.tcpdump.pcap' };

let urls: string[] = [];

export function blobUrl(data: string | Uint8Array, name: string): string {
  const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  urls.push(url);
  return url;
}

export function showDownloads(box: HTMLElement, result: BatchResult, figures: readonly FigureFile[], html: string): Map<string, string> {
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
  const byName = new Map<string, string>();
  const link = (name: string, data: string | Uint8Array, saveAs = name): HTMLAnchorElement => {
    const a = document.createElement('a');
    a.href = blobUrl(data, name);
    // The names the CLI writes, so the downloaded index.html finds its figures beside it.
    a.download = saveAs.replaceAll('/', '-');
    a.textContent = name;
    byName.set(name, a.href);
    return a;
  };
  const items: HTMLElement[] = [];
  const label = document.createElement('strong');
  label.textContent = 'Download: ';
  items.push(label);
  for (const name of ['summary.json', 'runs.csv', 'timeseries.csv', 'samples.csv', 'trace.jsonl', 'timing.json']) {
    const text = result.files.get(name);
    if (text !== undefined) items.push(link(name, text));
  }
  items.push(link('index.html', html));
  for (const f of figures) items.push(link(f.file, f.svg));
  for (const c of result.captures) items.push(link(c.path, c.bytes));
  box.replaceChildren(...items);
  return byName;
}
