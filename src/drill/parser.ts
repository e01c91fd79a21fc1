/**
 * The packetdrill script parser: tokens (lexer.ts) to a DrillScript (script.ts). It follows the grammar
 * of google/packetdrill parser.y for the forms tcplab runs, and the same semantic checks (inbound
 * packets need `win`, `<...>` and time ranges only on outbound packets, seq end = start + len).
 * Forms it recognises but tcplab does not model (IP TOS/ECN specs, UDP, ICMP, TCP-MD5, Fast Open)
 * are parsed and marked, so the runner can SKIP a script with the exact feature.
 */
import { SEC, type Nanos } from '../sim/time.ts';
import { parseFlags } from '../wire/flags.ts';
import { tokenize, type Token } from './lexer.ts';
import type {
  EcnSpec,
  Expr,
  IcmpSpec,
  PacketEvent,
  ParseError,
  DrillScript,
  ScriptEvent,
  ScriptFlag,
  ScriptOption,
  SyscallEvent,
  TimeSpec,
} from './script.ts';

class Fail extends Error {
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

const U32 = 0x1_0000_0000;

const ECN_SPECS: ReadonlyMap<string, EcnSpec> = new Map([
  ['noecn', 'noecn'],
  ['ect0', 'ect0'],
  ['ect1', 'ect1'],
  ['ce', 'ce'],
  ['ect01', 'ect01'],
] as const);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(t: Token, message: string, code: ParseError['code'] = 'parse'): never {
    throw new Fail({ code, line: t.line, message });
  }

  private isPunct(text: string, t = this.peek()): boolean {
    return t.kind === 'punct' && t.text === text;
  }

  /** Same logical line as the previous token (optional packet parts never cross a newline). */
  private sameLine(t = this.peek()): boolean {
    return !t.newline && t.kind !== 'eof';
  }

