/**
 * Every malformed fixture under test/experiment/fixtures/ states the exact problems it must
 * produce in `# expect:` comment lines. Through the real CLI: exit 2, exactly those lines on
 * stderr (file and field path included, `{dir}` standing for the fixture folder as given), nothing
 * on stdout, and for `run` no results folder written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tcplab } from './helpers.ts';

const DIR = 'test/experiment/fixtures';
const fixtures = readdirSync(join(REPO, DIR))
  .filter((f) => f.endsWith('.yaml'))
  .map((name) => {
    const text = readFileSync(join(REPO, DIR, name), 'utf8');
    const expects = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!);
    return { name, expects, topology: name.startsWith('topo-') };
  })
  .filter((f) => f.expects.length > 0);

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function expectedLines(dir: string, expects: string[]): string[] {
  return expects.map((e) => `${dir}/${e.replaceAll('{dir}', dir)}`);
}

describe('malformed specs', () => {
  it('has at least 15 malformed fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  describe.concurrent('tcplab validate', () => {
    for (const f of fixtures) {
      it(`${f.name}: exit 2 with each problem on its own line`, async () => {
        const r = await tcplab(['validate', `${DIR}/${f.name}`]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.errLines.sort()).toEqual(expectedLines(DIR, f.expects).sort());
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      });
    }
  });

  describe.concurrent('tcplab run writes nothing', () => {
    for (const f of fixtures.filter((x) => !x.topology)) {
      it(`${f.name}: exit 2, no results folder`, async () => {
        // Run from an empty folder with an absolute path: the default results/<name>/ would land here.
        const cwd = mkdtempSync(join(tmpdir(), 'tcplab-cli-'));
        scratch.push(cwd);
        const abs = join(REPO, DIR);
        const r = await tcplab(['run', `${abs}/${f.name}`, '--jobs', '1'], cwd);
        expect(r.code).toBe(2);
        expect(r.errLines.sort()).toEqual(expectedLines(abs, f.expects).sort());
        expect(readdirSync(cwd)).toEqual([]);
      });
    }
  });
});
