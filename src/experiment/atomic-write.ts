/**
 * Atomic file writes: data goes to a temporary file in the same folder, is flushed to disk, then
 * renamed over the target (rename(2) replaces atomically within one file system). A reader, or a
 * rerun after Ctrl-C or `kill -9`, sees the old file or the new one, never a torn one.
 *
 * Temporary names are `.<name>.<host>.<pid>.<n>.tmp`, so a later batch can tell a leftover of a
 * dead process (removed by removeStaleTemps) from a file another live process is writing, even when
 * shards on several machines (or containers, all pid 1) share one folder.
 */
import { readdirSync, rmSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

let counter = 0;
// Asked on first use, not at import: the browser playground bundles this module (through the
// run's trace writer) without ever writing a file, and has no host name to ask for.
let host: string | undefined;
const HOST = (): string => (host ??= hostname().replace(/[^A-Za-z0-9-]/g, '-') || 'host');
const TEMP = /^\..+\.([A-Za-z0-9-]+)\.(\d+)\.\d+\.tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${HOST()}.${process.pid}.${counter++}.tmp`);
}

/** Writes `data` to `path` atomically, creating the folder if needed. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirs(dirname(path));
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Copies a file atomically (a copy to a temporary name, then rename). */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await makeDirs(dirname(to));
  const tmp = tempPathFor(to);
  try {
    await copyFile(from, tmp);
    await rename(tmp, to);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A file written piece by piece (too big to build as one string, e.g. a concatenated trace), then
 * renamed into place. `abort` removes the temporary file.
 */
export interface AtomicStream {
  write(chunk: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openAtomicStream(path: string): Promise<AtomicStream> {
  await makeDirs(dirname(path));
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  // Small pieces are gathered so a file of many short CSV lines is written in few system calls.
  let pending: string[] = [];
  let pendingLength = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingLength = 0;
    await fh.writeFile(text);
  };
  return {
    async write(chunk) {
      if (typeof chunk === 'string') {
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength >= 1 << 20) await flush();
      } else {
        await flush();
        await fh.writeFile(chunk);
      }
    },
    async commit() {
      await flush();
      await fh.sync();
      await fh.close();
      closed = true;
      await rename(tmp, path);
    },
    async abort() {
      if (!closed) await fh.close();
      closed = true;
      await rm(tmp, { force: true });
    },
  };
}

/** True if a process with this id is running (on this machine). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files left in `dir` (and its subfolders) by processes of this host that died
 * mid-write (`kill -9`, power loss). A temporary file of a live process, or of another host (whose
 * processes cannot be checked from here), is left alone: it is never mistaken for a result.
 */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  for (const ent of entries) {
    const full = join(dir, ent.name);
    if (ent.isDirectory()) {
      removed += await removeStaleTemps(full);
      continue;
    }
    const m = TEMP.exec(ent.name);
    if (m && m[1] === HOST() && !processAlive(Number(m[2]))) {
      await rm(full, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Removes this process's own temporary files under `dir`, synchronously: for a process about to
 * exit on a signal while files are being written (issue 13: a signal after the last run was
 * stored left 3.9 GB of them). Only call it when no thread of this process is still writing there.
 */
export function removeOwnTempsSync(dir: string): number {
  let removed = 0;
  for (const path of listTempsIfAny(dir)) {
    const m = TEMP.exec(basename(path));
    if (m && m[1] === HOST() && Number(m[2]) === process.pid) {
      rmSync(path, { force: true });
      removed++;
    }
  }
  return removed;
}

function listTempsIfAny(dir: string): string[] {
  try {
    return listTemps(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Lists temporary files under `dir` (tests use it to check that nothing is left behind). */
export function listTemps(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.isDirectory()) walk(join(d, ent.name));
      else if (TEMP.test(ent.name)) out.push(join(d, ent.name));
    }
  };
  walk(dir);
  return out;
}

/**
 * mkdir -p one level at a time. Node's recursive mkdir loops forever on some paths it cannot
 * create (`--out /proc/self/x` hung); one mkdir per missing level fails at once instead.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) break;
      throw Object.assign(new Error(`${d} is a file, not a folder`), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
