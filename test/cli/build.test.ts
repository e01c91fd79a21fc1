/**
 * The compiled build (`npm run build`, dist/) that bin/tcplab.js runs when it is current: built
 * here into a scratch folder inside the package (so it resolves the package's dependencies), it
 * must give byte-identical results to the TypeScript sources, its worker threads loading the
 * compiled modules without tsx.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO, scratchFolders, tcplab, tinyExperiment } from './helpers.ts';

const run = promisify(execFile);
const scratch = scratchFolders();

const TINY = tinyExperiment({ duration: '2s', rate: '20/s', sweep: '{ apps.users.rate: [10/s, 30/s] }' });

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (name === '.runs' || name === 'timing.json') continue;
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return out;
}

it('the compiled build runs a batch on its workers and writes what the sources write', async () => {
  const build = join(REPO, 'node_modules', '.cache', `tcplab-build-test-${process.pid}`);
  scratch.keep(build);
  mkdirSync(build, { recursive: true });
  copyFileSync(join(REPO, 'package.json'), join(build, 'package.json'));
  const tsc = join(REPO, 'node_modules', '.bin', 'tsc');
  await run(tsc, ['-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(build, 'dist')], { cwd: REPO }).catch(
    (e: { stdout?: string }) => {
      throw new Error(`build failed: ${e.stdout ?? String(e)}`);
    },
  );

  const cwd = scratch.make('tcplab-build-', { 'tiny.yaml': TINY });
  const compiled = await run(
    process.execPath,
    [join(build, 'dist', 'cli.js'), 'run', 'tiny.yaml', '--jobs', '2', '--trace', '--out', 'compiled'],
    { cwd },
  );
  expect(compiled.stdout).toBe('results compiled\n');
  const sources = await tcplab(['run', 'tiny.yaml', '--jobs', '2', '--trace', '--out', 'sources'], cwd);
  expect(sources.code).toBe(0);
  const a = files(join(cwd, 'compiled'));
  expect(Object.keys(a)).toContain('trace.jsonl');
  expect(a).toEqual(files(join(cwd, 'sources')));
});
