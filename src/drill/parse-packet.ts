/**
 * The packet line of a packetdrill script: `< S 0:0(0) win 32792 <mss 1000>` and its optional parts
 * (IP ECN spec, ports, ack, win, urg, TCP options), and the inbound ICMP form. It makes the
 * packetdrill parser.y checks that belong to a packet (inbound packets need `win`, `<...>` only on
 * outbound ones, seq end = start + len); forms tcplab does not model (IP headers, UDP, GRE...)
 * are kept as text in `unsupported`, so the runner can SKIP the script with the exact feature.
 */
import { parseFlags } from '../wire/flags.ts';
import { SEQ_SPACE, type TokenCursor } from './parse-cursor.ts';
import { parseOptionList } from './parse-tcp-options.ts';
import type { EcnSpec, IcmpSpec, PacketEvent, TimeSpec } from './script.ts';

const ECN_SPECS: ReadonlyMap<string, EcnSpec> = new Map([
  ['noecn', 'noecn'],
  ['ect0', 'ect0'],
  ['ect1', 'ect1'],
  ['ce', 'ce'],
  ['ect01', 'ect01'],
] as const);

/** Skips the rest of the current line (an unsupported packet form). */
function restOfLine(cur: TokenCursor): string {
  const parts: string[] = [];
  while (cur.sameLine()) parts.push(cur.next().text);
  return parts.join(' ');
}

/** `icmp <type> [<code>] [mtu N] [[seq:end(len)]]` (packetdrill parser.y icmp_packet_spec). */
function parseIcmp(cur: TokenCursor, base: PacketEvent): PacketEvent {
  cur.next();
  const typeTok = cur.next();
  if (typeTok.kind !== 'word') cur.fail(typeTok, `expected an ICMP type but found '${typeTok.text || 'end of file'}'`);
  const spec: IcmpSpec = { type: typeTok.text, code: null, mtu: null, seq: 0, len: 0 };
  if (cur.sameLine() && cur.peek().kind === 'word' && cur.peek().text !== 'mtu') spec.code = cur.next().text;
  if (cur.sameLine() && cur.peek().kind === 'word' && cur.peek().text === 'mtu') {
    cur.next();
    spec.mtu = cur.expectInt('ICMP MTU', 65535);
  }
  if (cur.sameLine() && cur.isPunct('[')) {
    cur.next();
    const seqTok = cur.peek();
    spec.seq = cur.expectInt('TCP start sequence number', SEQ_SPACE - 1);
    cur.expectPunct(':');
    const end = cur.expectInt('TCP end sequence number', SEQ_SPACE - 1);
    cur.expectPunct('(');
    spec.len = cur.expectInt('TCP payload size', 65535);
    cur.expectPunct(')');
    cur.expectPunct(']');
    if (end !== spec.seq + spec.len) cur.fail(seqTok, 'inconsistent TCP sequence numbers and payload size', 'semantic');
  }
  return { ...base, icmp: spec };
}

export function parsePacket(cur: TokenCursor, line: number, time: TimeSpec): PacketEvent {
  const dirToken = cur.next();
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
  const t = cur.peek();
  if (t.kind === 'word' && t.text === 'icmp' && direction === 'in') return parseIcmp(cur, base);
  if (t.kind === 'word' && /^(ipv4|ipv6|udp|icmp|gre|mpls)$/i.test(t.text)) {
    return { ...base, unsupported: `${t.text} packets (${restOfLine(cur)})` };
  }
  if (cur.isPunct('[') || cur.isPunct('(')) {
    const close = t.text === '[' ? ']' : ')';
    const parts: string[] = [];
    cur.next();
    while (cur.sameLine() && !cur.isPunct(close)) parts.push(cur.next().text);
    cur.expectPunct(close);
    const ecn = close === ']' && parts.length === 1 ? ECN_SPECS.get(parts[0]!) : undefined;
    if (ecn !== undefined) base.ecn = ecn;
    else if (close === ']')
      cur.fail(t, `unknown IP ECN spec [${parts.join(' ')}] (expected noecn, ect0, ect1, ce or ect01)`);
    else base.unsupported = `IP header spec (${parts.join(' ')})`;
  }
  if (cur.peek().kind === 'int' && cur.isPunct('>', cur.peek(1))) {
    const src = cur.expectInt('source port', 65535);
    cur.next();
    const dst = cur.expectInt('destination port', 65535);
    base.ports = { src, dst };
  }
  const f = cur.next();
  let flagsText: string;
  if (f.kind === 'punct' && f.text === '.') flagsText = '.';
  else if (f.kind === 'punct' && f.text === '-') flagsText = '-';
  else if (f.kind === 'word') {
    flagsText = f.text;
    if (cur.isPunct('.') && cur.sameLine()) {
      cur.next();
      flagsText += '.';
    }
  } else cur.fail(f, `expected TCP flags but found '${f.text || 'end of file'}'`);
  const flags = parseFlags(flagsText === '-' ? '' : flagsText);
  if (flags === null) cur.fail(f, `bad TCP flags '${flagsText}'`, 'semantic');
  const seqTok = cur.peek();
  const seq = cur.expectInt('TCP start sequence number', SEQ_SPACE - 1);
  cur.expectPunct(':');
  const end = cur.expectInt('TCP end sequence number', SEQ_SPACE - 1);
  cur.expectPunct('(');
  const len = cur.expectInt('TCP payload size', 65535);
  cur.expectPunct(')');
  if (end !== seq + len) cur.fail(seqTok, 'inconsistent TCP sequence numbers and payload size', 'semantic');
  const p: PacketEvent = { ...base, flags, flagsText, seq, len };
  if (cur.sameLine() && cur.peek().kind === 'word' && cur.peek().text === 'ack') {
    cur.next();
    p.ack = cur.expectInt('TCP ack sequence number', SEQ_SPACE - 1);
  }
  if (cur.sameLine() && cur.peek().kind === 'word' && cur.peek().text === 'win') {
    cur.next();
    p.win = cur.expectInt('TCP window value', 65535);
  }
  if (cur.sameLine() && cur.peek().kind === 'word' && cur.peek().text === 'urg') {
    cur.next();
    p.urg = cur.expectInt('urg_ptr value', 65535);
  }
  if (cur.sameLine() && cur.isPunct('<')) {
    const open = cur.next();
    if (cur.peek().kind === 'ellipsis') {
      cur.next();
      if (direction === 'in')
        cur.fail(open, '<...> for TCP options can only be used with outbound packets', 'semantic');
      p.options = null;
    } else {
      p.options = parseOptionList(cur);
    }
    cur.expectPunct('>');
  }
  if (cur.sameLine() && cur.isPunct('{')) cur.fail(cur.peek(), 'packet fuzzing specs are not supported');
  if (direction === 'in' && p.win === null)
    cur.fail(dirToken, 'window must be specified for inbound packets', 'semantic');
  return p;
}
