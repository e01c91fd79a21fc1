/** A results folder on disk as a ResultsSource: large files are streamed line by line. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsSource } from './results-source.ts';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export function folderSource(dir: string): ResultsSource {
  return {
    text: async (file) => ((await isFile(join(dir, file))) ? readFile(join(dir, file), 'utf8') : null),
    lines: async (file) => {
      const path = join(dir, file);
      if (!(await isFile(path))) return null;
      return fileLines(path);
    },
    lineBlocks: async (file) => {
      const path = join(dir, file);
      if (!(await isFile(path))) return null;
      return fileLineBlocks(path);
    },
  };
}

/**
 * The lines of a text file, split as node:readline splits them (`crlfDelay: Infinity`: a line ends
 * at \n, \r\n or a lone \r; no empty line after a final line end) but read in 1 MiB pieces, cut
 * with indexOf and handed out one piece's lines at a time: readline's per-line events, regular
 * expression and await cost more than the report's parsing of a 10 MB timeseries.csv.
 */
export async function* fileLineBlocks(path: string, chunkBytes = 1 << 20): AsyncGenerator<string[]> {
  let rest = '';
  for await (const piece of createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    const text = rest + (piece as string);
    const lines: string[] = [];
    let at = 0;
    let cr = text.indexOf('\r');
    for (;;) {
      if (cr >= 0 && cr < at) cr = text.indexOf('\r', at);
      const end = text.indexOf('\n', at);
      if (cr >= 0 && (end < 0 || cr < end - 1)) {
        // A \r before this \n (or with none after it) ends a line alone, unless it is the piece's
        // last character: the \n of a \r\n may start the next piece.
        if (cr === text.length - 1) break;
        lines.push(text.slice(at, cr));
        at = cr + 1;
        continue;
      }
      if (end < 0) break;
      lines.push(text.slice(at, cr >= 0 && cr === end - 1 ? cr : end));
      at = end + 1;
    }
    rest = text.slice(at);
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** fileLineBlocks one line at a time. */
export async function* fileLines(path: string, chunkBytes = 1 << 20): AsyncGenerator<string> {
  for await (const lines of fileLineBlocks(path, chunkBytes)) yield* lines;
}
