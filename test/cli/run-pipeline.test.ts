/**
 * The run path's options (issues 13 and 14): --jobs capped at the CPU count, --profile's phase
 * table, and --trace-limit stopping each run's trace with a warning, a record saying so, and
 * resume rules that give the same bytes as a fresh run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, scratchFolders, tcplab, tinyExperiment } from './helpers.ts';
import { execFileSync } from 'node:child_process';

const scratch = scratchFolders();

const TINY = tinyExperiment({ duration: '2s', rate: '20/s' });

function folder(): string {
  const cwd = scratch.make('tcplab-pipeline-', { 'tiny.yaml': TINY });
  return cwd;
}

interface TraceLine {
  run: string;
  t: number;
  ev: string;
  limit?: number;
}

function traceOf(cwd: string, out: string): { text: string; lines: TraceLine[] } {
  const text = readFileSync(join(cwd, out, 'trace.jsonl'), 'utf8');
  return {
    text,
    lines: text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceLine),
  };
}

describe.concurrent('tcplab run', () => {
  it('caps --jobs at the CPU count and says so', async () => {
    const cwd = folder();
    const cpus = availableParallelism();
    const r = await tcplab(['run', 'tiny.yaml', '--jobs', String(cpus + 7)], cwd);
    expect(r.code).toBe(0);
    expect(r.errLines).toContain(`tcplab: --jobs ${cpus + 7} is more than the ${cpus} CPUs here; using ${cpus}`);
    const within = await tcplab(['run', 'tiny.yaml', '--jobs', String(cpus), '--out', 'b'], cwd);
    expect(within.stderr).not.toContain('more than the');
  });

  it('--profile prints the time of every phase, the total and the peak memory', async () => {
    const cwd = folder();
    const r = await tcplab(['run', 'tiny.yaml', '--jobs', '1', '--profile'], cwd);
    expect(r.code).toBe(0);
    // One run at a time: the runs share the command's thread (src/experiment/pool.ts).
    expect(r.errLines).toContain("profile: 2 runs on the command's own thread");
    for (const phase of [
      'startup',
      'parse',
      'validate',
      'expand',
      'model',
      'build',
      'simulate',
      'collect',
      'store',
      'write',
      'figures',
    ]) {
      expect(
        r.errLines.some((l) => new RegExp(`^  ${phase} +\\d+\\.\\d{3} s  \\S`).test(l)),
        phase,
      ).toBe(true);
    }
    expect(
      r.errLines.some((l) => /^ {2}total +\d+\.\d{3} s {2}wall, process start to end; peak RSS \d+ MB$/.test(l)),
    ).toBe(true);
    // The model's import on the command's thread is measured, not left at 0.
    const model = r.errLines.map((l) => /^ {2}model +(\d+\.\d{3}) s/.exec(l)).find((m) => m !== null);
    expect(Number(model![1])).toBeGreaterThan(0);
    expect((await tcplab(['run', 'tiny.yaml', '--out', 'quiet'], cwd)).stderr).not.toContain('profile:');
  });

  it("--trace-limit stops each run's trace at its budget with a warning and a trace-limit record", async () => {
    const cwd = folder();
    const full = await tcplab(['run', 'tiny.yaml', '--trace', '--out', 'full'], cwd);
    expect(full.code).toBe(0);
    const whole = traceOf(cwd, 'full');
    expect(whole.lines.some((l) => l.ev === 'trace-limit')).toBe(false);

    const limit = 20_000;
    const r = await tcplab(['run', 'tiny.yaml', '--trace', '--trace-limit', '20kB', '--out', 'cut'], cwd);
    expect(r.code).toBe(0);
    for (const id of ['p0-s1', 'p0-s2']) {
      expect(r.stderr).toMatch(
        new RegExp(
          `${id}: trace stopped at 20\\.0 kB \\(simulated [\\d.]+ s\\) by --trace-limit; the run went on untraced`,
        ),
      );
      const cut = traceOf(cwd, 'cut')
        .text.split('\n')
        .filter((l) => l.includes(`"run":"${id}"`));
      const last = JSON.parse(cut.at(-1)!) as TraceLine;
      expect(last).toMatchObject({ run: id, ev: 'trace-limit', limit });
      // Everything before the record fits the budget, and is exactly the start of the full trace.
      const kept = cut
        .slice(0, -1)
        .map((l) => l + '\n')
        .join('');
      expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(limit);
      const fullRun = whole.text
        .split('\n')
        .filter((l) => l.includes(`"run":"${id}"`))
        .map((l) => l + '\n')
        .join('');
      expect(fullRun.startsWith(kept)).toBe(true);
      expect(fullRun.length).toBeGreaterThan(limit);
    }
    // Metrics do not depend on the trace budget.
    expect(readFileSync(join(cwd, 'cut/runs.csv'), 'utf8')).toBe(readFileSync(join(cwd, 'full/runs.csv'), 'utf8'));

    // The same budget resumes from the store; another budget reruns, so the bytes are a fresh run's.
    const again = await tcplab(['run', 'tiny.yaml', '--trace', '--trace-limit', '20kB', '--out', 'cut'], cwd);
    expect(again.stderr).toContain('resuming: 2 of 2 runs already stored');
    const unlimited = await tcplab(['run', 'tiny.yaml', '--trace', '--trace-limit', '0', '--out', 'cut'], cwd);
    expect(unlimited.stderr).not.toContain('resuming');
    expect(traceOf(cwd, 'cut').text).toBe(whole.text);
  });

  it('a shard stores runs and loads none of the report (d3, figures); a whole run does', () => {
    const cwd = folder();
    // Module hooks (node:module register) that note every report entry the main thread resolves.
    const log = join(cwd, 'resolved.log');
    const hooks = join(cwd, 'hooks.mjs');
    writeFileSync(
      hooks,
      [
        "import { appendFileSync } from 'node:fs';",
        'export async function resolve(specifier, context, next) {',
        '  const r = await next(specifier, context);',
        `  if (/\\/report\\/index\\.[jt]s$/.test(r.url)) appendFileSync(${JSON.stringify(log)}, r.url + '\\n');`,
        '  return r;',
        '}',
      ].join('\n'),
    );
    const register = join(cwd, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const run = (...args: string[]): void => {
      execFileSync(process.execPath, ['--import', register, BIN, 'run', 'tiny.yaml', '--yes', ...args], {
        cwd,
        stdio: 'ignore',
      });
    };
    run('--shard', '0/2', '--out', 'shard0');
    expect(existsSync(join(cwd, 'shard0', 'shard-0-of-2.json'))).toBe(true);
    expect(existsSync(log)).toBe(false);
    run('--out', 'whole');
    expect(existsSync(join(cwd, 'whole', 'index.html'))).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/\/report\/index\.[jt]s\n$/);
  });

  it('refuses a --trace-limit that is not a size: exit 2, nothing written', async () => {
    const cwd = folder();
    const r = await tcplab(['run', 'tiny.yaml', '--trace', '--trace-limit', 'lots'], cwd);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      'tcplab: --trace-limit: expected a size such as 500MB, 2GB or 0 (no limit), got "lots"',
    ]);
  });
});
