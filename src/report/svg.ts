/**
 * SVG text building: escaping, number output and element strings. Figures are plain strings (no
 * DOM), so the same input always gives the same bytes: coordinates are rounded to 2 decimals and
 * attributes are written in the order given.
 */

/** Escapes text for XML character data and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A coordinate or length as short text: at most 2 decimals, no "-0". */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) || r === 0 ? '0' : String(r);
}

export type Attrs = Record<string, string | number | undefined | null | false>;

function attrText(attrs: Attrs): string {
  let s = '';
  for (const key of Object.keys(attrs)) {
    const v = attrs[key];
    if (v === undefined || v === null || v === false) continue;
    s += ` ${key}="${typeof v === 'number' ? num(v) : esc(v)}"`;
  }
  return s;
}

/** An element; `children` is already-built markup (use `text()` for character data). */
export function el(tag: string, attrs: Attrs, children?: string | string[]): string {
  const body = Array.isArray(children) ? children.join('') : children;
  if (body === undefined || body === '') return `<${tag}${attrText(attrs)}/>`;
  return `<${tag}${attrText(attrs)}>${body}</${tag}>`;
}

/** Path data of a vertical error bar from y0 to y1 at x, with caps `cap` px either side. */
export function errorBarPath(x: number, y0: number, y1: number, cap: number): string {
  return `M${num(x)},${num(y0)}V${num(y1)}M${num(x - cap)},${num(y0)}H${num(x + cap)}M${num(x - cap)},${num(y1)}H${num(x + cap)}`;
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, esc(content));
}

/** Wraps a figure body in a standalone, scalable SVG document (viewBox, title, description). */
export function svgDocument(width: number, height: number, title: string, desc: string, body: string[]): string {
  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${num(width)} ${num(height)}"` +
    ` width="${num(width)}" height="${num(height)}" role="img"` +
    ` font-family="Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">`;
  return (
    head +
    '\n' +
    el('title', {}, esc(title)) +
    (desc ? el('desc', {}, esc(desc)) : '') +
    '\n' +
    el('rect', { width, height, fill: '#ffffff' }) +
    '\n' +
    body.join('\n') +
    '\n</svg>\n'
  );
}

/** Rough text width in px for the sans-serif stack (layout only; never affects data positions). */
export function textWidth(content: string, fontSize: number): number {
  let w = 0;
  for (const c of content) {
    if (c === ' ' || c === '.' || c === ',' || c === ':' || c === 'i' || c === 'l' || c === '1' || c === '|') w += 0.3;
    else if (c >= 'A' && c <= 'Z') w += 0.68;
    else if (c === 'm' || c === 'w' || c === 'M' || c === 'W') w += 0.85;
    else w += 0.56;
  }
  return w * fontSize;
}
