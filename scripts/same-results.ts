/**
 * `npm run same-results -- <before> <after>`: are two results folders the same? For a change that
 * must not alter behaviour (a refactor, a speed-up): every file byte-identical except the ones a
 * run always rewrites (timing.json with wall times, the .runs store). A page that differs is
 * looked into: when only its inlined explorer script differs (the bundle is minified from the
 * report's code, so refactoring that code renames its minified identifiers) and everything outside
 * the scripts is identical, it is listed as such. Exits 0 when nothing else differs, 1 otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SKIP = new Set(['timing.json', '.runs']);

function files(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name)) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) files(root, abs, out);
    else out.push(relative(root, abs));
  }
  return out;
}

const SCRIPT = /<script[^>]*>[\s\S]*?<\/script>/g;

/** 'scripts' when two pages differ only inside their <script> elements, else 'page'. */
function pageDifference(a: string, b: string): 'scripts' | 'page' {
  return a.replace(SCRIPT, '<script/>') === b.replace(SCRIPT, '<script/>') ? 'scripts' : 'page';
}

const [before, after] = process.argv.slice(2);
if (before === undefined || after === undefined) {
  process.stderr.write('usage: npm run same-results -- <before folder> <after folder>\n');
  process.exit(2);
}
const a = files(before);
const b = files(after);
const inB = new Set(b);
const inA = new Set(a);
const problems: string[] = [];
const scriptOnly: string[] = [];
let same = 0;
for (const f of a) {
  if (!inB.has(f)) {
    problems.push(`only in ${before}: ${f}`);
    continue;
  }
  const x = readFileSync(join(before, f));
  const y = readFileSync(join(after, f));
  if (x.equals(y)) same++;
  else if (f.endsWith('.html') && pageDifference(x.toString('utf8'), y.toString('utf8')) === 'scripts')
    scriptOnly.push(f);
  else problems.push(`differs: ${f}`);
}
for (const f of b) if (!inA.has(f)) problems.push(`only in ${after}: ${f}`);
process.stdout.write(`${same} of ${a.length} files byte-identical (timing.json and .runs not compared)\n`);
for (const f of scriptOnly) process.stdout.write(`only the inlined scripts differ: ${f}\n`);
for (const p of problems) process.stdout.write(`${p}\n`);
process.exit(problems.length === 0 ? 0 : 1);
