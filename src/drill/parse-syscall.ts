/**
 * The system call line of a packetdrill script, `0.1 ...0.2 accept(3, ..., ...) = 4 (errno note)`,
 * and the expressions its arguments and result are written in: integers, strings, words, `a | b`,
 * lists, structs, calls such as `htons(8080)` and assignments such as `msg_iov(1)=[...]`
 * (script.ts Expr; expr.ts evaluates them). Apart from the packet grammar, which shares only the cursor.
 */
import type { Nanos } from '../sim/time.ts';
import type { TokenCursor } from './parse-cursor.ts';
import type { Expr, SyscallEvent, TimeSpec } from './script.ts';

export function parseSyscall(cur: TokenCursor, line: number, time: TimeSpec): SyscallEvent {
  let blockingEnd: Nanos | null = null;
  if (cur.peek().kind === 'ellipsis') {
    cur.next();
    blockingEnd = cur.number();
  }
  const nameTok = cur.next();
  if (nameTok.kind !== 'word') cur.fail(nameTok, `expected a system call name but found '${nameTok.text}'`);
  cur.expectPunct('(');
  const args = cur.isPunct(')') ? [] : parseExprList(cur, ')');
  cur.expectPunct(')');
  cur.expectPunct('=');
  const result = parseExpr(cur);
  let errno: string | null = null;
  if (cur.sameLine() && cur.peek().kind === 'word') errno = cur.next().text;
  if (cur.sameLine() && cur.isPunct('(')) {
    // The strerror note: free text up to the closing parenthesis.
    cur.next();
    while (cur.sameLine() && !cur.isPunct(')')) cur.next();
    cur.expectPunct(')');
  }
  return { type: 'syscall', line, time, name: nameTok.text, args, result, errno, blockingEnd };
}

function parseExprList(cur: TokenCursor, close: string): Expr[] {
  const list: Expr[] = [parseExpr(cur)];
  while (cur.isPunct(',')) {
    cur.next();
    list.push(parseExpr(cur));
  }
  if (!cur.isPunct(close)) cur.fail(cur.peek(), `expected '${close}' but found '${cur.peek().text || 'end of file'}'`);
  return list;
}

function parseExpr(cur: TokenCursor): Expr {
  let e = parsePrimary(cur);
  while (cur.isPunct('|')) {
    cur.next();
    e = { kind: 'or', lhs: e, rhs: parsePrimary(cur) };
  }
  return e;
}

function parsePrimary(cur: TokenCursor): Expr {
  const t = cur.next();
  switch (t.kind) {
    case 'ellipsis':
      return { kind: 'ellipsis' };
    case 'int':
      return { kind: 'int', value: Number(t.text) };
    case 'string': {
      let value = t.text;
      while (cur.peek().kind === 'string') value += cur.next().text;
      if (cur.peek().kind === 'ellipsis') cur.next(); // "prefix"... : the rest is unchecked
      return { kind: 'string', value };
    }
    case 'word': {
      if (cur.isPunct('=')) {
        cur.next();
        return { kind: 'assign', name: t.text, value: parseExpr(cur) };
      }
      if (cur.isPunct('(')) {
        cur.next();
        const args = cur.isPunct(')') ? [] : parseExprList(cur, ')');
        cur.expectPunct(')');
        const call: Expr = { kind: 'call', name: t.text, args };
        // struct msghdr members are written `msg_iov(1)=[...]`, `msg_name(...)=...`.
        if (cur.isPunct('=')) {
          cur.next();
          return { kind: 'assign', name: t.text, value: parseExpr(cur), count: call };
        }
        return call;
      }
      return { kind: 'word', name: t.text };
    }
    case 'punct':
      if (t.text === '[' || t.text === '{') {
        const close = t.text === '[' ? ']' : '}';
        const items = cur.isPunct(close) ? [] : parseExprList(cur, close);
        cur.expectPunct(close);
        return t.text === '[' ? { kind: 'list', items } : { kind: 'struct', items };
      }
      break;
    default:
      break;
  }
  return cur.fail(t, `expected an expression but found '${t.text || 'end of file'}'`);
}