  private expectPunct(text: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text)
      this.fail(t, `expected '${text}' but found '${t.text || 'end of file'}'`);
    return t;
  }

  private expectInt(what: string, max = Number.MAX_SAFE_INTEGER): number {
    const t = this.next();
    if (t.kind !== 'int') this.fail(t, `expected ${what} but found '${t.text || 'end of file'}'`);
    const v = Number(t.text);
    if (!Number.isSafeInteger(v) || v < 0 || v > max) this.fail(t, `${what} out of range: ${t.text}`, 'semantic');
    return v;
  }

  private expectWord(text: string): void {
    const t = this.next();
    if (t.kind !== 'word' || t.text !== text) this.fail(t, `expected '${text}' but found '${t.text || 'end of file'}'`);
  }

  private number(): Nanos {
    const t = this.next();
    if (t.kind !== 'int' && t.kind !== 'float') this.fail(t, `expected a time but found '${t.text || 'end of file'}'`);
    if (t.text.startsWith('-')) this.fail(t, 'negative time', 'semantic');
    return secondsToNanos(t.text);
  }

  parseScript(): DrillScript {
    const flags: ScriptFlag[] = [];
    while (this.peek().kind === 'option') {
      const t = this.next();
      const eq = t.text.indexOf('=');
      flags.push(
        eq < 0
          ? { name: t.text, value: null, line: t.line }
          : { name: t.text.slice(0, eq), value: t.text.slice(eq + 1), line: t.line },
      );
    }
    let initCommand: DrillScript['initCommand'] = null;
    let cleanupCommand: DrillScript['cleanupCommand'] = null;
    if (this.peek().kind === 'command') {
      const t = this.next();
      initCommand = { command: t.text, line: t.line };
    }
    const events: ScriptEvent[] = [];
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (t.kind === 'command') {
        this.next();
        if (this.peek().kind !== 'eof')
          this.fail(t, 'a shell command needs a time unless it is the first or last line');
        cleanupCommand = { command: t.text, line: t.line };
        break;
      }
      events.push(this.parseEvent());
    }
    if (events.length === 0) this.fail(this.peek(), 'script has no events', 'semantic');
    const first = events[0]!;
    const firstAt = first.time.kind === 'any' ? -1 : first.time.at;
    if (firstAt !== 0)
      throw new Fail({ code: 'semantic', line: first.line, message: 'first event should be at time 0' });
    return { flags, initCommand, events, cleanupCommand };
  }

  private parseTime(): TimeSpec {
    if (this.isPunct('*')) {
      this.next();
      return { kind: 'any' };
    }
    if (this.isPunct('+')) {
      this.next();
      const at = this.number();
      if (this.isPunct('~')) {
        this.next();
        this.expectPunct('+');
        return { kind: 'relative-range', at, end: this.number() };
      }
      return { kind: 'relative', at };
    }
    const at = this.number();
    if (this.isPunct('~')) {
      this.next();
      return { kind: 'absolute-range', at, end: this.number() };
    }
    return { kind: 'absolute', at };
  }

  private parseEvent(): ScriptEvent {
    const start = this.peek();
    const line = start.line;
    const time = this.parseTime();
    const t = this.peek();
    let event: ScriptEvent;
    if (this.isPunct('<') || this.isPunct('>')) event = this.parsePacket(line, time);
    else if (t.kind === 'command') {
      this.next();
      event = { type: 'command', line, time, command: t.text };
    } else if (t.kind === 'code') {
      this.next();
      event = { type: 'code', line, time, code: t.text };
    } else if (t.kind === 'ellipsis' || t.kind === 'word') event = this.parseSyscall(line, time);
    else this.fail(t, `expected a packet, system call or command but found '${t.text || 'end of file'}'`);
    const ranged = time.kind === 'any' || time.kind === 'absolute-range' || time.kind === 'relative-range';
    const outbound = event.type === 'packet' && event.direction === 'out';
    if (ranged && !outbound) {
      this.fail(
        start,
        time.kind === 'any'
          ? 'event time <star> can only be used with outbound packets'
          : 'event time range can only be used with outbound packets',
        'semantic',
      );
    }
    if ((time.kind === 'absolute-range' || time.kind === 'relative-range') && time.end < time.at)
      this.fail(start, 'time range is backwards', 'semantic');
    return event;
  }

  /** Skips the rest of the current line (an unsupported packet form). */
  private restOfLine(): string {
    const parts: string[] = [];
    while (this.sameLine()) parts.push(this.next().text);
    return parts.join(' ');
  }

  /** `icmp <type> [<code>] [mtu N] [[seq:end(len)]]` (packetdrill parser.y icmp_packet_spec). */
  private parseIcmp(base: PacketEvent): PacketEvent {
    this.next();
    const typeTok = this.next();
    if (typeTok.kind !== 'word')
      this.fail(typeTok, `expected an ICMP type but found '${typeTok.text || 'end of file'}'`);
    const spec: IcmpSpec = { type: typeTok.text, code: null, mtu: null, seq: 0, len: 0 };
    if (this.sameLine() && this.peek().kind === 'word' && this.peek().text !== 'mtu') spec.code = this.next().text;
    if (this.sameLine() && this.peek().kind === 'word' && this.peek().text === 'mtu') {
      this.next();
      spec.mtu = this.expectInt('ICMP MTU', 65535);
    }
    if (this.sameLine() && this.isPunct('[')) {
      this.next();
      const seqTok = this.peek();
      spec.seq = this.expectInt('TCP start sequence number', U32 - 1);
      this.expectPunct(':');
      const end = this.expectInt('TCP end sequence number', U32 - 1);
      this.expectPunct('(');
      spec.len = this.expectInt('TCP payload size', 65535);
      this.expectPunct(')');
      this.expectPunct(']');
      if (end !== spec.seq + spec.len)
        this.fail(seqTok, 'inconsistent TCP sequence numbers and payload size', 'semantic');
    }
    return { ...base, icmp: spec };
  }

  private parsePacket(line: number, time: TimeSpec): PacketEvent {
    const dirToken = this.next();
    const direction = dirToken.text === '<' ? 'in' : 'out';
    const base: PacketEvent = {
      type: 'packet',
      line,
      time,
      direction,
      flags: 0,
      flagsText: '',
      seq: 0,
      len: 0,
      ack: null,
      win: null,
      urg: 0,
      options: [],
      ports: null,
      ecn: null,
      unsupported: null,
    };
    const t = this.peek();
    if (t.kind === 'word' && t.text === 'icmp' && direction === 'in') return this.parseIcmp(base);
    if (t.kind === 'word' && /^(ipv4|ipv6|udp|icmp|gre|mpls)$/i.test(t.text)) {
      return { ...base, unsupported: `${t.text} packets (${this.restOfLine()})` };
    }
    if (this.isPunct('[') || this.isPunct('(')) {
      const close = t.text === '[' ? ']' : ')';
      const parts: string[] = [];
      this.next();
      while (this.sameLine() && !this.isPunct(close)) parts.push(this.next().text);
      this.expectPunct(close);
      const ecn = close === ']' && parts.length === 1 ? ECN_SPECS.get(parts[0]!) : undefined;
      if (ecn !== undefined) base.ecn = ecn;
      else if (close === ']')
        this.fail(t, `unknown IP ECN spec [${parts.join(' ')}] (expected noecn, ect0, ect1, ce or ect01)`);
      else base.unsupported = `IP header spec (${parts.join(' ')})`;
    }
    if (this.peek().kind === 'int' && this.isPunct('>', this.peek(1))) {
      const src = this.expectInt('source port', 65535);
      this.next();
      const dst = this.expectInt('destination port', 65535);
      base.ports = { src, dst };
    }
    const f = this.next();
    let flagsText: string;
    if (f.kind === 'punct' && f.text === '.') flagsText = '.';
    else if (f.kind === 'punct' && f.text === '-') flagsText = '-';
    else if (f.kind === 'word') {
      flagsText = f.text;
      if (this.isPunct('.') && this.sameLine()) {
        this.next();
        flagsText += '.';
      }
    } else this.fail(f, `expected TCP flags but found '${f.text || 'end of file'}'`);
    const flags = parseFlags(flagsText === '-' ? '' : flagsText);
    if (flags === null) this.fail(f, `bad TCP flags '${flagsText}'`, 'semantic');
    const seqTok = this.peek();
    const seq = this.expectInt('TCP start sequence number', U32 - 1);
    this.expectPunct(':');
    const end = this.expectInt('TCP end sequence number', U32 - 1);
    this.expectPunct('(');
    const len = this.expectInt('TCP payload size', 65535);
    this.expectPunct(')');
    if (end !== seq + len) this.fail(seqTok, 'inconsistent TCP sequence numbers and payload size', 'semantic');
    const p: PacketEvent = { ...base, flags, flagsText, seq, len };
    if (this.sameLine() && this.peek().kind === 'word' && this.peek().text === 'ack') {
      this.next();
      p.ack = this.expectInt('TCP ack sequence number', U32 - 1);
    }
    if (this.sameLine() && this.peek().kind === 'word' && this.peek().text === 'win') {
      this.next();
      p.win = this.expectInt('TCP window value', 65535);
    }
    if (this.sameLine() && this.peek().kind === 'word' && this.peek().text === 'urg') {
      this.next();
      p.urg = this.expectInt('urg_ptr value', 65535);
    }
    if (this.sameLine() && this.isPunct('<')) {
      const open = this.next();
      if (this.peek().kind === 'ellipsis') {
        this.next();
        if (direction === 'in')
          this.fail(open, '<...> for TCP options can only be used with outbound packets', 'semantic');
        p.options = null;
      } else {
        p.options = this.parseOptionList();
      }
      this.expectPunct('>');
    }
    if (this.sameLine() && this.isPunct('{')) this.fail(this.peek(), 'packet fuzzing specs are not supported');
    if (direction === 'in' && p.win === null)
      this.fail(dirToken, 'window must be specified for inbound packets', 'semantic');
    return p;
  }

  private parseOptionList(): ScriptOption[] {
    const list: ScriptOption[] = [this.parseOption()];
    while (this.isPunct(',')) {
      this.next();
      list.push(this.parseOption());
    }
    return list;
  }

  private parseOption(): ScriptOption {
    const t = this.next();
    if (t.kind !== 'word') this.fail(t, `expected a TCP option but found '${t.text || 'end of file'}'`);
    switch (t.text) {
      case 'nop':
        return { kind: 'nop' };
      case 'eol':
        return { kind: 'eol' };
      case 'mss':
        return { kind: 'mss', value: this.expectInt('mss value', 65535) };
      case 'wscale':
        return { kind: 'wscale', value: this.expectInt('window scale shift count', 255) };
      case 'sackOK':
        return { kind: 'sackOK' };
      case 'sack': {
        const blocks: Array<[number, number]> = [];
        do {
          const left = this.expectInt('TCP SACK left sequence number', U32 - 1);
          this.expectPunct(':');
          blocks.push([left, this.expectInt('TCP SACK right sequence number', U32 - 1)]);
        } while (this.peek().kind === 'int');
        return { kind: 'sack', blocks };
      }
      case 'TS': {
        this.expectWord('val');
        const val = this.expectInt('ts val', U32 - 1);
        this.expectWord('ecr');
        return { kind: 'TS', val, ecr: this.expectInt('ecr val', U32 - 1) };
      }
      case 'md5':
      case 'FO':
      case 'FOEXP': {
        // A hex cookie or digest lexes as several tokens (`1234abcd` is int 1234, word abcd):
        // it runs to the next ',' or '>'.
        let value = '';
        while (this.sameLine() && !this.isPunct(',') && !this.isPunct('>')) value += this.next().text;
        if (value !== '' && !/^([0-9a-fA-F]+|[A-Za-z_]\w*)$/.test(value))
          this.fail(t, `bad ${t.text} value '${value}'`);
        if (t.text === 'md5') return { kind: 'unsupported', name: 'TCP-MD5 option' };
        return { kind: 'fastopen', exp: t.text === 'FOEXP', cookie: value === '' ? null : value };
      }
      default:
        return this.fail(t, `unknown TCP option '${t.text}'`);
    }
  }

  private parseSyscall(line: number, time: TimeSpec): SyscallEvent {
    let blockingEnd: Nanos | null = null;
    if (this.peek().kind === 'ellipsis') {
      this.next();
      blockingEnd = this.number();
    }
    const nameTok = this.next();
    if (nameTok.kind !== 'word') this.fail(nameTok, `expected a system call name but found '${nameTok.text}'`);
    this.expectPunct('(');
    const args = this.isPunct(')') ? [] : this.parseExprList(')');
    this.expectPunct(')');
    this.expectPunct('=');
    const result = this.parseExpr();
    let errno: string | null = null;
    if (this.sameLine() && this.peek().kind === 'word') errno = this.next().text;
    if (this.sameLine() && this.isPunct('(')) {
      // The strerror note: free text up to the closing parenthesis.
      this.next();
      while (this.sameLine() && !this.isPunct(')')) this.next();
      this.expectPunct(')');
    }
    return { type: 'syscall', line, time, name: nameTok.text, args, result, errno, blockingEnd };
  }

  private parseExprList(close: string): Expr[] {
    const list: Expr[] = [this.parseExpr()];
    while (this.isPunct(',')) {
      this.next();
      list.push(this.parseExpr());
    }
    if (!this.isPunct(close))
      this.fail(this.peek(), `expected '${close}' but found '${this.peek().text || 'end of file'}'`);
    return list;
  }

  private parseExpr(): Expr {
    let e = this.parsePrimary();
    while (this.isPunct('|')) {
      this.next();
      e = { kind: 'or', lhs: e, rhs: this.parsePrimary() };
    }
    return e;
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'ellipsis':
        return { kind: 'ellipsis' };
      case 'int':
        return { kind: 'int', value: Number(t.text) };
      case 'string': {
        let value = t.text;
        while (this.peek().kind === 'string') value += this.next().text;
        if (this.peek().kind === 'ellipsis') this.next(); // "prefix"... : the rest is unchecked
        return { kind: 'string', value };
      }
      case 'word': {
        if (this.isPunct('=')) {
          this.next();
          return { kind: 'assign', name: t.text, value: this.parseExpr() };
        }
        if (this.isPunct('(')) {
          this.next();
          const args = this.isPunct(')') ? [] : this.parseExprList(')');
          this.expectPunct(')');
          const call: Expr = { kind: 'call', name: t.text, args };
          // struct msghdr members are written `msg_iov(1)=[...]`, `msg_name(...)=...`.
          if (this.isPunct('=')) {
            this.next();
            return { kind: 'assign', name: t.text, value: this.parseExpr(), count: call };
          }
          return call;
        }
        return { kind: 'word', name: t.text };
      }
      case 'punct':
        if (t.text === '[' || t.text === '{') {
          const close = t.text === '[' ? ']' : '}';
          const items = this.isPunct(close) ? [] : this.parseExprList(close);
          this.expectPunct(close);
          return t.text === '[' ? { kind: 'list', items } : { kind: 'struct', items };
        }
        break;
      default:
        break;
    }
    return this.fail(t, `expected an expression but found '${t.text || 'end of file'}'`);
  }
}

/** Parses a whole script. Errors are values naming the line. */
export function parseScript(src: string): { ok: true; script: DrillScript } | { ok: false; error: ParseError } {
  const lexed = tokenize(src);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  try {
    return { ok: true, script: new Parser(lexed.tokens).parseScript() };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}
