/**
 * Where a validation problem sits in the editor's text: the loader names a field path
 * (`apps.web.port`, `links[2].latency`, `sweep["apps.flood.rate"][1]`); this finds the line of that
 * field's value in the YAML, or of the deepest part of the path that exists (a missing key is
 * marked at the map that lacks it).
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

const TOKEN = /^(?:\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** `links[2].latency` → ['links', 2, 'latency']; null when it is not a field path (e.g. `--set …`). */
export function parseFieldPath(path: string): (string | number)[] | null {
  const out: (string | number)[] = [];
  let rest = path;
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (m === null) return null;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The 1-based line of a field path in a YAML text, or null when none of it is found. */
export function fieldLine(text: string, path: string): number | null {
  const segments = parseFieldPath(path);
  if (segments === null) return null;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  let node: unknown = doc.contents;
  let line: number | null = null;
  const at = (n: unknown): number | null => {
    const range = (n as Node | null)?.range;
    return range ? lines.linePos(range[0]).line : null;
  };
  line = at(node);
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(seg),
      );
      if (pair === undefined) break;
      line = at(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = item;
      line = at(node) ?? line;
    } else break;
  }
  return line;
}
