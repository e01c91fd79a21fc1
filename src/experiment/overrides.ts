/**
 * `--set path=value` overrides, applied to the plain document before validation so that an
 * overridden value is checked exactly like one written in the file. immer gives each step a new,
 * frozen document and leaves the loaded one untouched (sweep points start from it again).
 */
import { produce } from 'immer';
import { parse as parseYamlValue } from 'yaml';
import { formatPath, SpecErrorCode, type PathSegments, type SpecError } from './errors.ts';
import { isMap } from './spec-readers.ts';
import { parsePath } from './param-paths.ts';
import { findReservedKeys, isReservedKey, reservedKeyMessage } from './safe-keys.ts';

export interface Override {
  /** As given, `apps.flood.rate=500/s`, for messages. */
  text: string;
  segments: PathSegments;
  /** The value parsed as a YAML scalar or flow collection: `1024` → 1024, `true` → true, `500/s` → "500/s". */
  value: unknown;
}

/** Parses `--set` arguments; problems are reported against `file` (the experiment they apply to). */
export function parseOverrides(args: readonly string[], file: string): { overrides: Override[]; errors: SpecError[] } {
  const overrides: Override[] = [];
  const errors: SpecError[] = [];
  for (const text of args) {
    const eq = text.indexOf('=');
    const segments = eq > 0 ? parsePath(text.slice(0, eq)) : undefined;
    if (segments === undefined) {
      errors.push({
        code: SpecErrorCode.path,
        file,
        path: `--set ${text}`,
        message: 'expected path=value, like tcp.backlog=1024 or apps.flood.rate=500/s',
      });
      continue;
    }
    const value = parseValue(text.slice(eq + 1));
    const reserved = findReservedKeys(value);
    if (reserved.length > 0) {
      for (const at of reserved)
        errors.push({
          code: SpecErrorCode.path,
          file,
          path: `--set ${text}`,
          message: reservedKeyMessage(String(at[at.length - 1])),
        });
      continue;
    }
    overrides.push({ text, segments, value });
  }
  return { overrides, errors };
}

function parseValue(text: string): unknown {
  try {
    return parseYamlValue(text);
  } catch {
    return text; // not valid YAML on its own (e.g. "a: b: c"): take it literally and let validation judge it
  }
}

/** An override for a path given as segments, e.g. a sweep point's coordinate. */
export function overrideAt(segments: PathSegments, value: unknown): Override {
  return { text: `${formatPath(segments)}=${String(value)}`, segments, value };
}

/**
 * Returns a new document with `value` at `segments`, creating missing maps on the way (the path
 * has been checked by checkParamPath). A null value removes the key, restoring its default.
 */
export function applyOverride(doc: unknown, segments: PathSegments, value: unknown): unknown {
  // checkParamPath refuses these first; this guard keeps a future caller from writing to a prototype.
  const reserved = segments.find(isReservedKey);
  if (reserved !== undefined) throw new Error(`applyOverride: ${reservedKeyMessage(String(reserved))}`);
  return produce({ root: doc }, (draft: { root: unknown }) => {
    let cur: Record<string | number, unknown> = draft as unknown as Record<string, unknown>;
    const path: PathSegments = ['root', ...segments];
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      if (!Object.hasOwn(cur, seg) || (!isMap(cur[seg]) && !Array.isArray(cur[seg]))) cur[seg] = {};
      cur = cur[seg] as Record<string | number, unknown>;
    }
    const last = path[path.length - 1]!;
    if ((value === null || value === undefined) && !Array.isArray(cur)) delete cur[last];
    else cur[last] = value;
  }).root;
}
