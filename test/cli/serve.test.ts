/** `tcplab serve`'s static server: files with their types, folders by index.html, nothing outside the folder, GET and HEAD only. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../src/cli-serve.ts';

let dir: string;
let server: StaticServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcplab-serve-'));
  await mkdir(join(dir, 'site', 'explore'), { recursive: true });
  await writeFile(join(dir, 'site', 'index.html'), '<!doctype html><p>hi');
  await writeFile(join(dir, 'site', 'explore', 'index.js'), 'tcplabExplore("x", []);');
  await writeFile(join(dir, 'secret.txt'), 'not served');
  server = await startStaticServer(join(dir, 'site'), 0);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request, so a path like /../secret.txt reaches the server unnormalized. */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('serves files with their content types, and a folder by its index.html', async () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><p>hi' });
  expect(await get('/explore/index.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
  expect((await get('/nope.js')).status).toBe(404);
});

it('serves nothing outside its folder and answers only GET and HEAD', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/explore/..%2f..%2fsecret.txt']) {
    const r = await get(p);
    expect([403, 404]).toContain(r.status);
    expect(r.body).not.toContain('not served');
  }
  expect((await get('/', 'POST')).status).toBe(405);
  expect(await get('/', 'HEAD')).toMatchObject({ status: 200, body: '' });
});
