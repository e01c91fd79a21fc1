/**
 * The packetdrill script parser: tokens (lexer.ts) to a DrillScript (script.ts). It follows the grammar
 * of google/packetdrill parser.y for the forms tcplab runs, and the same semantic checks (inbound
 * packets need `win`, `<...>` and time ranges only on outbound packets, seq end = start + len).
 * Forms it recognises but tcplab does not model (IP TOS/ECN specs, UDP, ICMP, TCP-MD5, Fast Open)
 * are parsed and marked, so the runner can SKIP a script with the exact feature.
 * This file holds the script's frame (flags, shell commands, event times) and hands each event's
 * line to parse-packet.ts or parse-syscall.ts; all read through one TokenCursor (parse-cursor.ts).
 */
import { tokenize } from './lexer.ts';
import { ParseFailure, TokenCursor } from './parse-cursor.ts';
import { parsePacket } from './parse-packet.ts';
import { parseSyscall } from './parse-syscall.ts';
import type { DrillScript, ParseError, ScriptEvent, ScriptFlag, TimeSpec } from './script.ts';

class Parser extends TokenCursor {
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
      throw new ParseFailure({ code: 'semantic', line: first.line, message: 'first event should be at time 0' });
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
    if (this.isPunct('<') || this.isPunct('>')) event = parsePacket(this, line, time);
    else if (t.kind === 'command') {
      this.next();
      event = { type: 'command', line, time, command: t.text };
    } else if (t.kind === 'code') {
      this.next();
      event = { type: 'code', line, time, code: t.text };
    } else if (t.kind === 'ellipsis' || t.kind === 'word') event = parseSyscall(this, line, time);
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
}

/** Parses a whole script. Errors are values naming the line. */
export function parseScript(src: string): { ok: true; script: DrillScript } | { ok: false; error: ParseError } {
  const lexed = tokenize(src);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  try {
    return { ok: true, script: new Parser(lexed.tokens).parseScript() };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}
