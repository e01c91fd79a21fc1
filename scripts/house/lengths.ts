/**
 * The length report: files over ~400 lines and functions over ~60 are where a newcomer gets lost.
 * Lines as Biome formats them. The soft limits are reported; the hard limits fail the check (the
 * house aims under the soft ones; the hard ones stop a file or function from growing past the
 * largest of today: tcb.ts is mostly one-line accessors that the formatter writes on three).
 */
import { visit, type SourceFile } from './sources.ts';

export const FILE_SOFT = 400;
export const FUNCTION_SOFT = 60;
export const FILE_HARD = 800;
export const FUNCTION_HARD = 200;

export interface Long {
  file: string;
  line: number;
  name: string;
  lines: number;
}

const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

export function fileLines(file: SourceFile): number {
  return file.text.endsWith('\n') ? file.text.split('\n').length - 1 : file.text.split('\n').length;
}

/** Every function-like node with its length in lines, longest first. */
export function functionLengths(file: SourceFile): Long[] {
  const out: Long[] = [];
  visit(file.ast.program, (n) => {
    if (!FUNCTION_TYPES.has(n.type)) return;
    const loc = n.loc as { start: { line: number }; end: { line: number } };
    out.push({
      file: file.path,
      line: loc.start.line,
      name: functionName(n),
      lines: loc.end.line - loc.start.line + 1,
    });
  });
  return out.sort((a, b) => b.lines - a.lines);
}

function functionName(n: { type: string; [k: string]: unknown }): string {
  const id = (n.id ?? n.key) as { type: string; name?: string; value?: unknown } | null | undefined;
  if (id?.type === 'Identifier' || id?.type === 'PrivateName') return id.name ?? '(private)';
  if (id?.type === 'StringLiteral') return String(id.value);
  return n.type === 'ArrowFunctionExpression' ? '(arrow)' : '(anonymous)';
}

export interface LengthReport {
  longFiles: Long[];
  longFunctions: Long[];
}

export function lengthReport(files: readonly SourceFile[]): LengthReport {
  const longFiles: Long[] = [];
  const longFunctions: Long[] = [];
  for (const file of files) {
    const lines = fileLines(file);
    if (lines > FILE_SOFT) longFiles.push({ file: file.path, line: 1, name: file.path, lines });
    for (const f of functionLengths(file)) if (f.lines > FUNCTION_SOFT) longFunctions.push(f);
  }
  longFiles.sort((a, b) => b.lines - a.lines);
  longFunctions.sort((a, b) => b.lines - a.lines);
  return { longFiles, longFunctions };
}
