/**
 * The command thread of the compiled build's `tcplab run` (src/command-thread.ts): the main thread
 * passes on the command's output and exit status; a signal while nothing handles it ends the
 * process as it would a program without a handler; a command that handles signals but does not
 * stop within 2 s of a SIGTERM (or of a second Ctrl-C) is terminated, exit 143 (130), while one
 * Ctrl-C leaves it to finish its runs (issue 13: a signal always ends a run).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const LAUNCH = fileURLToPath(new URL('./command-thread-fixtures/launch.ts', import.meta.url));
const fixture = (name: string): string => new URL(`./command-thread-fixtures/${name}`, import.meta.url).href;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function launch(command: string, args: string[] = []): { ended: Promise<Ended>; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', LAUNCH, fixture(command), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Ended>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { ended, kill: (s) => child.kill(s) };
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

it("passes on the command's output and exit status", async () => {
  const r = await launch('echo-command.mjs', ['run', 'x.yaml']).ended;
  expect(r).toEqual({ code: 3, signal: null, stdout: 'args run x.yaml\n', stderr: 'a line on stderr\n' });
});

it('a signal while the command handles none ends the process, killed by that signal', async () => {
  const c = launch('idle-command.mjs');
  await settle(1000);
  c.kill('SIGTERM');
  const r = await c.ended;
  expect(r.signal).toBe('SIGTERM');
  expect(r.stderr).toBe('');
});

it('a command that handles signals but is stuck is terminated 2 s after SIGTERM, exit 143', async () => {
  const c = launch('stuck-command.mjs');
  await settle(1000);
  const sentAt = performance.now();
  c.kill('SIGTERM');
  const r = await c.ended;
  const took = performance.now() - sentAt;
  expect(r.code).toBe(143);
  expect(r.stderr).toBe('tcplab: the command did not stop within 2 s of SIGTERM; ended it\n');
  expect(took).toBeGreaterThan(1900);
  expect(took).toBeLessThan(4000);
});

it('one Ctrl-C only asks a command that handles signals to stop; the second ends a stuck one 2 s later, exit 130', async () => {
  const c = launch('stuck-command.mjs');
  let ended = false;
  void c.ended.then(() => (ended = true));
  await settle(1000);
  c.kill('SIGINT');
  await settle(3000);
  expect(ended).toBe(false);
  const sentAt = performance.now();
  c.kill('SIGINT');
  const r = await c.ended;
  expect(r.code).toBe(130);
  expect(r.stderr).toBe('tcplab: the command did not stop within 2 s of SIGINT; ended it\n');
  expect(performance.now() - sentAt).toBeGreaterThan(1900);
});
