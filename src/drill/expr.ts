/** Evaluating and printing system call expressions (script.ts Expr). */
import { symbolValue } from './constants.ts';
import type { Expr } from './script.ts';

/** An integer expression's value (`3`, `O_RDWR|O_NONBLOCK`, `[4]` → 4); null when it is not one. */
export function intValue(e: Expr): number | null {
  switch (e.kind) {
    case 'int':
      return e.value;
    case 'word':
      return symbolValue(e.name);
    case 'or': {
      const a = intValue(e.lhs);
      const b = intValue(e.rhs);
      return a === null || b === null ? null : a | b;
    }
    case 'list':
      return e.items.length === 1 ? intValue(e.items[0]!) : null;
    case 'call':
      return e.name === 'htons' || e.name === 'htonl' ? (e.args.length === 1 ? intValue(e.args[0]!) : null) : null;
    default:
      return null;
  }
}

/** The single word inside `[ETIMEDOUT]`, or the word itself. */
export function wordValue(e: Expr): string | null {
  if (e.kind === 'word') return e.name;
  if (e.kind === 'list' && e.items.length === 1) return wordValue(e.items[0]!);
  return null;
}

/** `NULL` as a buffer argument (the syscall_bad_arg scripts): the kernel answers EFAULT. */
export function isNull(e: Expr | undefined): boolean {
  return e !== undefined && e.kind === 'word' && e.name === 'NULL';
}

/** `field=value` members of a `{...}` struct. */
export function structFields(e: Expr): Map<string, Expr> | null {
  if (e.kind !== 'struct') return null;
  const out = new Map<string, Expr>();
  for (const item of e.items) {
    if (item.kind !== 'assign') return null;
    out.set(item.name, item.value);
  }
  return out;
}

export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return String(e.value);
    case 'ellipsis':
      return '...';
    case 'word':
      return e.name;
    case 'string':
      return JSON.stringify(e.value);
    case 'list':
      return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'struct':
      return `{${e.items.map(formatExpr).join(', ')}}`;
    case 'or':
      return `${formatExpr(e.lhs)}|${formatExpr(e.rhs)}`;
    case 'assign':
      return `${e.name}=${formatExpr(e.value)}`;
    case 'call':
      return `${e.name}(${e.args.map(formatExpr).join(', ')})`;
  }
}
