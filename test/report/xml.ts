/**
 * A strict little XML parser for the figure tests: throws on anything not well-formed (unclosed
 * or mismatched tags, bad attributes, unknown entities, stray '<' or '&', text outside the root)
 * and returns an element tree to query.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_:][\w:.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;&<]*);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare '&' near offset ${where}`);
    if (ent in ENTITIES) return ENTITIES[ent]!;
    if (/^#\d+$/.test(ent)) return String.fromCodePoint(Number(ent.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(ent)) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    throw new Error(`unknown entity ${m} near offset ${where}`);
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(src.slice(Math.max(0, i - 30), i + 30))}`);
  };
  while (i < src.length) {
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) fail('bad CDATA');
      stack[stack.length - 1]!.children.push(src.slice(i + 9, end));
      i = end + 3;
    } else if (src.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(src.slice(i));
      if (!m) fail('bad closing tag');
      const name = m![0];
      i += name.length;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '>') fail('bad closing tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`closing </${name}> does not match <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) root = open!;
    } else if (src[i] === '<') {
      if (root) fail('second root element');
      i++;
      const m = NAME.exec(src.slice(i));
      if (!m) fail('bad tag name');
      const el: XmlElement = { name: m![0], attrs: {}, children: [] };
      i += el.name.length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0].length;
        i += ws;
        if (src.startsWith('/>', i)) {
          i += 2;
          if (stack.length === 0) root = el;
          else stack[stack.length - 1]!.children.push(el);
          break;
        }
        if (src[i] === '>') {
          i++;
          if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
          stack.push(el);
          break;
        }
        if (ws === 0) fail('attributes need white space between them');
        const a = NAME.exec(src.slice(i));
        if (!a) fail('bad attribute name');
        const name = a![0];
        i += name.length;
        if (src[i] !== '=') fail(`attribute ${name} without value`);
        i++;
        const q = src[i];
        if (q !== '"' && q !== "'") fail('attribute value not quoted');
        const end = src.indexOf(q!, i + 1);
        if (end < 0) fail('unterminated attribute value');
        const raw = src.slice(i + 1, end);
        if (raw.includes('<')) fail("'<' in attribute value");
        if (name in el.attrs) fail(`duplicate attribute ${name}`);
        el.attrs[name] = decode(raw, i);
        i = end + 1;
      }
    } else {
      const end = src.indexOf('<', i);
      const raw = src.slice(i, end < 0 ? src.length : end);
      if (stack.length === 0) {
        if (raw.trim() !== '') fail('text outside the root element');
      } else stack[stack.length - 1]!.children.push(decode(raw, i));
      i = end < 0 ? src.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `node` that matches. */
export function findAll(node: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (pred(e)) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') walk(c);
  };
  walk(node);
  return out;
}

/** Elements whose class list contains `cls`. */
export function byClass(node: XmlElement, cls: string): XmlElement[] {
  return findAll(node, (e) => (e.attrs.class ?? '').split(/\s+/).includes(cls));
}

/** All text inside an element. */
export function textOf(node: XmlNode): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}

/** The text of every <text> element. */
export function texts(node: XmlElement): string[] {
  return findAll(node, (e) => e.name === 'text').map(textOf);
}
