/**
 * Tokens of the packetdrill script language (google/packetdrill lexer.l, the subset tcplab reads).
 * Comments (`//`, `/* *\/`) vanish; `--name=value` script options, backquoted shell commands and
 * `%{ python }%` code blocks each come out as one token. A `-` right before a digit starts a
 * negative integer (`= -1 EINPROGRESS`), otherwise it is the "no flags" mark of a segment.
 */

export type TokenKind =
  | 'int' // decimal or hex integer
  | 'float' // 0.200, .1
  | 'ipv4' // 192.0.2.1
  | 'word' // identifiers: socket, SOCK_STREAM, win, S, FP
  | 'string' // "text" (unquoted value)
  | 'option' // --tolerance_usecs=10000 (text is the whole thing without the leading dashes)
  | 'command' // `shell` (text is the inside)
  | 'code' // %{ python }% (text is the inside)
  | 'ellipsis' // ...
  | 'punct' // one character: < > ( ) [ ] { } , : = | + - * ~ . ; and anything else
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based line where the token starts. */
  line: number;
  /** True when a newline separates this token from the previous one. */
  newline: boolean;
}

export interface LexError {
  code: 'lex';
  line: number;
  message: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isWordStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isWordChar(c: string | undefined): boolean {
  return isWordStart(c) || isDigit(c);
}

/** Splits a whole script into tokens; an unterminated comment, string, command or code block is an error. */
export function tokenize(src: string): { ok: true; tokens: Token[] } | { ok: false; error: LexError } {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let newline = true;
  const n = src.length;
  const push = (kind: TokenKind, text: string, startLine: number): void => {
    tokens.push({ kind, text, line: startLine, newline });
    newline = false;
  };
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (src[k] === '\n') line++;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      newline = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const start = line;
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return { ok: false, error: { code: 'lex', line: start, message: 'unterminated /* comment' } };
      countLines(i, end);
      i = end + 2;
      continue;
    }
    if (c === '%' && src[i + 1] === '{') {
      const end = src.indexOf('}%', i + 2);
      if (end < 0) return { ok: false, error: { code: 'lex', line: start, message: 'unterminated %{ code block' } };
      push('code', src.slice(i + 2, end).trim(), start);
      countLines(i, end);
      i = end + 2;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) return { ok: false, error: { code: 'lex', line: start, message: 'unterminated ` command' } };
      push('command', src.slice(i + 1, end), start);
      countLines(i, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"' && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      if (src[j] !== '"') return { ok: false, error: { code: 'lex', line: start, message: 'unterminated string' } };
      push('string', src.slice(i + 1, j), start);
      i = j + 1;
      continue;
    }
    if (c === '-' && src[i + 1] === '-' && isWordStart(src[i + 2])) {
      // A script option runs to the end of its whitespace-free word: --ip_version=ipv4.
      let j = i + 2;
      while (j < n && !/\s/.test(src[j]!)) j++;
      push('option', src.slice(i + 2, j), start);
      i = j;
      continue;
    }
    if (c === '.' && src[i + 1] === '.' && src[i + 2] === '.') {
      push('ellipsis', '...', start);
      i += 3;
      continue;
    }
    if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
      let j = i + 2;
      while (j < n && /[0-9a-fA-F]/.test(src[j]!)) j++;
      push('int', src.slice(i, j), start);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1])) || (c === '-' && isDigit(src[i + 1]))) {
      let j = c === '-' ? i + 1 : i;
      while (isDigit(src[j])) j++;
      // Dotted quad: an IPv4 address.
      const quad = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/.exec(src.slice(i, i + 15));
      if (c !== '-' && quad && !isDigit(src[i + quad[0].length]) && src[i + quad[0].length] !== '.') {
        push('ipv4', quad[0], start);
        i += quad[0].length;
        continue;
      }
      if (src[j] === '.' && isDigit(src[j + 1])) {
        j++;
        while (isDigit(src[j])) j++;
        push('float', src.slice(i, j), start);
      } else {
        push('int', src.slice(i, j), start);
      }
      i = j;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (isWordChar(src[j])) j++;
      push('word', src.slice(i, j), start);
      i = j;
      continue;
    }
    push('punct', c, start);
    i++;
  }
  tokens.push({ kind: 'eof', text: '', line, newline: true });
  return { ok: true, tokens };
}
