/**
 * The TCP option list of a packet line, `<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>`: one
 * option per entry, with packetdrill's value ranges. TCP-MD5 is parsed and marked unsupported;
 * Fast Open cookies (FO, FOEXP) are kept as hex text. Apart from parse-packet.ts because the
 * option grammar is its own: a keyword per option and values that do not lex as one token.
 */
import { SEQ_SPACE, type TokenCursor } from './parse-cursor.ts';
import type { ScriptOption } from './script.ts';

export function parseOptionList(cur: TokenCursor): ScriptOption[] {
  const list: ScriptOption[] = [parseOption(cur)];
  while (cur.isPunct(',')) {
    cur.next();
    list.push(parseOption(cur));
  }
  return list;
}

function parseOption(cur: TokenCursor): ScriptOption {
  const t = cur.next();
  if (t.kind !== 'word') cur.fail(t, `expected a TCP option but found '${t.text || 'end of file'}'`);
  switch (t.text) {
    case 'nop':
      return { kind: 'nop' };
    case 'eol':
      return { kind: 'eol' };
    case 'mss':
      return { kind: 'mss', value: cur.expectInt('mss value', 65535) };
    case 'wscale':
      return { kind: 'wscale', value: cur.expectInt('window scale shift count', 255) };
    case 'sackOK':
      return { kind: 'sackOK' };
    case 'sack': {
      const blocks: Array<[number, number]> = [];
      do {
        const left = cur.expectInt('TCP SACK left sequence number', SEQ_SPACE - 1);
        cur.expectPunct(':');
        blocks.push([left, cur.expectInt('TCP SACK right sequence number', SEQ_SPACE - 1)]);
      } while (cur.peek().kind === 'int');
      return { kind: 'sack', blocks };
    }
    case 'TS': {
      cur.expectWord('val');
      const val = cur.expectInt('ts val', SEQ_SPACE - 1);
      cur.expectWord('ecr');
      return { kind: 'TS', val, ecr: cur.expectInt('ecr val', SEQ_SPACE - 1) };
    }
    case 'md5':
    case 'FO':
    case 'FOEXP': {
      // A hex cookie or digest lexes as several tokens (`1234abcd` is int 1234, word abcd):
      // it runs to the next ',' or '>'.
      let value = '';
      while (cur.sameLine() && !cur.isPunct(',') && !cur.isPunct('>')) value += cur.next().text;
      if (value !== '' && !/^([0-9a-fA-F]+|[A-Za-z_]\w*)$/.test(value)) cur.fail(t, `bad ${t.text} value '${value}'`);
      if (t.text === 'md5') return { kind: 'unsupported', name: 'TCP-MD5 option' };
      return { kind: 'fastopen', exp: t.text === 'FOEXP', cookie: value === '' ? null : value };
    }
    default:
      return cur.fail(t, `unknown TCP option '${t.text}'`);
  }
}
