/**
 * The playground page: presets, the YAML editor with validation as you type, Run on a pool of Web
 * Workers with progress and Stop, the results page drawn by the report layer (the same index.html
 * `tcplab run` writes, trace explorer included) and the results files to download. The spec and
 * options live in the URL, so a link reproduces a run. The page opens with the handshake preset (its
 * browser-sized variant, presets.ts)
 * (or the URL's spec) already running.
 */
import { loadExperimentText, type LoadedExperiment } from '../../src/experiment/load.ts';
import { buildReport } from '../../src/report/report-build.ts';
import { memorySource } from '../../src/report/results-source.ts';
import { BatchStopped, BrowserBatch, type BatchResult } from './batch.ts';
import { blobUrl, showDownloads } from './downloads.ts';
import { Editor } from './editor.ts';
import { decodeState, encodeState } from './share-url.ts';
import { DEFAULT_PRESET, presetNamed, PRESETS } from './presets.ts';
import { readBundled } from './spec-files.ts';
import explorerScript from 'tcplab:explorer-script';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const presetSelect = $<HTMLSelectElement>('preset');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const traceBox = $<HTMLInputElement>('trace');
const pcapBox = $<HTMLInputElement>('pcap');
const statusLine = $<HTMLSpanElement>('status');
const progressBar = $<HTMLProgressElement>('progress');
const frame = $<HTMLIFrameElement>('report');
const editor = new Editor($<HTMLTextAreaElement>('editor'), $('gutter'), $('editor-box'), $('errors'));

/** Workers at once: the runs are independent; more threads than cores only add memory. */
const THREADS = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));
const batch = new BrowserBatch(new URL('./worker.js', import.meta.url).href, THREADS);
// The workers load and compile the engine while this page reads its link and checks the spec.
batch.warm();

/** What the page did last, for people reading the status line and for the browser tests. */
interface PageState {
  state: 'idle' | 'invalid' | 'running' | 'done' | 'stopped' | 'failed';
  file: string;
  runs?: number;
  wall_s?: number;
  /** Seconds from navigation until this batch's results page was drawn (performance.now()). */
  drawn_s?: number;
  /** Seconds spent building the results page (figures and the trace explorer's files) after the batch. */
  report_s?: number;
  threads?: number;
  files?: Record<string, string>;
  figures?: string[];
  error?: string;
}
const page: PageState = { state: 'idle', file: presetNamed(DEFAULT_PRESET)!.file };
(window as unknown as { tcplab: PageState }).tcplab = page;

function setState(state: PageState['state'], message: string): void {
  page.state = state;
  document.body.dataset.state = state;
  statusLine.textContent = message;
  statusLine.className = state === 'failed' ? 'failed' : '';
  runButton.disabled = state === 'running' || state === 'invalid' || !specValid;
  stopButton.disabled = state !== 'running';
  progressBar.hidden = state !== 'running';
}

/** The editor's file: the preset's path, so relative topology paths resolve as for the CLI. */
function currentFile(): string {
  return (presetNamed(presetSelect.value) ?? presetNamed(DEFAULT_PRESET)!).file;
}

/** Whether the editor's spec loads: Run is offered only then. */
let specValid = true;

function validate(): LoadedExperiment | null {
  const file = currentFile();
  page.file = file;
  const r = loadExperimentText(editor.text, file, { readFile: readBundled });
  editor.showProblems(r.ok ? [] : r.errors, file);
  specValid = r.ok;
  // Editing while a batch runs must not touch it: its progress and Stop stay as they are.
  if (page.state === 'running') return r.ok ? r.value : null;
  runButton.disabled = !specValid;
  if (!r.ok) {
    setState(
      'invalid',
      `${r.errors.length} problem${r.errors.length === 1 ? '' : 's'} in the spec: fix ${r.errors.length === 1 ? 'it' : 'them'} to run`,
    );
    return null;
  }
  if (page.state === 'invalid' || page.state === 'idle')
    setState(
      'idle',
      `${r.value.runs.length} run${r.value.runs.length === 1 ? '' : 's'} (sweep points × seeds): press Run`,
    );
  return r.value;
}

async function updateUrl(): Promise<void> {
  const preset = presetSelect.value;
  const unedited = presetNamed(preset)?.text === editor.text;
  const hash = await encodeState(
    unedited
      ? { preset, trace: traceBox.checked, pcap: pcapBox.checked }
      : { text: editor.text, trace: traceBox.checked, pcap: pcapBox.checked },
  );
  history.replaceState(null, '', hash);
}

/** Counts batches started: a batch stopped to open another link must not report over the new one. */
let generation = 0;

