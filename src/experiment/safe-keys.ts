/**
 * Keys that reach JavaScript's object machinery rather than a value: `obj["__proto__"] = v`
 * replaces or writes through the prototype, and `constructor` / `prototype` lead from any object to
 * `Object.prototype`. No tcplab parameter, node, app, axis or variant is called that, so these
 * names are refused wherever a user names a key or a path segment (exit 2). Lookups by a user's
 * name (`apps.toString`, a node called `valueOf`) use own keys only (Object.hasOwn), so an
 * inherited function is never taken for a map the user wrote.
 */
import type { PathSegments } from './errors.ts';

export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export function isReservedKey(key: string | number): boolean {
  return typeof key === 'string' && RESERVED_KEYS.includes(key);
}

/** The message for a reserved key or path segment. */
export function reservedKeyMessage(key: string): string {
  return `${JSON.stringify(key)} is a reserved name (it would reach JavaScript's object prototype), not a parameter or a name`;
}

/** Every path in `value` (maps and lists, depth first) whose last key is reserved. */
export function findReservedKeys(value: unknown, at: PathSegments = []): PathSegments[] {
  const found: PathSegments[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, path: PathSegments): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
      return;
    }
    for (const key of Object.keys(v)) {
      if (isReservedKey(key)) found.push([...path, key]);
      else walk((v as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(value, at);
  return found;
}
