/**
 * `tcplab serve [dir]`: a small static web server for the playground (`npm run web` builds it into
 * web/dist, the default) or for results folders (a results page's trace explorer loads its
 * connections on demand, which browsers allow from http:// but not from file://). GET and HEAD
 * only; paths are confined to the folder; it listens on 127.0.0.1 unless --host says otherwise.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_OK, UsageProblem } from './cli-common.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.jsonl': 'application/x-ndjson',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
};

/** The playground's build folder: web/dist in the package. */
export const PLAYGROUND_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `dir` at host:port (port 0: any free port); resolves once listening. */
export function startStaticServer(dir: string, port: number, host = '127.0.0.1'): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('outside the served folder');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolveStart({
        url: `http://${shown}:${actual}/`,
        server,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

export async function serveCommand(args: { dir?: string; port?: number; host?: string }): Promise<number> {
  const dir = args.dir ?? PLAYGROUND_DIR;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageProblem([
      args.dir === undefined ? `${dir}: the playground is not built; run npm run web first` : `${dir}: no such folder`,
    ]);
  }
  const port = args.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageProblem([`--port: expected 0 to 65535, got ${String(args.port)}`]);
  let s: StaticServer;
  try {
    s = await startStaticServer(dir, port, args.host ?? '127.0.0.1');
  } catch (e) {
    throw new UsageProblem([`cannot listen on ${args.host ?? '127.0.0.1'}:${port}: ${(e as Error).message}`]);
  }
  process.stdout.write(`serving ${dir} at ${s.url}\n`);
  process.stderr.write('tcplab: Ctrl-C stops the server\n');
  await new Promise<void>((done) => {
    const stop = (): void => void s.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_OK;
}
