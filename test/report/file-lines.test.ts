/**
 * The report's line reader (folder-source.ts fileLines) replaced node:readline: it must give the
 * same lines on every input, line ends cut across read pieces included.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { fileLines } from '../../src/report/folder-source.ts';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

async function readlineLines(path: string): Promise<string[]> {
  return collect(createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity }));
}

const dir = mkdtempSync(join(tmpdir(), 'tcplab-lines-'));
let n = 0;
function fileWith(text: string): string {
  const path = join(dir, `f${n++}.txt`);
  writeFileSync(path, text, 'utf8');
  return path;
}

const CASES = [
  '',
  'a',
  'a\n',
  'a\n\n',
  '\n',
  '\n\n',
  'a\r\nb\r\n',
  'a\rb\rc',
  'a\r',
  'a\n\r',
  '\r\n',
  '\r',
  '\r\r\n\n',
  'run,t_s,node,metric,value\np0-s1,0.1,client,x,1\np0-s1,0.2,"a,b",y,2\n',
  'héllo wörld\n€ and 𝄞 straddle pieces\r\nend',
  'no final line end\nlast',
];

describe('fileLines', () => {
  it('splits as readline does, with any read-piece size', async () => {
    for (const text of CASES) {
      const path = fileWith(text);
      const want = await readlineLines(path);
      for (const piece of [1, 2, 3, 5, 1 << 20])
        expect(await collect(fileLines(path, piece)), JSON.stringify(text)).toEqual(want);
    }
  });

  it('splits random mixes of \\n, \\r, \\r\\n and multi-byte text as readline does', async () => {
    let s = 12345;
    const rnd = (k: number): number => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s % k;
    };
    const atoms = ['\n', '\r', '\r\n', 'x', 'yz', 'é', '𝄞', ',', '""', ''];
    for (let t = 0; t < 60; t++) {
      let text = '';
      const len = rnd(200);
      for (let i = 0; i < len; i++) text += atoms[rnd(atoms.length)];
      const path = fileWith(text);
      const want = await readlineLines(path);
      for (const piece of [1, 4, 7, 64])
        expect(await collect(fileLines(path, piece)), JSON.stringify(text)).toEqual(want);
    }
  });
});
