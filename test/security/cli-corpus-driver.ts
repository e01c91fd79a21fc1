/**
 * Runs every case of the CLI corpus through the real entry point (src/cli.ts main) in this one
 * process, capturing stdout, stderr, process.exit and process.exitCode, and prints the outcomes
 * as JSON. One process instead of one per case: the corpus costs seconds, not minutes.
 * Usage: node --import tsx cli-corpus-driver.ts <scratch folder>
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_CASES } from './cli-corpus.ts';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const scratch = process.argv[2]!;
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const realExit = process.exit.bind(process);
let out = '';
let err = '';
process.stdout.write = ((s: string | Uint8Array) => {
  out += String(s);
  return true;
}) as typeof process.stdout.write;
process.stderr.write = ((s: string | Uint8Array) => {
  err += String(s);
  return true;
}) as typeof process.stderr.write;
process.exit = ((code?: number) => {
  throw new Exit(code ?? 0);
}) as typeof process.exit;

// Importing the CLI runs it once with this process's argv: give it a harmless command.
process.argv = [process.argv[0]!, 'tcplab', 'validate', join(scratch, 'no-such-file.yaml')];
const { main } = await import('../../src/cli.ts');

const results = [];
for (const [i, c] of CLI_CASES.entries()) {
  const dir = join(scratch, `case${i}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files ?? {})) {
    const path = join(dir, name);
    if (content === undefined) continue;
    if (content === null) execFileSync('mkfifo', [path]);
    else if (typeof content === 'number') writeFileSync(path, Buffer.alloc(content));
    else writeFileSync(path, content);
  }
  const before = readdirSync(dir).sort();
  out = '';
  err = '';
  process.exitCode = undefined;
  process.chdir(dir);
  let code: number | undefined;
  try {
    await main(c.args.map((a) => a.replaceAll('{dir}', dir)));
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else err += `THREW ${(e as Error).message}\n`;
  }
  code ??= typeof process.exitCode === 'number' ? process.exitCode : 0;
  const after = readdirSync(dir).sort();
  results.push({
    name: c.name,
    code,
    stdout: out,
    stderr: err.replaceAll(dir, '{dir}'),
    wrote: after.filter((f) => !before.includes(f)),
  });
}
process.exitCode = 0;
process.exit = realExit;
process.stderr.write = realErr;
realOut(JSON.stringify(results));
