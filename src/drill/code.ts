/**
 * The `%{ python }%` blocks packetdrill scripts use to check TCP_INFO. packetdrill snapshots
 * TCP_INFO of the socket under test when a block's time comes and runs all blocks, in order, in
 * one Python interpreter after the script ends; tcplab does the same with its own small Python
 * reader (python.ts) over the fields its engine reports (src/tcp/tcp-info.ts).
 */
import { TCP_INFO_FIELDS, type TcpInfoFields } from '../tcp/tcp-info.ts';
import { SYMBOLS } from './constants.ts';
import { evalPy, namesRead, parsePyBlock, PyError, type PyStmt } from './python.ts';

const MODELLED: ReadonlySet<string> = new Set(TCP_INFO_FIELDS.map((f) => `tcpi_${f}`));

/** Parses a code block; the error names the statement it cannot read. */
export function parseCode(code: string): { ok: true; stmts: PyStmt[] } | { ok: false; reason: string } {
  try {
    return { ok: true, stmts: parsePyBlock(code) };
  } catch (e) {
    if (e instanceof PyError) return { ok: false, reason: e.message };
    throw e;
  }
}

/**
 * The first name a script's blocks read that tcplab cannot give, in words ("TCP_INFO tcpi_lost
 * not modelled"), or null. `assigned` carries the variables earlier blocks set.
 */
export function codeGap(stmts: PyStmt[], assigned: Set<string>): string | null {
  for (const s of stmts) {
    for (const name of namesRead(s)) {
      if (assigned.has(name) || name in SYMBOLS) continue;
      if (name.startsWith('tcpi_')) {
        if (!MODELLED.has(name)) return `TCP_INFO ${name} not modelled`;
        continue;
      }
      return `python name ${name} is not defined`;
    }
    if (s.kind === 'assign') assigned.add(s.name);
  }
  return null;
}

/** Runs one block against its TCP_INFO snapshot; `vars` persists across blocks. Null when every assert held. */
export function runCode(stmts: PyStmt[], info: TcpInfoFields, vars: Map<string, number>): string | null {
  const lookup = (name: string): number | undefined => {
    if (name.startsWith('tcpi_')) {
      const f = name.slice(5);
      if (f in info) return info[f as keyof TcpInfoFields];
    }
    return vars.get(name) ?? SYMBOLS[name];
  };
  try {
    for (const s of stmts) {
      switch (s.kind) {
        case 'print':
          break;
        case 'assign': {
          const v = evalPy(s.value, lookup);
          const old = s.op === '=' ? 0 : lookup(s.name);
          if (old === undefined) throw new PyError(`name '${s.name}' is not defined`);
          vars.set(s.name, s.op === '=' ? v : s.op === '+=' ? old + v : old - v);
          break;
        }
        case 'assert': {
          if (evalPy(s.cond, lookup) !== 0) break;
          const values = [...namesRead(s.cond)].filter((n) => !(n in SYMBOLS)).map((n) => `${n} = ${lookup(n)}`);
          return `\`${s.text}\` failed${values.length > 0 ? `: ${values.join(', ')}` : ''}`;
        }
      }
    }
  } catch (e) {
    if (e instanceof PyError) return `python error: ${e.message}`;
    throw e;
  }
  return null;
}
