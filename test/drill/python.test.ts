/** The `%{ }%` Python reader: what the upstream suite writes, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { codeGap, parseCode, runCode } from '../../src/drill/code.ts';
import { evalPy, parsePyBlock, parsePyExpr, PyError } from '../../src/drill/python.ts';
import { TCP_INFO_FIELDS, type TcpInfoFields } from '../../src/tcp/tcp-info.ts';

const info = (over: Record<string, number>): TcpInfoFields =>
  ({ ...Object.fromEntries(TCP_INFO_FIELDS.map((f) => [f, 0])), ...over }) as unknown as TcpInfoFields;
const ev = (text: string, names: Record<string, number> = {}): number => evalPy(parsePyExpr(text), (n) => names[n]);

describe('expressions', () => {
  it('follows Python precedence, chained comparisons and bit operations', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('7 // 2 + 7 % 2')).toBe(4);
    expect(ev('990 <= x <= 1010', { x: 1000 })).toBe(1);
    expect(ev('990 <= x <= 1010', { x: 1011 })).toBe(0);
    expect(ev('(o & 32) != 0', { o: 0x27 })).toBe(1);
    expect(ev('0x7fffffff == 2147483647')).toBe(1);
    expect(ev('not 0 and 1 or 0')).toBe(1);
    expect(ev('-3 + ~0')).toBe(-4);
  });

  it('refuses what is not Python arithmetic, and never runs code', () => {
    expect(() => parsePyExpr('x === 1')).toThrow(PyError);
    expect(() => parsePyExpr('__import__("os")')).toThrow(PyError);
    expect(() => parsePyExpr('a[0]')).toThrow(PyError);
    expect(() => ev('y + 1')).toThrow("name 'y' is not defined");
  });
});

describe('blocks', () => {
  it('splits on ; and newlines, joins \\ continuations, drops comments and messages', () => {
    const stmts = parsePyBlock("assert tcpi_rtt > 0, 'srtt=%d us' % tcpi_rtt; \\\n  x = 3  # three\nprint(x)");
    expect(stmts.map((s) => s.kind)).toEqual(['assert', 'assign', 'print']);
  });

  it('runs blocks in order in one namespace (cwnd += 10 across blocks)', () => {
    const vars = new Map<string, number>();
    const first = parseCode('cwnd = 10; assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd');
    const second = parseCode('cwnd += 10; assert tcpi_snd_cwnd == cwnd');
    if (!first.ok || !second.ok) throw new Error('parse');
    expect(runCode(first.stmts, info({ snd_cwnd: 10 }), vars)).toBeNull();
    expect(runCode(second.stmts, info({ snd_cwnd: 19 }), vars)).toBe(
      '`assert tcpi_snd_cwnd == cwnd` failed: tcpi_snd_cwnd = 19, cwnd = 20',
    );
  });

  it('uses Linux constants and names the TCP_INFO fields the engine does not report', () => {
    const ok = parseCode('assert tcpi_ca_state == TCP_CA_Open; assert (tcpi_options & TCPI_OPT_SACK) != 0');
    if (!ok.ok) throw new Error('parse');
    expect(runCode(ok.stmts, info({ options: 2 }), new Map())).toBeNull();
    const gap = parseCode('assert tcpi_pmtu == 0');
    if (!gap.ok) throw new Error('parse');
    expect(codeGap(gap.stmts, new Set())).toBe('TCP_INFO tcpi_pmtu not modelled');
    const undef = parseCode('assert tcpi_snd_cwnd == cwnd');
    if (!undef.ok) throw new Error('parse');
    expect(codeGap(undef.stmts, new Set())).toBe('python name cwnd is not defined');
    expect(codeGap(undef.stmts, new Set(['cwnd']))).toBeNull();
  });
});
