/**
 * `tcplab drill <script.pkt | folder>...` (docs/design.md part 2): runs every script named or found in
 * the folders (recursively, in name order), prints `PASS <path>`, `FAIL <path>: <first mismatch>`
 * `SKIP <path>: <reason>` or `ERROR <path>: <parse error>` for each, then
 * `N passed, N failed, N skipped` (`, N errors` when a script did not parse).
 * Exit code: 0 when nothing failed, 1 when a script failed or did not parse, 2 when a path does
 * not exist or is a folder without scripts (nothing is run then).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runScriptFile, type DrillOptions, type DrillResult } from './drill.ts';
import { safeText } from './safe-text.ts';

export interface DrillIo {
  /** Receives whole lines, each ending in "\n". */
  stdout: (s: string) => void;
  /** Problems with the arguments; defaults to stdout. */
  stderr?: (s: string) => void;
}

/** Every .pkt file under `dir`, depth first, in name order. */
export function listScripts(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listScripts(p));
    else if (name.endsWith('.pkt')) out.push(p);
  }
  return out;
}

/** The script files the arguments name, and a problem line for each argument that names none. */
export function expandPaths(paths: string[]): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      problems.push(`${p}: no such file or folder`);
      continue;
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    // A folder without scripts is a wrong path, not a clean run of zero scripts.
    const found = listScripts(p);
    if (found.length === 0) problems.push(`${p}: no .pkt scripts in this folder or below`);
    files.push(...found);
  }
  return { files, problems };
}

/** A script's verdict line; the path and reason are escaped and bounded (safe-text.ts). */
export function verdictLine(file: string, r: DrillResult): string {
  return r.verdict === 'PASS' ? `PASS ${safeText(file)}` : `${r.verdict} ${safeText(file)}: ${safeText(r.reason)}`;
}

export async function runDrill(paths: string[], io: DrillIo, options: DrillOptions = {}): Promise<number> {
  const { files, problems } = expandPaths(paths);
  if (problems.length > 0) {
    const err = io.stderr ?? io.stdout;
    for (const line of problems) err(`${safeText(line)}\n`);
    return 2;
  }
  const counts = { PASS: 0, FAIL: 0, SKIP: 0, ERROR: 0 };
  for (const file of files) {
    const r = runScriptFile(file, options);
    counts[r.verdict]++;
    io.stdout(`${verdictLine(file, r)}\n`);
  }
  const errors = counts.ERROR > 0 ? `, ${counts.ERROR} errors` : '';
  io.stdout(`${counts.PASS} passed, ${counts.FAIL} failed, ${counts.SKIP} skipped${errors}\n`);
  return counts.FAIL > 0 || counts.ERROR > 0 ? 1 : 0;
}
