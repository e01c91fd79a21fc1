/**
 * `sweep:` validation. Two kinds of axis, told apart by their value:
 *
 *   sweep:
 *     apps.flood.rate: [0/s, 1000/s]          # a path axis: a parameter path and its values
 *     defence:                                # a named axis: a name and its named variants,
 *       none:    { tcp.synCookies: false }     #   each a set of `path: value` overrides
 *       cookies: { tcp.synCookies: true }
 *
 * A run's point holds the path axis's value and the named axis's variant name:
 * `{"apps.flood.rate": "1000/s", defence: "cookies"}`. Paths are checked here (like `--set`
 * paths); the values they set are validated later, in place, one sweep point at a time (load.ts),
 * so a variant may set a whole sub-tree (`apps.a.steps: [...]`, `faults: [...]`).
 */
import { describeValue, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { isMap, NAME_PATTERN, readList, readMap } from './spec-readers.ts';
import { checkParamPath, EXPERIMENT_KEYS, parsePath } from './param-paths.ts';
import type { NamedAxis } from './spec-types.ts';

/** Paths that are not parameters of a run and so cannot be swept. */
export const NOT_SWEEPABLE = ['name', 'description', 'seed', 'seeds', 'sweep', 'charts', 'trace', 'pcap'];

/** A named axis (a map of variants) rather than a path axis (a list of values). */
export function isNamedAxis(v: unknown): v is NamedAxis {
  return isMap(v);
}

/** The values of each axis as they appear in points: a path axis's values, a named axis's variant names. */
export function axisValues(sweep: Readonly<Record<string, unknown>>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [key, v] of Object.entries(sweep)) out[key] = isNamedAxis(v) ? Object.keys(v) : Array.isArray(v) ? v : [];
  return out;
}

/** A path some axis sets, and where the file says so (for messages about overlaps). */
interface Claim {
  axis: string;
  segments: PathSegments;
  at: PathSegments;
}

export function readSweep(
  p: Problems,
  path: PathSegments,
  v: unknown,
  doc: unknown,
): Record<string, unknown[] | NamedAxis> | undefined {
  if (v === undefined) return {};
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  const claims: Claim[] = [];
  for (const [key, values] of Object.entries(obj)) {
    const at = [...path, key];
    const mine = isNamedAxis(values) ? readNamedAxis(p, at, key, values, doc) : readPathAxis(p, at, key, values, doc);
    checkOverlaps(p, claims, mine);
    claims.push(...mine);
  }
  return p.count === before ? (obj as Record<string, unknown[] | NamedAxis>) : undefined;
}

/**
 * A path that may be swept or set by a variant: well-formed, sweepable, naming a parameter.
 * `false` when it can never be swept (its values are not worth checking), undefined when it
 * names no parameter.
 */
function checkSweepPath(p: Problems, at: PathSegments, key: string, doc: unknown): PathSegments | undefined | false {
  const segments = parsePath(key);
  if (segments === undefined || NOT_SWEEPABLE.includes(String(segments[0]))) {
    const hint = segments?.[0] === 'seed' || segments?.[0] === 'seeds' ? ': replicates come from seed and seeds' : '';
    p.add(SpecErrorCode.path, at, `cannot sweep ${JSON.stringify(key)}${hint}`);
    return false;
  }
  const problem = checkParamPath(doc, segments);
  if (problem !== undefined) {
    p.add(SpecErrorCode.path, at, `no such parameter: ${problem}`);
    return undefined;
  }
  return segments;
}

/** `apps.flood.rate: [0/s, 100/s]`: a non-empty list of distinct scalars. */
function readPathAxis(p: Problems, at: PathSegments, key: string, values: unknown, doc: unknown): Claim[] {
  const segments = checkSweepPath(p, at, key, doc);
  if (segments === false) return [];
  const list = readList(p, at, values);
  if (list === undefined) return [];
  if (list.length === 0) p.add(SpecErrorCode.range, at, 'a sweep axis needs at least one value');
  const seen = new Set<unknown>();
  list.forEach((x, i) => {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') {
      p.add(
        SpecErrorCode.type,
        [...at, i],
        `a sweep value is a number, a string or true/false, got ${describeValue(x)}`,
      );
    } else if (seen.has(x)) {
      p.add(SpecErrorCode.duplicate, [...at, i], `${describeValue(x)} appears twice on this axis`);
    }
    seen.add(x);
  });
  return segments === undefined ? [] : [{ axis: key, segments, at }];
}

