/**
 * `npm run web`: builds the playground (web/) into web/dist/, a static folder any web server can
 * serve (`tcplab serve web/dist`). esbuild bundles two entry points:
 *   - app.js     the page: YAML editor, validation, the worker pool, the report and trace explorer;
 *   - worker.js  one Web Worker: loads the spec and runs the simulation (src/experiment/run.ts).
 * The engine is the same code the CLI runs, bundled, not copied. Two things are resolved here:
 *   - `tcplab:specs` is a generated module holding experiments/*.yaml (the presets) and
 *     topologies/*.yaml (which presets name by path), as text;
 *   - `tcplab:explorer-script` holds the trace explorer's browser script (src/report/explorer/
 *     client.ts), bundled first, which the report inlines into a results page with a trace;
 *   - `node:*` imports. The simulation path has none that it calls in the browser: `node:path`
 *     (spec loading joins topology paths) becomes pathe, a path library for browsers; the file
 *     system (spec-file.ts, trace-file.ts, atomic-write.ts) and node:crypto are reached only by
 *     the CLI's code paths (reading files, streaming a trace to disk, hashing run keys), so they
 *     become a module whose every function throws "not available in the browser".
 * Prints the size of each file and of the whole folder, gzipped.
 */
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
// The trace explorer's script exactly as the CLI's report inlines it.
import { explorerScript } from '../src/report/explorer-script.ts';

const WEB = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(WEB);

/** Node built-ins the bundle may meet, and what stands in for them. */
const NODE_STANDINS: Record<string, string> = {
  'node:path': 'pathe',
};
const UNAVAILABLE = new Set([
  'node:fs',
  'node:fs/promises',
  'node:crypto',
  'node:readline',
  'node:os',
  'node:url',
  'node:module',
  'node:worker_threads',
  'node:perf_hooks',
  'node:zlib',
]);

export function specFiles(root = ROOT): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of ['experiments', 'topologies']) {
    for (const name of readdirSync(join(root, folder)).sort()) {
      if (name.endsWith('.yaml')) out[`${folder}/${name}`] = readFileSync(join(root, folder, name), 'utf8');
    }
  }
  return out;
}

const browserSeams = (explorerScript: string): Plugin => ({
  name: 'tcplab-browser-seams',
  setup(b) {
    b.onResolve({ filter: /^tcplab:explorer-script$/ }, () => ({ path: 'explorer-script', namespace: 'tcplab-specs' }));
    b.onLoad({ filter: /^explorer-script$/, namespace: 'tcplab-specs' }, () => ({
      contents: `export default ${JSON.stringify(explorerScript)};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^tcplab:specs$/ }, () => ({ path: 'specs', namespace: 'tcplab-specs' }));
    b.onLoad({ filter: /^specs$/, namespace: 'tcplab-specs' }, () => ({
      contents: `export default ${JSON.stringify(specFiles())};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^node:/ }, async (args) => {
      const standin = NODE_STANDINS[args.path];
      if (standin !== undefined) return b.resolve(standin, { kind: args.kind, resolveDir: ROOT });
      if (UNAVAILABLE.has(args.path)) return { path: args.path, namespace: 'tcplab-unavailable' };
      return { errors: [{ text: `${args.path} has no stand-in in the browser build (web/build.ts)` }] };
    });
    b.onLoad({ filter: /.*/, namespace: 'tcplab-unavailable' }, (args) => ({
      // CommonJS, so any named import resolves; calling anything says where it came from.
      contents: `const what = ${JSON.stringify(args.path)};
module.exports = new Proxy({}, { get(_, name) {
  if (name === '__esModule') return false;
  if (typeof name !== 'string') return undefined;
  const f = () => { throw new Error(what + '.' + name + ' is not available in the browser'); };
  return new Proxy(f, { get(_, k) { if (typeof k === 'string') throw new Error(what + '.' + name + '.' + k + ' is not available in the browser'); } });
} });`,
      loader: 'js',
    }));
  },
});

export interface WebBuild {
  outDir: string;
  /** File name → bytes and gzipped bytes. */
  files: { file: string; bytes: number; gzip: number }[];
  totalGzip: number;
}

export async function buildWeb(outDir = join(WEB, 'dist'), opts: { minify?: boolean } = {}): Promise<WebBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(WEB, 'src/app.ts'), worker: join(WEB, 'src/worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome110',
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [browserSeams(await explorerScript())],
  });
  cpSync(join(WEB, 'index.html'), join(outDir, 'index.html'));
  const files: WebBuild['files'] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const data = readFileSync(p);
        files.push({ file: relative(outDir, p), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(outDir);
  return { outDir, files, totalGzip: files.reduce((n, f) => n + f.gzip, 0) };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(WEB, 'dist');
  const result = await buildWeb(out);
  for (const f of result.files)
    process.stdout.write(`${f.file.padEnd(14)} ${kb(f.bytes).padStart(11)}  gzip ${kb(f.gzip).padStart(10)}\n`);
  process.stdout.write(
    `${'total'.padEnd(14)} ${kb(result.files.reduce((n, f) => n + f.bytes, 0)).padStart(11)}  gzip ${kb(result.totalGzip).padStart(10)}\n`,
  );
  process.stdout.write(
    `built ${relative(process.cwd(), out) || '.'}: serve it with  npx tcplab serve ${relative(process.cwd(), out) || '.'}\n`,
  );
  writeFileSync(
    join(out, 'build.json'),
    JSON.stringify({ files: result.files, totalGzip: result.totalGzip }, null, 2) + '\n',
  );
}
