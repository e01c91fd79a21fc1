/**
 * The Python that packetdrill scripts put in `%{ }%` blocks, read by a small parser and run by a
 * small interpreter (never `eval`): statements `assert <cond>[, <message>]`, `print(...)`,
 * `NAME = <expr>` and `NAME += <expr>` / `-=`, separated by newlines or `;` (a `\` joins lines,
 * `#` starts a comment). Expressions are integers (decimal, 0x hex), names, parentheses, the
 * arithmetic and bitwise operators, comparisons (chained, as in `990 <= x <= 1010`), `not`, `and`,
 * `or`, True/False. An assert's message is kept as text: packetdrill only prints it on failure.
 * Names resolve, in order, to the TCP_INFO snapshot of the block (`tcpi_*`), variables assigned
 * by earlier blocks (packetdrill runs every block in one interpreter), then Linux constants.
 */

export type PyExpr =
  | { kind: 'num'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-' | '+' | '~' | 'not'; arg: PyExpr }
  | { kind: 'binary'; op: string; lhs: PyExpr; rhs: PyExpr }
  | { kind: 'compare'; first: PyExpr; rest: Array<{ op: string; rhs: PyExpr }> };

export type PyStmt =
  | { kind: 'assert'; text: string; cond: PyExpr }
  | { kind: 'assign'; text: string; name: string; op: '=' | '+=' | '-='; value: PyExpr }
  | { kind: 'print'; text: string };

export class PyError extends Error {}

/** Splits a block into statements: `\` newline joins, `#` comments go, newlines and `;` separate (outside quotes). */
export function pyStatements(code: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  const src = code.replace(/\\\r?\n/g, ' ');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quote !== null) {
      cur += c;
      if (c === '\\') cur += src[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      cur += c;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '\n' || c === ';') {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quote !== null) throw new PyError('unterminated string');
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Index of the first comma outside parentheses, brackets and quotes, or -1. */
function topLevelComma(s: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return -1;
}

const TOKEN = /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|\/\/|<<|>>|<=|>=|==|!=|[-+*/%&|^~()<>])/y;

function tokens(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (m === null) throw new PyError(`unexpected '${text.slice(pos).trim()[0]}'`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** Binary operator levels, loosest first (Python's precedence below comparisons). */
const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['|']),
  new Set(['^']),
  new Set(['&']),
  new Set(['<<', '>>']),
  new Set(['+', '-']),
  new Set(['*', '/', '//', '%']),
];
const COMPARE = new Set(['<', '>', '<=', '>=', '==', '!=']);

/** Parses one expression. */
export function parsePyExpr(text: string): PyExpr {
  const t = tokens(text);
  let pos = 0;
  const peek = (): string | undefined => t[pos];
  const take = (): string => {
    const v = t[pos++];
    if (v === undefined) throw new PyError('expression ends too early');
    return v;
  };
  const orExpr = (): PyExpr => {
    let e = andExpr();
    while (peek() === 'or') {
      pos++;
      e = { kind: 'binary', op: 'or', lhs: e, rhs: andExpr() };
    }
    return e;
  };
  const andExpr = (): PyExpr => {
    let e = notExpr();
    while (peek() === 'and') {
      pos++;
      e = { kind: 'binary', op: 'and', lhs: e, rhs: notExpr() };
    }
    return e;
  };
  const notExpr = (): PyExpr => {
    if (peek() === 'not') {
      pos++;
      return { kind: 'unary', op: 'not', arg: notExpr() };
    }
    return comparison();
  };
  const comparison = (): PyExpr => {
    const first = level(0);
    const rest: Array<{ op: string; rhs: PyExpr }> = [];
    while (peek() !== undefined && COMPARE.has(peek()!)) {
      const op = take();
      rest.push({ op, rhs: level(0) });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest };
  };
  const level = (i: number): PyExpr => {
    if (i === LEVELS.length) return unary();
    let e = level(i + 1);
    while (peek() !== undefined && LEVELS[i]!.has(peek()!)) {
      const op = take();
      e = { kind: 'binary', op, lhs: e, rhs: level(i + 1) };
    }
    return e;
  };
  const unary = (): PyExpr => {
    const p = peek();
    if (p === '-' || p === '+' || p === '~') {
      pos++;
      return { kind: 'unary', op: p, arg: unary() };
    }
    return atom();
  };
  const atom = (): PyExpr => {
    const v = take();
    if (v === '(') {
      const e = orExpr();
      if (take() !== ')') throw new PyError("expected ')'");
      return e;
    }
    if (/^0[xX]/.test(v)) return { kind: 'num', value: parseInt(v.slice(2), 16) };
    if (/^\d+$/.test(v)) return { kind: 'num', value: Number(v) };
    if (v === 'True') return { kind: 'num', value: 1 };
    if (v === 'False') return { kind: 'num', value: 0 };
    if (/^[A-Za-z_]\w*$/.test(v) && !['and', 'or', 'not'].includes(v)) return { kind: 'name', name: v };
    throw new PyError(`unexpected '${v}'`);
  };
  const e = orExpr();
  if (pos !== t.length) throw new PyError(`unexpected '${t[pos]}'`);
  return e;
}

/** Parses one statement. */
export function parsePyStmt(text: string): PyStmt {
  const a = /^assert\s+(.*)$/s.exec(text);
  if (a) {
    const body = a[1]!;
    const comma = topLevelComma(body);
    return { kind: 'assert', text, cond: parsePyExpr(comma < 0 ? body : body.slice(0, comma)) };
  }
  if (/^print\s*\(.*\)$/s.test(text)) return { kind: 'print', text };
  const s = /^([A-Za-z_]\w*)\s*(=|\+=|-=)(?!=)\s*(.*)$/s.exec(text);
  if (s) return { kind: 'assign', text, name: s[1]!, op: s[2] as '=' | '+=' | '-=', value: parsePyExpr(s[3]!) };
  throw new PyError('only assert, print and assignments are supported');
}

/** Parses a whole block; a PyError names the statement it could not read. */
export function parsePyBlock(code: string): PyStmt[] {
  return pyStatements(code).map((text) => {
    try {
      return parsePyStmt(text);
    } catch (e) {
      if (e instanceof PyError) throw new PyError(`python \`${text}\`: ${e.message}`);
      throw e;
    }
  });
}

/** Every name an expression or statement reads. */
export function namesRead(s: PyStmt | PyExpr, into: Set<string> = new Set()): Set<string> {
  switch (s.kind) {
    case 'assert':
      return namesRead(s.cond, into);
    case 'assign':
      if (s.op !== '=') into.add(s.name);
      return namesRead(s.value, into);
    case 'print':
      return into;
    case 'num':
      return into;
    case 'name':
      into.add(s.name);
      return into;
    case 'unary':
      return namesRead(s.arg, into);
    case 'binary':
      namesRead(s.lhs, into);
      return namesRead(s.rhs, into);
    case 'compare':
      namesRead(s.first, into);
      for (const r of s.rest) namesRead(r.rhs, into);
      return into;
  }
}

export type PyLookup = (name: string) => number | undefined;

function compare(op: string, l: number, r: number): boolean {
  switch (op) {
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    case '>=':
      return l >= r;
    case '==':
      return l === r;
    default:
      return l !== r;
  }
}

/** Evaluates an expression; a PyError names an unknown name or a division by zero. */
export function evalPy(e: PyExpr, lookup: PyLookup): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'name': {
      const v = lookup(e.name);
      if (v === undefined) throw new PyError(`name '${e.name}' is not defined`);
      return v;
    }
    case 'unary': {
      const v = evalPy(e.arg, lookup);
      return e.op === '-' ? -v : e.op === '+' ? v : e.op === '~' ? ~v : v === 0 ? 1 : 0;
    }
    case 'compare': {
      let l = evalPy(e.first, lookup);
      for (const { op, rhs } of e.rest) {
        const r = evalPy(rhs, lookup);
        if (!compare(op, l, r)) return 0;
        l = r;
      }
      return 1;
    }
    case 'binary': {
      if (e.op === 'and') {
        const l = evalPy(e.lhs, lookup);
        return l === 0 ? l : evalPy(e.rhs, lookup);
      }
      if (e.op === 'or') {
        const l = evalPy(e.lhs, lookup);
        return l !== 0 ? l : evalPy(e.rhs, lookup);
      }
      const l = evalPy(e.lhs, lookup);
      const r = evalPy(e.rhs, lookup);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          if (r === 0) throw new PyError('division by zero');
          return l / r;
        case '//':
          if (r === 0) throw new PyError('division by zero');
          return Math.floor(l / r);
        case '%':
          if (r === 0) throw new PyError('division by zero');
          return l - r * Math.floor(l / r);
        case '&':
          return Number(BigInt(Math.trunc(l)) & BigInt(Math.trunc(r)));
        case '|':
          return Number(BigInt(Math.trunc(l)) | BigInt(Math.trunc(r)));
        case '^':
          return Number(BigInt(Math.trunc(l)) ^ BigInt(Math.trunc(r)));
        case '<<':
          return l * 2 ** r;
        default:
          return Math.floor(l / 2 ** r); // >>
      }
    }
  }
}
