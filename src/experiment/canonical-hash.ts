/**
 * sha256 of a value's canonical JSON (csv.ts `canonicalJson`: keys sorted at every level, no
 * whitespace), computed without building that text or a sorted copy of the value.
 *
 * Why: a run key hashes the run's whole spec, and a spec over a node group holds every member (a
 * 10 000-client star's spec is 1.8 MB of JSON). Built whole, the sorted copy and the text's parts
 * all live until the hash is taken; V8 grows a young generation once enough bytes have survived
 * its collections, so the main thread's grew to its 32 MB maximum for the rest of the process
 * (its heap held 38–40 MB while star-10k ran on the worker thread, five runs of five). Written
 * piece by piece into the hash, each piece dies young: 30 MB in most runs (five of seven), 34–42 MB
 * when the survivors of loading the spec still tip it over. It costs time: about 50 ms for
 * star-10k's key against 37 ms through the sorted copy. (A writer that copies each object as it
 * goes, without the scratch keys and the flat-object path below, takes ~40 ms but let the young
 * generation grow in five runs of six.) The lasting fix is a run spec that keeps a group as one
 * entry instead of its 10 000 members.
 */
import { createHash, type Hash } from 'node:crypto';

/** Text is handed to the hash in pieces of about this many characters. */
const PIECE = 16 * 1024;

/** sha256 (hex) of `canonicalJson(value)`, byte for byte the same. */
export function canonicalSha256(value: unknown): string {
  const w = new CanonicalWriter(createHash('sha256'));
  w.value(value, false);
  return w.end();
}

/**
 * Writes canonical JSON into a hash, allocating little that outlives the value being written:
 * text goes to the hash in pieces of PIECE characters, keys are gathered into a scratch array per
 * nesting depth, and each key's `"key":` text is made once. An object of plain values (a group
 * member, a link's queue) is written by one JSON.stringify, of a copy with sorted keys if its own
 * are not; that copy dies at once. (Replacing every object by a sorted copy, as canonicalJson
 * does, costs about half the time but allocates enough to grow the young generation.)
 */
class CanonicalWriter {
  private readonly pieces: string[] = [];
  private length = 0;
  private readonly keyText = new Map<string, string>();
  private readonly scratch: string[][] = [];
  private depth = 0;

  constructor(private readonly hash: Hash) {}

  /** Writes `v` as canonicalJson would; `inArray`: where JSON.stringify writes null for nothing. */
  value(v: unknown, inArray: boolean): void {
    if (Array.isArray(v)) {
      this.put('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.put(',');
        this.value(v[i], true);
      }
      this.put(']');
    } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      this.object(v as Record<string, unknown>);
    } else {
      // Leaves (and typed arrays, which canonicalJson leaves unsorted) as JSON.stringify writes them.
      const text = JSON.stringify(v) as string | undefined;
      this.put(text === undefined ? (inArray ? 'null' : '') : text);
    }
  }

  private object(v: Record<string, unknown>): void {
    const keys = (this.scratch[this.depth] ??= []);
    keys.length = 0;
    let sorted = true;
    let flat = true;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      if (keys.length > 0 && keys[keys.length - 1]! >= k) sorted = false;
      const item = v[k];
      if (item !== null && typeof item === 'object') flat = false;
      keys.push(k);
    }
    if (flat) {
      // Sorted already (no array-index key, which would come first whatever the order): it is its
      // own canonical form. Else a copy with its keys inserted in sorted order is.
      this.put(JSON.stringify(sorted && (keys.length === 0 || !isArrayIndex(keys[0]!)) ? v : sortedCopy(v, keys)));
      return;
    }
    canonicalKeyOrder(keys);
    this.depth++;
    this.put('{');
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const item = v[k];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      if (!first) this.put(',');
      first = false;
      let text = this.keyText.get(k);
      if (text === undefined) this.keyText.set(k, (text = JSON.stringify(k) + ':'));
      this.put(text);
      this.value(item, false);
    }
    this.put('}');
    this.depth--;
  }

  private put(s: string): void {
    this.pieces.push(s);
    this.length += s.length;
    if (this.length >= PIECE) this.flush();
  }

  private flush(): void {
    this.hash.update(this.pieces.join(''));
    this.pieces.length = 0;
    this.length = 0;
  }

  end(): string {
    this.flush();
    return this.hash.digest('hex');
  }
}

/** `v` with `keys` (its own) inserted in sorted order, as canonicalJson copies every object. */
function sortedCopy(v: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  keys.sort();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = v[keys[i]!];
  return out;
}

/**
 * Puts `keys` (in place) in the order canonicalJson writes them. It inserts them sorted into a
 * fresh object, and JavaScript enumerates an object's array-index keys ("0", "17") first, in
 * numeric order, then the others in insertion order.
 */
function canonicalKeyOrder(keys: string[]): void {
  keys.sort();
  let indices = 0;
  for (const k of keys) if (isArrayIndex(k)) indices++;
  if (indices === 0) return;
  const ordered = [
    ...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)),
    ...keys.filter((k) => !isArrayIndex(k)),
  ];
  for (let i = 0; i < ordered.length; i++) keys[i] = ordered[i]!;
}

function isArrayIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9][0-9]*)$/.test(k) && Number(k) < 4294967295;
}
