/**
 * `npm run house`: the house rules CI enforces (issue 15). Layer imports as the docs/design.md
 * table states them, no exported name defined in two layers, and a length report (soft limits
 * listed, hard limits fail). Formatting is Biome's (`npm run format:check`). Exits 1 on a
 * violation, naming file and line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDuplicateExports } from './exports.ts';
import { checkLayers, readLayerTable, type Violation } from './layers.ts';
import { FILE_HARD, FILE_SOFT, FUNCTION_HARD, FUNCTION_SOFT, lengthReport } from './lengths.ts';
import { readSources } from './sources.ts';

const root = join(import.meta.dirname, '..', '..');
const layers = readLayerTable(readFileSync(join(root, 'docs', 'design.md'), 'utf8'));
const files = readSources(root, ['src', 'web']);
const verbose = process.argv.includes('--verbose');

const violations: Violation[] = [...checkLayers(files, layers), ...checkDuplicateExports(files, layers)];
const { longFiles, longFunctions } = lengthReport(files);
for (const f of longFiles)
  if (f.lines > FILE_HARD)
    violations.push({ file: f.file, line: 1, message: `${f.lines} lines (hard limit ${FILE_HARD})` });
for (const f of longFunctions)
  if (f.lines > FUNCTION_HARD)
    violations.push({
      file: f.file,
      line: f.line,
      message: `function ${f.name} is ${f.lines} lines (hard limit ${FUNCTION_HARD})`,
    });

console.log(`house: ${files.length} files in ${layers.length} layers`);
console.log(
  `  files over ${FILE_SOFT} lines: ${longFiles.length}${longFiles.length ? ` (${longFiles.map((f) => `${f.file} ${f.lines}`).join(', ')})` : ''}`,
);
console.log(`  functions over ${FUNCTION_SOFT} lines: ${longFunctions.length}`);
for (const f of verbose ? longFunctions : longFunctions.slice(0, 10))
  console.log(`    ${f.file}:${f.line} ${f.name} ${f.lines}`);
if (!verbose && longFunctions.length > 10) console.log(`    … ${longFunctions.length - 10} more (--verbose lists all)`);
for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
console.log(violations.length === 0 ? 'house: rules hold' : `house: ${violations.length} violation(s)`);
process.exit(violations.length === 0 ? 0 : 1);
