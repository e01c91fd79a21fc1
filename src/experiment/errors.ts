/**
 * Problems in user files are values, not exceptions: every validator appends to one list so a
 * user sees all of them at once, each naming its file and field path, e.g.
 * `experiments/x.yaml: links[2].latency: expected a duration like "10ms", got "-5ms"`.
 */

export const SpecErrorCode = {
  /** The file could not be read. */
  file: 'file',
  /** YAML syntax error (has line and column). */
  yaml: 'yaml',
  unknownKey: 'unknown_key',
  missing: 'missing',
  /** Wrong type or a malformed unit string. */
  type: 'type',
  /** Right type, value out of its allowed range. */
  range: 'range',
  /** A node, group, app or sweep axis that does not exist. */
  reference: 'reference',
  duplicate: 'duplicate',
  /** A `--set` or sweep path that names no parameter. */
  path: 'path',
  /** An app target that its node cannot reach over the topology's links. */
  unreachable: 'unreachable',
} as const;
export type SpecErrorCode = (typeof SpecErrorCode)[keyof typeof SpecErrorCode];

export interface SpecError {
  code: SpecErrorCode;
  /** The file as the user named it (or as resolved relative to the file that refers to it). */
  file: string;
  /** Rendered field path, `links[2].latency`; '' for a whole-file problem. */
  path: string;
  message: string;
  /** 1-based position, for YAML syntax errors. */
  line?: number;
  col?: number;
}

/** A field path as segments: object keys and list indices. */
export type PathSegments = readonly (string | number)[];

export type Result<T> = { ok: true; value: T } | { ok: false; errors: SpecError[] };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['links', 2, 'latency']` → `links[2].latency`; keys that are not plain (`apps.flood.rate`) are quoted in brackets. */
export function formatPath(path: PathSegments): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One line for a user: `file: path: message`, or `file:line:col: message` for YAML syntax. */
export function formatSpecError(e: SpecError): string {
  if (e.line !== undefined) return `${e.file}:${e.line}:${e.col ?? 1}: ${e.message}`;
  return e.path === '' ? `${e.file}: ${e.message}` : `${e.file}: ${e.path}: ${e.message}`;
}

/**
 * The collector validators write to. Paths are kept as segments so the loader can relocate
 * problems (e.g. `topology.links[0]` → `links[0]` of the topology file it came from).
 */
export interface Problem {
  code: SpecErrorCode;
  path: PathSegments;
  message: string;
}

export class Problems {
  readonly list: Problem[] = [];
  add(code: SpecErrorCode, path: PathSegments, message: string): void {
    this.list.push({ code, path, message });
  }
  get count(): number {
    return this.list.length;
  }
}

/** A value as it appeared in the file, for "got …" in messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  // Bounded and escaped: a value may be a whole file or a 100 kB token with control bytes.
  if (typeof v === 'string')
    return v.length <= 80 ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, 60))}… (${v.length} characters)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

/** Optimal string alignment distance (Levenshtein plus transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) d[i]!.push(i === 0 ? j : 0);
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate if it is close enough to be a likely typo, else undefined: a small edit
 * distance, or a long shared start (`synRetry` → `synRetries`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  let bestPrefix: string | undefined;
  let bestPrefixLen = 0;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
    const shared = commonPrefix(word.toLowerCase(), c.toLowerCase());
    if (shared > bestPrefixLen) {
      bestPrefix = c;
      bestPrefixLen = shared;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.min(word.length, best.length) / 3));
  if (bestD <= limit) return best;
  return bestPrefixLen >= Math.max(5, Math.ceil(0.75 * word.length)) ? bestPrefix : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** ` (did you mean "latency"?)` or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${JSON.stringify(c)}?)`;
}
