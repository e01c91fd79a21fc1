/**
 * Issue 13 item 8: `run --out` onto another experiment's results replaced them without a word.
 * Now it is refused naming both experiments, unless --force; the experiment's own folder, a new
 * or an empty one are taken as they are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputFolders } from '../../src/cli-run.ts';

const root = mkdtempSync(join(tmpdir(), 'tcplab-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function resultsOf(name: string, experiment: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ experiment }));
  return dir;
}

const problems = (dirs: string[], experiments: string[], force = false): string[] => {
  try {
    checkOutputFolders(dirs, '--out', experiments, force);
    return [];
  } catch (e) {
    return (e as { lines?: string[] }).lines ?? [String(e)];
  }
};

describe('run --out onto results', () => {
  it("refuses another experiment's results, naming both", () => {
    const dir = resultsOf('other', 'syn-flood');
    expect(problems([dir], ['handshake'])).toEqual([
      `${dir}: holds the results of experiment "syn-flood", not "handshake"; give another folder, or --force to replace them (--out)`,
    ]);
  });

  it('takes them with --force, and takes its own results, a new folder or an empty one without', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(problems([resultsOf('forced', 'syn-flood')], ['handshake'], true)).toEqual([]);
    expect(problems([resultsOf('own', 'handshake')], ['handshake'])).toEqual([]);
    expect(problems([join(root, 'new'), empty], ['handshake', 'lifecycle'])).toEqual([]);
  });
});
