/**
 * The house-rule checker (scripts/house, `npm run house` in CI): each rule must catch what it is
 * for, on small made-up trees, and read the real layer table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDuplicateExports } from '../../scripts/house/exports.ts';
import { checkLayers, layerOf, readLayerTable } from '../../scripts/house/layers.ts';
import { functionLengths, lengthReport } from '../../scripts/house/lengths.ts';
import { parseTs, type SourceFile } from '../../scripts/house/sources.ts';

const design = readFileSync(new URL('../../docs/design.md', import.meta.url), 'utf8');
const layers = readLayerTable(design);
const file = (path: string, text: string): SourceFile => ({ path, text, ast: parseTs(text, path) });

describe('layer table', () => {
  it('is read from docs/design.md in its order, top first', () => {
    const names = layers.map((l) => l.names[0]);
    expect(names.indexOf('src/sim')).toBeLessThan(names.indexOf('src/tcp'));
    expect(names.indexOf('src/tcp')).toBeLessThan(names.indexOf('src/stack'));
    expect(names.indexOf('src/experiment')).toBeLessThan(names.indexOf('src/report'));
    expect(layerOf('src/tcp/states/time-wait.ts', layers)?.names[0]).toBe('src/tcp');
    expect(layerOf('src/cli.ts', layers)?.names).toContain('src/cli.ts');
    expect(layerOf('test/tcp/open.test.ts', layers)).toBeUndefined();
  });

  it('takes the report\'s "must not import" cell as rules', () => {
    const report = layers.find((l) => l.names[0] === 'src/report')!;
    expect(report.forbidden).toEqual(
      expect.arrayContaining(['src/sim', 'src/wire', 'src/net', 'src/tcp', 'src/stack']),
    );
  });
});

describe('layer check', () => {
  it('flags an import that goes down the table and names file and line', () => {
    const v = checkLayers(
      [file('src/tcp/x.ts', "import { a } from './y.ts';\nimport { Sim } from '../stack/host-stack.ts';\n")],
      layers,
    );
    expect(v).toEqual([
      { file: 'src/tcp/x.ts', line: 2, message: expect.stringContaining('src/tcp imports src/stack') },
    ]);
  });

  it('flags a forbidden import upward, dynamic imports and type-only imports too', () => {
    const v = checkLayers(
      [
        file(
          'src/report/x.ts',
          "import type { Tcb } from '../tcp/tcb.ts';\nconst m = await import('../stack/host-stack.ts');\n",
        ),
      ],
      layers,
    );
    expect(v.map((x) => x.line)).toEqual([1, 2]);
    expect(v[0]!.message).toContain('must not import src/tcp');
  });

  it('lets a layer import itself, layers above it and packages, and tests import anything', () => {
    const v = checkLayers(
      [
        file(
          'src/stack/x.ts',
          "import { a } from '../tcp/tcb.ts';\nimport { b } from './flow-table.ts';\nimport d3 from 'd3';\n",
        ),
        file('test/tcp/x.test.ts', "import { c } from '../../src/cli.ts';\n"),
      ],
      layers,
    );
    expect(v).toEqual([]);
  });

  it('flags a source file that no row of the table covers', () => {
    expect(checkLayers([file('src/newfolder/x.ts', 'export const a = 1;\n')], layers)[0]!.message).toContain(
      'no layer',
    );
  });
});

describe('exported names', () => {
  it('flags a name two layers both define, not a re-export of the same symbol', () => {
    const v = checkDuplicateExports(
      [
        file('src/tcp/a.ts', 'export interface Stats { a: number }\nexport const same = 1;\n'),
        file(
          'src/stack/b.ts',
          "export type Stats = { b: number };\nexport { same } from '../tcp/a.ts';\nimport { same as s2 } from '../tcp/a.ts';\nexport { s2 };\n",
        ),
        file('src/stack/c.ts', 'export function local() {}\n'),
        file('src/stack/d.ts', 'export function local() {}\n'),
      ],
      layers,
    );
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toBe(
      'exported name Stats is defined in more than one layer: src/tcp/a.ts:1, src/stack/b.ts:1',
    );
  });
});

describe('length report', () => {
  it('measures functions, methods and arrows in lines, longest first', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
    const src = `export function long() {\n  let x = 0;\n${body(70)}\n  return x;\n}\nclass C { m() { return 1; } }\nconst f = () => {\n${body(3)}\n};\n`;
    const lengths = functionLengths(file('src/tcp/x.ts', src));
    expect(lengths.map((f) => [f.name, f.lines])).toEqual([
      ['long', 74],
      ['(arrow)', 5],
      ['m', 1],
    ]);
    const report = lengthReport([file('src/tcp/x.ts', src)]);
    expect(report.longFunctions.map((f) => f.name)).toEqual(['long']);
    expect(report.longFiles).toEqual([]);
  });
});
