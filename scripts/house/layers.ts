/**
 * The layer rules of docs/design.md part 1, read from its table, so the doc and the check cannot
 * drift apart. A folder may import the folders above it in the table and itself, never one below;
 * a "must not" cell that says "import `a`, `b`" forbids those too. The test suite, bench/ and
 * scripts/ import anything.
 */
import { dirname, posix } from 'node:path';
import { visit, type SourceFile } from './sources.ts';

export interface Layer {
  /** As written in the table: `src/tcp`, `web/`, or a list of files such as `src/cli.ts`. */
  names: string[];
  /** Position in the table: 0 is the top (imports nothing below it). */
  rank: number;
  /** Layers this one must not import even though they are above it (the "must not" cell). */
  forbidden: string[];
}

/** Parses the layer table: rows `| \`src/x\` | owns | must not |` under "## 1. Architecture". */
export function readLayerTable(designMd: string): Layer[] {
  const start = designMd.indexOf('## 1. Architecture');
  const end = designMd.indexOf('\n## 2.', start);
  const section = designMd.slice(start, end < 0 ? undefined : end);
  const layers: Layer[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*(`[^|]*`)\s*\|[^|]*\|([^|]*)\|\s*$/.exec(line);
    if (m === null) continue;
    const names = [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!.replace(/\/$/, ''));
    const mustNot = m[2]!.trim();
    const forbidden = /^import\b/.test(mustNot)
      ? [...mustNot.split(':')[0]!.matchAll(/`([^`]+)`/g)].map((x) => normalizeName(x[1]!))
      : [];
    layers.push({ names, rank: layers.length, forbidden });
  }
  return layers;
}

/** `sim` and `src/sim` name the same layer in the table's prose. */
function normalizeName(name: string): string {
  const n = name.replace(/\/$/, '');
  return n.startsWith('src/') || n === 'web' || n.endsWith('.ts') ? n : `src/${n}`;
}

/** The layer a repository path belongs to, or undefined (tests, bench, scripts: no rule). */
export function layerOf(path: string, layers: readonly Layer[]): Layer | undefined {
  let best: Layer | undefined;
  let bestLen = -1;
  for (const layer of layers) {
    for (const name of layer.names) {
      const hit = name.endsWith('.ts') ? path === name : path === name || path.startsWith(`${name}/`);
      if (hit && name.length > bestLen) {
        best = layer;
        bestLen = name.length;
      }
    }
  }
  return best;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

/** Relative module specifiers a file imports or re-exports, with the line of each. */
export function importsOf(file: SourceFile): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  visit(file.ast.program, (n) => {
    const line = (n.loc as { start: { line: number } } | undefined)?.start.line ?? 0;
    if (n.type === 'ImportDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ExportNamedDeclaration') {
      const source = n.source as { value: string } | null | undefined;
      if (source) out.push({ spec: source.value, line });
    } else if (
      n.type === 'ImportExpression' ||
      (n.type === 'CallExpression' && (n.callee as { type: string }).type === 'Import')
    ) {
      const arg = (n.source ?? (n.arguments as unknown[])[0]) as { type: string; value?: unknown };
      if (arg?.type === 'StringLiteral' && typeof arg.value === 'string') out.push({ spec: arg.value, line });
    } else if (n.type === 'TSImportType') {
      const arg = n.argument as { value?: unknown; literal?: { value?: unknown } };
      const v = arg.literal?.value ?? arg.value;
      if (typeof v === 'string') out.push({ spec: v, line });
    }
  });
  return out;
}

/** Every import that goes down the table, or into a layer the "must not" cell names. */
export function checkLayers(files: readonly SourceFile[], layers: readonly Layer[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const from = layerOf(file.path, layers);
    if (from === undefined) {
      if (file.path.startsWith('src/') || file.path.startsWith('web/')) {
        violations.push({
          file: file.path,
          line: 1,
          message: 'belongs to no layer of the docs/design.md table: add it to a row',
        });
      }
      continue;
    }
    for (const { spec, line } of importsOf(file)) {
      if (!spec.startsWith('.')) continue; // packages and node: built-ins
      const target = posix.normalize(posix.join(dirname(file.path), spec));
      const to = layerOf(target, layers);
      if (to === undefined || to === from) continue;
      const fromName = from.names[0]!;
      const toName = to.names[0]!;
      if (to.rank > from.rank) {
        violations.push({
          file: file.path,
          line,
          message: `${fromName} imports ${toName} (${spec}), which is below it in the layer table`,
        });
      } else if (to.names.some((n) => from.forbidden.includes(n))) {
        violations.push({ file: file.path, line, message: `${fromName} must not import ${toName} (${spec})` });
      }
    }
  }
  return violations;
}
