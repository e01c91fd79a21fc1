/** Spawns the real CLI entry (`node bin/tcplab.js`) and collects its exit status and output. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/tcplab.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  errLines: string[];
}

export function tcplab(args: string[], cwd: string = REPO): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== '') });
      },
    );
  });
}

/**
 * The two-host experiment the CLI tests run: a server and a client making requests over one
 * 5 ms link, two seeds. Each test picks the duration and rate its point needs.
 */
export function tinyExperiment(o: { duration: string; rate: string; sweep?: string }): string {
  return `name: tiny
topology:
  nodes: [client, server]
  links: [{ between: [client, server], latency: 5ms }]
duration: ${o.duration}
seeds: 2
${o.sweep === undefined ? '' : `sweep: ${o.sweep}\n`}apps:
  web:   { kind: server, on: server }
  users: { kind: client, on: client, target: server:80, rate: ${o.rate} }
`;
}

/**
 * Scratch folders for one test file, removed after it: `scratch.make('tcplab-x-', {'tiny.yaml': yaml})`
 * makes a fresh folder under the system temp dir holding those files. Call at module level.
 */
export function scratchFolders(): {
  make(prefix: string, files?: Record<string, string>): string;
  keep(dir: string): void;
} {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return {
    make(prefix, files = {}) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    },
    keep(dir) {
      dirs.push(dir);
    },
  };
}
