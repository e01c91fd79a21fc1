/**
 * Signals against `tcplab run` itself, the real model doing one run at a time: that run executes on
 * the command's own thread (the command thread of src/command-thread.ts from the compiled build,
 * the main thread from the sources) and hands back to the event loop between slices of events, so
 * SIGTERM, or Ctrl-C twice, still stop it within a second, store nothing partial and leave no
 * temporary file (issue 13's promise, kept by issue 14's one-heap runs). test/experiment/
 * batch-signals.test.ts covers runs on worker threads that never yield.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { listTemps } from '../../src/experiment/atomic-write.ts';
import { BIN, scratchFolders } from './helpers.ts';

const scratch = scratchFolders();

/** Minutes of simulation: a run that is still going when the signal comes, traced so it shows when it starts. */
const LONG = `name: long
topology:
  nodes: [{ name: client, count: 20 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 600s
apps:
  web:   { kind: server, on: server, responseBytes: 2KB }
  users: { kind: client, on: client, target: server:80, rate: 20/s }
`;

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} never happened`);
}

// bin/tcplab.js runs the compiled build when it is current (as after `npm ci`), the sources otherwise.
for (const [what, signals, code, env] of [
  ['SIGTERM', ['SIGTERM'], 143, {}],
  ['Ctrl-C twice', ['SIGINT', 'SIGINT'], 130, {}],
  ['SIGTERM, from the sources (on the main thread)', ['SIGTERM'], 143, { TCPLAB_FROM_SOURCE: '1' }],
] as const) {
  it(`a run of the model on the command's thread stops within a second of ${what}, storing nothing`, async () => {
    const cwd = scratch.make('tcplab-signals-', { 'long.yaml': LONG });
    const child = spawn(
      process.execPath,
      [BIN, 'run', 'long.yaml', '--jobs', '1', '--trace', '--yes', '--out', 'out'],
      {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('exit', (c) => resolve({ code: c, at: performance.now() })),
    );
    const out = join(cwd, 'out');
    // The run's streamed trace appears as a temporary file in the store once the run is under way.
    await until(() => existsSync(join(out, '.runs')) && listTemps(out).length > 0, 'the run starting');
    if (signals.length === 2) {
      child.kill(signals[0]);
      await until(() => stderr.includes('no new runs started'), 'the first Ctrl-C being heard');
    }
    const sentAt = performance.now();
    child.kill(signals.at(-1)!);
    const exit = await exited;
    expect(exit.code).toBe(code);
    expect(exit.at - sentAt).toBeLessThan(1000);
    expect(stderr).toContain('abandoning the runs in flight');
    expect(stderr).toMatch(/interrupted: 0 of 1 runs stored in .*; rerun the same command to resume/);
    expect(readdirSync(join(out, '.runs')).filter((n) => n.endsWith('.json'))).toEqual([]);
    expect(listTemps(out)).toEqual([]);
  });
}
