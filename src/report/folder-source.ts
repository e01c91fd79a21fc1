/** A results folder on disk as a ResultsSource: large files are streamed line by line. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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
      return createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    },
  };
}
