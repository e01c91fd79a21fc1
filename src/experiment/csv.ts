/**
 * Stable text for numbers and CSV fields, so the same runs give byte-identical results files on
 * any machine: no locale, no platform-dependent float printing.
 *
 * Rule for numbers: integers print as integers; other finite numbers are rounded to 15 significant
 * digits (what a double always holds exactly in decimal), then printed with JavaScript's shortest
 * round-trip form. So 0.1 + 0.2 prints as 0.3, and 1e-7 as 1e-7. -0 prints as 0. NaN and
 * ±Infinity have no CSV/JSON form: they print as an empty CSV cell and JSON null.
 */

/** The number as it is written, or null when it has no finite value. */
export function stableNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  const r = Number(x.toPrecision(15));
  return r === 0 ? 0 : r;
}

/** A number as CSV/JSON text ('' when not finite). */
export function formatNumber(x: number): string {
  const v = stableNumber(x);
  return v === null ? '' : String(v);
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell (RFC 4180): quoted only when it holds a comma, quote or line break. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  const s = typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line, '\n'-terminated (the same on every platform). */
export function csvLine(cells: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ',';
    out += csvCell(cells[i]);
  }
  return out + '\n';
}

/**
 * JSON with stable numbers (see above), two-space indent and a final newline. Key order is the
 * order of the objects given: callers build them in a deterministic order.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? stableNumber(v) : v), 2) + '\n';
}

/**
 * JSON with keys sorted at every level and no whitespace: a canonical form to hash, so two equal
 * specs hash the same whatever order their keys were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
