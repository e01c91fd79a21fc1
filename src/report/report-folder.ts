/**
 * `reportFolder(dir)`: draws a results folder's figures and page (report-build.ts) and writes each
 * figure as `NN-<kind>-<subject>.svg` and the page as `index.html`. Writes are atomic (temp file +
 * rename), so a redraw of unchanged results is byte-identical and never leaves a torn file.
 */
import { appendFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../experiment/atomic-write.ts';
import { buildReport } from './report-build.ts';
import { explorerScript } from './explorer-script.ts';
import { folderSource } from './folder-source.ts';

export interface ReportResult {
  /** Paths (dir joined with file name) of the .svg files written, in figure order. */
  figures: string[];
}

export async function reportFolder(dir: string): Promise<ReportResult> {
  // The explorer's files are appended to in pieces as the trace is read, so a large trace is never
  // held whole: they are made in a folder of their own that replaces explore/ once complete (an
  // earlier draw's files describe another trace; a draw cut short leaves explore/ as it was).
  const making = join(dir, '.explore-new');
  await rm(making, { recursive: true, force: true });
  const folders = new Set<string>();
  const writeExplore = async (path: string, text: string): Promise<void> => {
    const file = join(making, path.replace(/^explore\//, ''));
    if (!folders.has(dirname(file))) {
      await mkdir(dirname(file), { recursive: true });
      folders.add(dirname(file));
    }
    await appendFile(file, text);
  };
  const { html, figures } = await buildReport(folderSource(dir), { explorerScript, writeExplore });
  await rm(join(dir, 'explore'), { recursive: true, force: true });
  if (folders.size > 0) await rename(making, join(dir, 'explore'));
  for (const f of figures) await writeFileAtomic(join(dir, f.file), f.svg);
  await writeFileAtomic(join(dir, 'index.html'), html);
  await removeOldFigures(dir, new Set(figures.map((f) => f.file)));
  return { figures: figures.map((f) => join(dir, f.file)) };
}

/** The name every figure file gets: `NN-<kind>-<subject>.svg`. */
const FIGURE_FILE = /^\d{2,}-[A-Za-z0-9_.-]*\.svg$/;

/**
 * Removes the figures of an earlier draw that this one did not write (the charts changed, or a
 * figure can no longer be drawn), so the folder's .svg files are the page's figures and no others.
 */
async function removeOldFigures(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    if (FIGURE_FILE.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
}
