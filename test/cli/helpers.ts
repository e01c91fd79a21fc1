/** Spawns the real CLI entry (`node bin/tcplab.js`) and collects its exit status and output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== '') });
    });
  });
}
