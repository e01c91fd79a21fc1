/**
 * Just enough shell to read the commands packetdrill scripts run: split a command into words
 * (double and single quotes), drop redirections, and expand `$((arithmetic))` as bash does in
 * `sysctl -q net.ipv4.tcp_rmem="4096 540000 $((15*1024*1024))"`.
 */

/** Evaluates an integer expression with + - * / % and parentheses; null if it holds anything else. */
export function evalArithmetic(text: string): number | null {
  const tokens = text.match(/\d+|[-+*/%()]|\S/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (/^\d+$/.test(t)) return Number(t);
    if (t === '-') {
      const v = primary();
      return v === null ? null : -v;
    }
    if (t === '(') {
      const v = sum();
      return tokens[pos++] === ')' ? v : null;
    }
    return null;
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (peek() === '*' || peek() === '/' || peek() === '%')) {
      const op = tokens[pos++];
      const r = primary();
      if (r === null || (op !== '*' && r === 0)) return null;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[pos++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return pos === tokens.length ? v : null;
}

function expand(text: string): string {
  return text.replace(/\$\(\(([^()]*(?:\([^()]*\)[^()]*)*)\)\)/g, (whole, expr: string) => {
    const v = evalArithmetic(expr);
    return v === null ? whole : String(v);
  });
}

/**
 * Splits one command line into words, honouring quotes and dropping redirections
 * (`> /dev/null 2>&1`). Arithmetic expansion applies outside single quotes.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  let skipNext = false;
  const finish = (): void => {
    if (inWord) {
      if (skipNext) skipNext = false;
      else words.push(cur);
    }
    cur = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      finish();
      i++;
      continue;
    }
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      const body = end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      cur += expand(body);
      inWord = true;
      i = end < 0 ? line.length : end + 1;
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      inWord = true;
      i = end < 0 ? line.length : end + 1;
      continue;
    }
    if (c === '$' && line.startsWith('$((', i)) {
      const end = line.indexOf('))', i);
      const expr = end < 0 ? line.slice(i) : line.slice(i, end + 2);
      cur += expand(expr);
      inWord = true;
      i += expr.length;
      continue;
    }
    if (c === '>' || ((c === '1' || c === '2') && line[i + 1] === '>' && !inWord)) {
      // Redirection: `> file`, `2>&1`, `>> file`; the target word is dropped too.
      finish();
      let j = i;
      while (j < line.length && /[0-9>&]/.test(line[j]!)) j++;
      const redir = line.slice(i, j);
      i = j;
      if (!redir.includes('&')) skipNext = true;
      continue;
    }
    cur += c;
    inWord = true;
    i++;
  }
  finish();
  return words;
}

/** The command lines of a backquoted block or a .sh file: newlines, `;` and `&&` separate; `#` comments go. */
export function commandLines(text: string): string[] {
  const out: string[] = [];
  // A backslash at the end of a line continues the command on the next (sh line continuation).
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    // `a || b`: both are run (b is a fallback: here it does what a would have, e.g. a flush)
    for (const part of line.split(/\s*(?:;|&&|\|\|)\s*/)) if (part.trim() !== '') out.push(part.trim());
  }
  return out;
}
