/**
 * The trace explorer's browser script (explorer/client.ts with d3), bundled by esbuild when a page
 * first needs it and kept for the process. Bundled from the TypeScript source in src/ whether the
 * CLI runs from the sources or from the compiled build, so both write the same index.html; a
 * build without the sources beside it bundles the compiled client.js.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let script: Promise<string> | undefined;

/** src/report/explorer/client.ts in the nearest folder above this module that holds it. */
function entry(): string {
  let dir = new URL('./', import.meta.url);
  for (let up = 0; up < 8; up++) {
    const source = fileURLToPath(new URL('src/report/explorer/client.ts', dir));
    if (existsSync(source)) return source;
    dir = new URL('../', dir);
  }
  return fileURLToPath(new URL('./explorer/client.js', import.meta.url));
}

export function explorerScript(): Promise<string> {
  script ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [entry()],
      bundle: true,
      minify: true,
      write: false,
      format: 'iife',
      target: 'chrome110',
      legalComments: 'none',
      logLevel: 'silent',
    });
    return out.outputFiles[0]!.text;
  })();
  return script;
}