async function run(): Promise<void> {
  if (page.state === 'running') return;
  const mine = ++generation;
  const loaded = validate();
  if (loaded === null) return;
  await updateUrl();
  const text = editor.text;
  const file = currentFile();
  const opts = {
    traceAll: loaded.spec.trace,
    pcapAll: loaded.spec.pcap,
    traceFirst: traceBox.checked,
    pcapFirst: pcapBox.checked,
  };
  setState('running', `starting ${loaded.runs.length} runs…`);
  // The first visit has no results yet: say what is coming rather than show a blank frame.
  if (!frame.srcdoc)
    frame.srcdoc = `<p style="font: 15px sans-serif; color: #555; padding: 40px; text-align: center">Running ${loaded.spec.name}: ${loaded.runs.length} simulation${loaded.runs.length === 1 ? '' : 's'} in this tab; the figures appear here when they end.</p>`;
  progressBar.value = 0;
  let result: BatchResult;
  try {
    result = await batch.run(text, file, loaded, opts, (p) => {
      if (mine !== generation) return;
      progressBar.value = p.fraction;
      statusLine.textContent = `${loaded.spec.name}: ${p.done} of ${p.total} runs done (${p.threads} worker${p.threads === 1 ? '' : 's'})`;
    });
  } catch (e) {
    if (mine !== generation) return;
    if (e instanceof BatchStopped) setState('stopped', 'stopped: nothing kept from this batch');
    else {
      page.error = (e as Error).message;
      setState('failed', `failed: ${(e as Error).message}`);
    }
    return;
  }
  if (mine !== generation) return;
  statusLine.textContent = 'drawing figures…';
  const reportStarted = performance.now();
  const report = await buildReport(memorySource(result.files), { explorerScript: () => explorerScript });
  // The results page's trace explorer reads its explore/ files from here (it cannot fetch them).
  (window as unknown as { tcplabExploreFiles: Map<string, string> }).tcplabExploreFiles = report.explore;
  await showReport(report.html, report.figures);
  showDownloads($('downloads'), loaded.spec.name, result, report.figures, report.html, report.explore);
  Object.assign(page, {
    report_s: (performance.now() - reportStarted) / 1000,
    drawn_s: performance.now() / 1000,
    runs: result.runs,
    wall_s: result.wall_s,
    threads: result.threads,
    files: Object.fromEntries(result.files),
    figures: report.figures.map((f) => f.file),
  });
  setState(
    'done',
    `${loaded.spec.name}: ${result.runs} run${result.runs === 1 ? '' : 's'} in ${result.wall_s.toFixed(2)} s on ${result.threads} worker${result.threads === 1 ? '' : 's'}`,
  );
}

/** Shows the results page in the frame (resolves once it has loaded); its links to figure files point at in-memory copies. */
function showReport(html: string, figures: readonly { file: string; svg: string }[]): Promise<void> {
  return new Promise((resolve) => {
    frame.onload = () => {
      fitReport(figures);
      resolve();
    };
    frame.srcdoc = html;
  });
}

/** Figure links open the in-memory SVGs; the frame grows with its page, so the window scrolls, not the frame. */
function fitReport(figures: readonly { file: string; svg: string }[]): void {
  const doc = frame.contentDocument;
  if (!doc) return;
  for (const a of doc.querySelectorAll<HTMLAnchorElement>('a[href$=".svg"]')) {
    const f = figures.find((x) => x.file === a.getAttribute('href'));
    if (f) {
      a.href = blobUrl(f.svg, f.file);
      a.target = '_blank';
    }
  }
  const fit = (): void => {
    frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
  };
  fit();
  new ResizeObserver(fit).observe(doc.documentElement);
}

function choosePreset(name: string, text?: string): void {
  presetSelect.value = presetNamed(name) ? name : DEFAULT_PRESET;
  editor.text = text ?? presetNamed(presetSelect.value)?.text ?? '';
}

let timer: number | undefined;
editor.area.addEventListener('input', () => {
  clearTimeout(timer);
  timer = window.setTimeout(() => void validate(), 250);
});
presetSelect.addEventListener('change', () => {
  choosePreset(presetSelect.value);
  validate();
});
runButton.addEventListener('click', () => void run());
stopButton.addEventListener('click', () => batch.stop());
$('share').addEventListener('click', async () => {
  await updateUrl();
  await navigator.clipboard?.writeText(location.href).catch(() => {});
  statusLine.textContent = 'link copied: it opens this spec and runs it';
});

/** Opens what the URL's hash names (a preset, or a shared spec) and runs it. */
async function openFromHash(): Promise<void> {
  let shared = null;
  try {
    shared = await decodeState(location.hash);
  } catch {
    choosePreset(DEFAULT_PRESET);
    validate();
    setState('failed', 'the link holds a spec that cannot be read (cut short?); here is the handshake preset instead');
    return;
  }
  if (shared?.preset !== undefined) choosePreset(shared.preset);
  else if (shared?.text !== undefined) {
    // A shared spec keeps its preset's path when it names one (relative topology paths need it).
    const name = /^name:\s*([\w.-]+)/m.exec(shared.text)?.[1];
    choosePreset(name !== undefined && presetNamed(name) ? name : DEFAULT_PRESET, shared.text);
  } else choosePreset(DEFAULT_PRESET);
  if (shared) {
    traceBox.checked = shared.trace;
    pcapBox.checked = shared.pcap;
  }
  await run();
}

async function start(): Promise<void> {
  for (const p of PRESETS) presetSelect.append(new Option(p.label, p.name));
  // A link pasted into this tab changes only the hash: open it too (replaceState fires no event).
  window.addEventListener('hashchange', () => {
    if (page.state === 'running') {
      generation++;
      batch.stop();
      setState('stopped', 'stopped: opening the link');
    }
    void openFromHash();
  });
  await openFromHash();
}

void start();
