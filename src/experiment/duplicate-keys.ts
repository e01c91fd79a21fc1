/**
 * Duplicate keys in a parsed YAML document, found with one index per map: linear in the entries.
 * The YAML library's own `uniqueKeys` check compares each new key with every earlier key of its
 * map, which made a 100 000-app file quadratic to load (issue 14). Keys are equal as the library
 * judges them (scalar values compared with ===); merge keys (`<<`) may repeat, as YAML 1.1 merges
 * allow (the library reads each one as a fresh symbol, so they never compare equal); complex
 * (collection) keys are never compared (no experiment field uses them).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegments } from './errors.ts';

export interface DuplicateKey {
  /** The field path of the repeated key, e.g. ['apps', 'web', 'port']. */
  path: PathSegments;
  /** 1-based position of the repetition and of the first occurrence. */
  line: number;
  col: number;
  firstLine: number;
}

/** Every repeated key, in document order; at most `limit` (a generated file can repeat thousands). */
export function findDuplicateKeys(doc: Document, lines: LineCounter, limit: number): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const path: (string | number)[] = [];
  const walk = (node: unknown): void => {
    if (found.length >= limit || isAlias(node)) return; // an alias repeats a node checked where it was defined
    if (isMap(node)) {
      const seen = new Map<unknown, Node>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = item.key;
        if (isScalar(key)) {
          const first = seen.get(key.value);
          if (first !== undefined) {
            const at = lines.linePos(key.range?.[0] ?? 0);
            const firstAt = lines.linePos(first.range?.[0] ?? 0);
            found.push({ path: [...path, keyName(key.value)], line: at.line, col: at.col, firstLine: firstAt.line });
            if (found.length >= limit) return;
          } else if (first === undefined) {
            seen.set(key.value, key);
          }
          path.push(keyName(key.value));
          walk(item.value);
          path.pop();
        } else {
          walk(item.value);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        path.push(i);
        walk(item);
        path.pop();
      });
    }
  };
  walk(doc.contents);
  return found;
}

function keyName(v: unknown): string {
  return typeof v === 'symbol' ? (v.description ?? '') : String(v);
}
