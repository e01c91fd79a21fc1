/**
 * Download links for a finished batch: the whole results folder as a zip (laid out as `tcplab run`
 * writes it, the trace explorer's explore/ files included, so its index.html works once unzipped),
 * and each results file, figure, page and capture on its own.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { FigureFile } from '../../src/report/report-build.ts';
import type { BatchResult } from './batch.ts';

const TYPES: Record<string, string> = {
  zip: 'application/zip',
  json: 'application/json',
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
  svg: 'image/svg+xml',
  html: 'text/html',
  pcap: 'application/vnd.tcpdump.pcap',
};

let urls: string[] = [];

export function blobUrl(data: string | Uint8Array, name: string): string {
  const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  urls.push(url);
  return url;
}

/** The results folder as a zip: `<experiment>/…`, fixed timestamps so the same results give the same bytes. */
export function resultsZip(
  experiment: string,
  result: BatchResult,
  figures: readonly FigureFile[],
  html: string,
  explore: ReadonlyMap<string, string>,
): Uint8Array {
  const files: Zippable = {};
  const put = (path: string, data: string | Uint8Array): void => {
    files[`${experiment}/${path}`] = [typeof data === 'string' ? strToU8(data) : data, { mtime: new Date(1980, 0, 1) }];
  };
  for (const [name, text] of result.files) put(name, text);
  for (const f of figures) put(f.file, f.svg);
  put('index.html', html);
  for (const [path, text] of explore) put(path, text);
  for (const c of result.captures) put(c.path, c.bytes);
  return zipSync(files, { level: 6 });
}

export function showDownloads(
  box: HTMLElement,
  experiment: string,
  result: BatchResult,
  figures: readonly FigureFile[],
  html: string,
  explore: ReadonlyMap<string, string>,
): Map<string, string> {
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
  const zip = document.createElement('a');
  zip.href = '#';
  zip.id = 'download-zip';
  zip.textContent = `${experiment}.zip (everything)`;
  zip.addEventListener('click', (e) => {
    // Zipped on demand: most visitors never ask, and a traced run's folder is large.
    if (zip.download) return;
    e.preventDefault();
    zip.href = blobUrl(resultsZip(experiment, result, figures, html, explore), 'results.zip');
    zip.download = `${experiment}.zip`;
    zip.click();
  });
  items.push(label, zip);
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
