/**
 * The token cursor the packetdrill script parser reads with: look ahead, consume, expect a
 * punctuation mark, an integer in range, a keyword or a time, and fail with the token's line. The
 * parts of the grammar (parser.ts for a script's lines and times, parse-packet.ts, parse-tcp-options.ts,
 * parse-syscall.ts) all read through one cursor, so it lives apart from any of them.
 */
import { SEC, type Nanos } from '../sim/time.ts';
import type { Token } from './lexer.ts';
import type { ParseError } from './script.ts';

/** Thrown by the cursor's `fail`; parseScript (parser.ts) turns it back into an error value. */
export class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

/** Seconds as written ("0.200", ".1", "4") to exact integer nanoseconds. */
export function secondsToNanos(text: string): Nanos {
  const [whole, frac = ''] = text.split('.');
  const ns = (frac + '000000000').slice(0, 9);
  return Number(whole === '' ? '0' : whole) * SEC + Number(ns);
}

/** One past the largest 32-bit sequence number: the bound on seq, ack, SACK and TS values. */
export const SEQ_SPACE = 0x1_0000_0000;

export class TokenCursor {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  fail(t: Token, message: string, code: ParseError['code'] = 'parse'): never {
    throw new ParseFailure({ code, line: t.line, message });
  }

  isPunct(text: string, t = this.peek()): boolean {
    return t.kind === 'punct' && t.text === text;
  }

  /** Same logical line as the previous token (optional packet parts never cross a newline). */
  sameLine(t = this.peek()): boolean {
    return !t.newline && t.kind !== 'eof';
  }

  expectPunct(text: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text)
      this.fail(t, `expected '${text}' but found '${t.text || 'end of file'}'`);
    return t;
  }

  expectInt(what: string, max = Number.MAX_SAFE_INTEGER): number {
    const t = this.next();
    if (t.kind !== 'int') this.fail(t, `expected ${what} but found '${t.text || 'end of file'}'`);
    const v = Number(t.text);
    if (!Number.isSafeInteger(v) || v < 0 || v > max) this.fail(t, `${what} out of range: ${t.text}`, 'semantic');
    return v;
  }

  expectWord(text: string): void {
    const t = this.next();
    if (t.kind !== 'word' || t.text !== text) this.fail(t, `expected '${text}' but found '${t.text || 'end of file'}'`);
  }

  number(): Nanos {
    const t = this.next();
    if (t.kind !== 'int' && t.kind !== 'float') this.fail(t, `expected a time but found '${t.text || 'end of file'}'`);
    if (t.text.startsWith('-')) this.fail(t, 'negative time', 'semantic');
    return secondsToNanos(t.text);
  }
}
