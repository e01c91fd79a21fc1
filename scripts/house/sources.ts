/**
 * The source files the house rules apply to, parsed once. TypeScript 7 has no JavaScript API, so
 * the rules read an AST from @babel/parser (its TypeScript plugin), which keeps line numbers.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from '@babel/parser';

export type Ast = ReturnType<typeof parse>;

export interface SourceFile {
  /** Path from the repository root with forward slashes, e.g. `src/tcp/input.ts`. */
  path: string;
  text: string;
  ast: Ast;
}

/** Every `.ts` file under the given folders (relative to root), sorted, parsed. */
export function readSources(root: string, folders: readonly string[]): SourceFile[] {
  const paths: string[] = [];
  for (const folder of folders) walk(join(root, folder), paths);
  paths.sort();
  return paths.map((abs) => {
    const text = readFileSync(abs, 'utf8');
    const path = relative(root, abs).split(sep).join('/');
    return { path, text, ast: parseTs(text, path) };
  });
}

export function parseTs(text: string, path: string): Ast {
  try {
    return parse(text, { sourceType: 'module', plugins: ['typescript'], errorRecovery: false });
  } catch (e) {
    throw new Error(`${path}: cannot parse: ${(e as Error).message}`);
  }
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // a folder that does not exist has no files
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(abs);
  }
}

/** Visits every AST node depth-first (Babel nodes are plain objects with a string `type`). */
export function visit(node: unknown, fn: (n: { type: string; [k: string]: unknown }) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) visit(child, fn);
    return;
  }
  const n = node as { type?: unknown; [k: string]: unknown };
  if (typeof n.type === 'string') fn(n as { type: string; [k: string]: unknown });
  for (const key in n) {
    if (
      key === 'loc' ||
      key === 'start' ||
      key === 'end' ||
      key === 'leadingComments' ||
      key === 'trailingComments' ||
      key === 'innerComments' ||
      key === 'extra'
    )
      continue;
    const v = n[key];
    if (v !== null && typeof v === 'object') visit(v, fn);
  }
}
