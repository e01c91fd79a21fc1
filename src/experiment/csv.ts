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
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  if (!Number.isFinite(x)) return null;
  return fifteenDigits(x, String(x));
}

/**
 * A number as CSV/JSON text ('' when not finite). Byte for byte `String(stableNumber(x))`, faster:
 * a non-integer whose shortest round-trip text has at most 15 significant digits is the double
 * nearest that decimal, so rounding it to 15 digits gives that decimal back (15-digit decimals are
 * at least 10^-15 apart relative to x, its double at most 2^-53 from it) and its text is printed as is.
 */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return x === 0 ? '0' : String(x);
  if (!Number.isFinite(x)) return '';
  const text = String(x);
  const r = fifteenDigits(x, text);
  return r === x ? text : String(r);
}

/**
 * A finite non-integer rounded to 15 significant digits (-0 as 0); `text` is String(x). When the
 * text already has 15 digits or fewer, x is what rounding gives, and toPrecision is skipped.
 */
function fifteenDigits(x: number, text: string): number {
  if (fitsFifteenDigits(text)) return x;
  const r = Number(x.toPrecision(15));
  return r === 0 ? 0 : r;
}

/** Whether a number's text (as String prints it) has at most 15 significant digits. */
function fitsFifteenDigits(s: string): boolean {
  let digits = 0;
  let leading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 101) break; // 'e': the exponent is not part of the digits
    if (c < 48 || c > 57) continue; // '-', '.'
    if (leading && c === 48) continue; // zeros before the first other digit are not significant
    leading = false;
    digits++;
  }
  return digits <= 15;
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
