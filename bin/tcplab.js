#!/usr/bin/env node
// Entry point for `npx tcplab`. It runs the compiled JavaScript in dist/ (`npm run build`, made on
// install by the `prepare` script) when that build is newer than every source file, so start-up
// pays no TypeScript loader; otherwise (sources edited since, no build, or TCPLAB_FROM_SOURCE=1)
// it runs the TypeScript sources through tsx's loader, so what runs is always the code on disk.
// From the build, `run` executes on a thread of its own (src/command-thread.ts says why).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const built = fileURLToPath(new URL('dist/cli.js', root));

/** The newest modification time of a .ts file under `dir` (ms). */
function newestSource(dir) {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${ent.name}`;
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (ent.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (process.env.TCPLAB_FROM_SOURCE === '1' || !existsSync(built)) return false;
  return statSync(built).mtimeMs >= newestSource(fileURLToPath(new URL('src', root)));
}

if (buildIsCurrent()) {
  // `run` goes to a thread of its own, its heap sized for the work (src/command-thread.ts).
  if (process.argv[2] === 'run') {
    const { runOnCommandThread } = await import('../dist/command-thread.js');
    runOnCommandThread(new URL('../dist/cli.js', import.meta.url), process.argv.slice(2));
  } else await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