/**
 * `defence: { none: {...}, cookies: {...} }`. Names are plain words: they become point values,
 * and JavaScript would reorder number-like keys ahead of the others, losing the file order.
 */
function readNamedAxis(p: Problems, at: PathSegments, key: string, variants: NamedAxis, doc: unknown): Claim[] {
  if (!NAME_PATTERN.test(key)) {
    const hint = key.includes('.') ? ` (to sweep the parameter ${key}, list its values: [a, b])` : '';
    p.add(
      SpecErrorCode.type,
      at,
      `a named axis needs a one-word name (letters, digits, "_" or "-", starting with a letter)${hint}`,
    );
    return [];
  }
  if ((EXPERIMENT_KEYS as readonly string[]).includes(key)) {
    p.add(
      SpecErrorCode.type,
      at,
      `"${key}" is a section of the experiment: to sweep its parameters list their values by path (${key}.<name>: [a, b]), or give the named axis another name`,
    );
    return [];
  }
  const names = Object.keys(variants);
  if (names.length === 0)
    p.add(SpecErrorCode.range, at, 'a named axis needs at least one variant, like none: { tcp.synCookies: false }');
  const claims: Claim[] = [];
  for (const name of names) {
    const vat = [...at, name];
    if (!NAME_PATTERN.test(name)) {
      p.add(SpecErrorCode.type, vat, 'a variant name is a word of letters, digits, "_" or "-", starting with a letter');
      continue;
    }
    const set = variants[name];
    if (set === null) continue; // `none:` with nothing after it: the base experiment as it is
    const overrides = readMap(p, vat, set);
    if (overrides === undefined) continue;
    const mine: Claim[] = [];
    for (const path of Object.keys(overrides)) {
      const oat = [...vat, path];
      const segments = checkSweepPath(p, oat, path, doc);
      if (!segments) continue;
      const clash = mine.find((c) => isPrefix(c.segments, segments) || isPrefix(segments, c.segments));
      if (clash !== undefined) {
        p.add(
          SpecErrorCode.duplicate,
          oat,
          `overlaps ${JSON.stringify(String(clash.at[clash.at.length - 1]))} in the same variant: set one or the other`,
        );
        continue;
      }
      mine.push({ axis: key, segments, at: oat });
    }
    claims.push(...mine);
  }
  return claims;
}

function isPrefix(a: PathSegments, b: PathSegments): boolean {
  return a.length <= b.length && a.every((s, i) => String(s) === String(b[i]));
}

/**
 * Axes are applied in file order, so a later axis that sets the same path as an earlier one, or a
 * map above it, would silently undo it. The other way round (a later axis refining a value inside
 * what an earlier one set) is fine.
 */
function checkOverlaps(p: Problems, earlier: readonly Claim[], later: readonly Claim[]): void {
  const reported = new Set<string>();
  for (const c of later) {
    const hit = earlier.find((e) => e.axis !== c.axis && isPrefix(c.segments, e.segments));
    if (hit === undefined || reported.has(hit.axis + '\u0000' + c.at.join('\u0000'))) continue;
    reported.add(hit.axis + '\u0000' + c.at.join('\u0000'));
    const same = c.segments.length === hit.segments.length;
    const fix = same ? 'one axis per parameter' : 'put this axis first, so the other refines what it sets';
    p.add(
      SpecErrorCode.duplicate,
      c.at,
      `${same ? 'sets' : 'replaces'} ${hit.segments.join('.')}, which the earlier sweep axis ${JSON.stringify(hit.axis)} sets: ${fix}`,
    );
  }
}
