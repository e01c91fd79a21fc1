/**
 * Exported names that two layers both define (two different `ListenerStats`, say): a reader who
 * meets the name cannot tell which one it is without following the import. Re-exports of the same
 * symbol are not definitions and do not count.
 */
import { layerOf, type Layer, type Violation } from './layers.ts';
import type { SourceFile } from './sources.ts';

interface Decl {
  name: string;
  file: string;
  line: number;
}

/** Names a file defines and exports (declarations and `export { local as name }`). */
export function exportedNames(file: SourceFile): Decl[] {
  const out: Decl[] = [];
  for (const stmt of file.ast.program.body) {
    const line = stmt.loc?.start.line ?? 0;
    if (stmt.type === 'ExportNamedDeclaration') {
      if (stmt.source) continue; // re-export
      const d = stmt.declaration;
      if (d) {
        if (d.type === 'VariableDeclaration') {
          for (const v of d.declarations)
            if (v.id.type === 'Identifier') out.push({ name: v.id.name, file: file.path, line });
        } else if ('id' in d && d.id && d.id.type === 'Identifier') {
          out.push({ name: d.id.name, file: file.path, line });
        }
      }
      for (const s of stmt.specifiers) {
        if (s.type !== 'ExportSpecifier') continue;
        const name = s.exported.type === 'Identifier' ? s.exported.name : s.exported.value;
        if (isImportedBinding(file, s.local.name)) continue; // passes on another module's symbol
        out.push({ name, file: file.path, line });
      }
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      // default exports carry no name a reader meets at the import site
    }
  }
  return out;
}

function isImportedBinding(file: SourceFile, local: string): boolean {
  return file.ast.program.body.some(
    (s) => s.type === 'ImportDeclaration' && s.specifiers.some((sp) => sp.local.name === local),
  );
}

/** One violation per name defined in more than one layer, listing every definition. */
export function checkDuplicateExports(files: readonly SourceFile[], layers: readonly Layer[]): Violation[] {
  const byName = new Map<string, { decl: Decl; layer: string }[]>();
  for (const file of files) {
    const layer = layerOf(file.path, layers);
    if (layer === undefined) continue;
    for (const decl of exportedNames(file)) {
      const list = byName.get(decl.name) ?? [];
      list.push({ decl, layer: layer.names[0]! });
      byName.set(decl.name, list);
    }
  }
  const violations: Violation[] = [];
  for (const [name, list] of [...byName].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (new Set(list.map((x) => x.layer)).size < 2) continue;
    const where = list.map((x) => `${x.decl.file}:${x.decl.line}`).join(', ');
    violations.push({
      file: list[0]!.decl.file,
      line: list[0]!.decl.line,
      message: `exported name ${name} is defined in more than one layer: ${where}`,
    });
  }
  return violations;
}
