/**
 * Reading a spec (experiment or topology) from disk: regular files only (not a device such as
 * /dev/zero, a folder or a pipe), at most MAX_SPEC_BYTES, and valid UTF-8. What goes wrong is a
 * SpecFileError whose message says why without quoting the file's contents.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Far above any hand-written or generated spec; a file this large is not one. */
export const MAX_SPEC_BYTES = 8 * 1024 * 1024;

export class SpecFileError extends Error {}

export function readSpecFile(file: string): string {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat can refuse it.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (!info.isFile()) throw new SpecFileError('not a regular file (a device, pipe or socket)');
    if (info.size > MAX_SPEC_BYTES)
      throw new SpecFileError(`larger than ${MAX_SPEC_BYTES / 1024 / 1024} MB (${info.size} bytes): not a spec file`);
    const buf = Buffer.alloc(info.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, got));
    } catch {
      throw new SpecFileError(
        `not UTF-8 text (line ${firstInvalidLine(buf.subarray(0, got))} has bytes that are not UTF-8)`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** The line of the first byte that is not UTF-8 (a U+FFFD written as text before it would be taken for it: rare, and only the line number is off). */
function firstInvalidLine(b: Uint8Array): number {
  const text = new TextDecoder('utf-8').decode(b);
  const at = text.indexOf('\uFFFD');
  return text.slice(0, Math.max(0, at)).split('\n').length;
}
