/**
 * TCP options on the wire, laid out exactly as Linux's tcp_options_write() does, so pcaps and
 * packetdrill output look like a real Linux host's:
 *   SYN with SACK and timestamps:  mss, sackOK, TS, nop, wscale          (20 bytes)
 *   SYN without SACK:              mss, nop, nop, TS, nop, wscale        (20 bytes)
 *   SYN with SACK, no timestamps:  mss, nop, nop, sackOK, nop, wscale    (12 bytes)
 *   segment with timestamps:       nop, nop, TS                          (12 bytes)
 *   SACK blocks:                   [nop, nop, TS,] nop, nop, sack ...    (4 + 8n bytes)
 * Every option group fills whole 32-bit words, so no trailing padding is ever needed.
 */
import type { TcpOptions } from './segment.ts';

export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;
export const OPT_WSCALE = 3;
export const OPT_SACK_PERMITTED = 4;
export const OPT_SACK = 5;
export const OPT_TIMESTAMP = 8;
/** TCP Fast Open cookie (RFC 7413) and the experimental-option form (RFC 6994 kind 254, magic 0xF989). */
export const OPT_FASTOPEN = 34;
export const OPT_EXP = 254;
export const FASTOPEN_MAGIC = 0xf989;

/** The TCP data offset field counts 32-bit words, at most 15: 60 header bytes, 40 of options. */
export const MAX_OPTIONS_BYTES = 40;

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

function get32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Writes the options at bytes[at...] in the Linux layout; returns the bytes written. */
export function writeOptions(o: TcpOptions, b: Uint8Array, at: number): number {
  const start = at;
  if (o.mss !== undefined) {
    b[at] = OPT_MSS;
    b[at + 1] = 4;
    b[at + 2] = (o.mss >>> 8) & 255;
    b[at + 3] = o.mss & 255;
    at += 4;
  }
  if (o.timestamp !== undefined) {
    if (o.sackPermitted) {
      b[at] = OPT_SACK_PERMITTED;
      b[at + 1] = 2;
    } else {
      b[at] = OPT_NOP;
      b[at + 1] = OPT_NOP;
    }
    b[at + 2] = OPT_TIMESTAMP;
    b[at + 3] = 10;
    put32(b, at + 4, o.timestamp.val);
    put32(b, at + 8, o.timestamp.ecr);
    at += 12;
  } else if (o.sackPermitted) {
    b[at] = OPT_NOP;
    b[at + 1] = OPT_NOP;
    b[at + 2] = OPT_SACK_PERMITTED;
    b[at + 3] = 2;
    at += 4;
  }
  if (o.wscale !== undefined) {
    b[at] = OPT_NOP;
    b[at + 1] = OPT_WSCALE;
    b[at + 2] = 3;
    b[at + 3] = o.wscale & 255;
    at += 4;
  }
  const sack = o.sack;
  if (sack !== undefined && sack.length > 0) {
    b[at] = OPT_NOP;
    b[at + 1] = OPT_NOP;
    b[at + 2] = OPT_SACK;
    b[at + 3] = 2 + 8 * sack.length;
    at += 4;
    for (let i = 0; i < sack.length; i++) {
      put32(b, at, sack[i]![0]);
      put32(b, at + 4, sack[i]![1]);
      at += 8;
    }
  }
  const fo = o.fastOpen;
  if (fo !== undefined) {
    // Linux tcp_options_write, OPTION_FAST_OPEN_COOKIE: after everything else; two nops pad kind 34.
    let len: number;
    if (o.fastOpenExp === true) {
      len = 4 + fo.length;
      b[at] = OPT_EXP;
      b[at + 1] = len;
      b[at + 2] = FASTOPEN_MAGIC >>> 8;
      b[at + 3] = FASTOPEN_MAGIC & 255;
      b.set(fo, at + 4);
    } else {
      len = 2 + fo.length;
      b[at] = OPT_FASTOPEN;
      b[at + 1] = len;
      b.set(fo, at + 2);
    }
    if ((len & 3) === 2) {
      b[at + len] = OPT_NOP;
      b[at + len + 1] = OPT_NOP;
      len += 2;
    }
    at += len;
  }
  return at - start;
}

/** Why an option area could not be parsed. */
export type OptionsErrorCode =
  | 'bad-option-length'
  | 'bad-mss'
  | 'bad-wscale'
  | 'bad-sack-permitted'
  | 'bad-timestamp'
  | 'bad-sack';

export type ParsedOptions =
  | { ok: true; options: TcpOptions | null }
  | { ok: false; code: OptionsErrorCode; offset: number };

/**
 * Reads the option area bytes[start, end) in any order and any padding (not only Linux's), as a
 * receiver must (RFC 9293 3.2: options may begin on any octet). Unknown kinds are skipped by their
 * length; EOL ends the list. Returns null options when none of the known ones is present.
 */
export function parseOptions(b: Uint8Array, start: number, end: number): ParsedOptions {
  let o: TcpOptions | null = null;
  let i = start;
  while (i < end) {
    const kind = b[i]!;
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return { ok: false, code: 'bad-option-length', offset: i - start };
    const len = b[i + 1]!;
    if (len < 2 || i + len > end) return { ok: false, code: 'bad-option-length', offset: i - start };
    switch (kind) {
      case OPT_MSS:
        if (len !== 4) return { ok: false, code: 'bad-mss', offset: i - start };
        (o ??= {}).mss = (b[i + 2]! << 8) | b[i + 3]!;
        break;
      case OPT_WSCALE:
        if (len !== 3) return { ok: false, code: 'bad-wscale', offset: i - start };
        (o ??= {}).wscale = b[i + 2]!;
        break;
      case OPT_SACK_PERMITTED:
        if (len !== 2) return { ok: false, code: 'bad-sack-permitted', offset: i - start };
        (o ??= {}).sackPermitted = true;
        break;
      case OPT_TIMESTAMP:
        if (len !== 10) return { ok: false, code: 'bad-timestamp', offset: i - start };
        (o ??= {}).timestamp = { val: get32(b, i + 2), ecr: get32(b, i + 6) };
        break;
      case OPT_SACK: {
        // RFC 2018 3: length 2 + 8n, n >= 1.
        if (len < 10 || (len - 2) % 8 !== 0) return { ok: false, code: 'bad-sack', offset: i - start };
        const blocks: Array<[number, number]> = [];
        for (let j = i + 2; j < i + len; j += 8) blocks.push([get32(b, j), get32(b, j + 4)]);
        (o ??= {}).sack = blocks;
        break;
      }
      case OPT_FASTOPEN:
        if (validCookieLength(len - 2)) fastOpenOption(b, i + 2, len - 2, false, (o ??= {}));
        break;
      case OPT_EXP:
        // Linux tcp_parse_options: kind 254 is Fast Open only with its 16-bit magic.
        if (len >= 4 && ((b[i + 2]! << 8) | b[i + 3]!) === FASTOPEN_MAGIC && validCookieLength(len - 4))
          fastOpenOption(b, i + 4, len - 4, true, (o ??= {}));
        break;
      default:
        break; // unknown option (MPTCP, MD5...): skipped, as Linux's tcp_parse_options does
    }
    i += len;
  }
  return { ok: true, options: o };
}

/**
 * Linux tcp_parse_fastopen_option: an even cookie length of 4..16 bytes is a cookie, 0 a cookie
 * request; any other length is ignored (the option is then as good as absent).
 */
function validCookieLength(len: number): boolean {
  return len >= 0 && (len & 1) === 0 && (len === 0 || (len >= 4 && len <= 16));
}

function fastOpenOption(b: Uint8Array, at: number, len: number, exp: boolean, o: TcpOptions): void {
  o.fastOpen = b.slice(at, at + len);
  if (exp) o.fastOpenExp = true;
}

function hexOf(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let j = from; j < to; j++) s += b[j]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * The options in wire order as packetdrill prints them (tcp_options_to_string.c):
 * "mss 1460", "sackOK", "TS val 1 ecr 0", "nop", "wscale 7", "sack 1:2 3:4", "eol",
 * unknown kinds as "opt<kind>". `sackBase` is subtracted from SACK edges (relative printing).
 * Assumes a well-formed area (the encoder's own output); stops at a malformed option.
 */
export function describeOptions(b: Uint8Array, start: number, end: number, sackBase: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const kind = b[i]!;
    let text: string;
    let len = 1;
    if (kind === OPT_EOL) {
      out += out === '' ? 'eol' : ',eol';
      break;
    } // the rest is padding
    if (kind === OPT_NOP) text = 'nop';
    else {
      if (i + 1 >= end) break;
      len = b[i + 1]!;
      if (len < 2 || i + len > end) break;
      switch (kind) {
        case OPT_MSS:
          text = `mss ${(b[i + 2]! << 8) | b[i + 3]!}`;
          break;
        case OPT_WSCALE:
          text = `wscale ${b[i + 2]!}`;
          break;
        case OPT_SACK_PERMITTED:
          text = 'sackOK';
          break;
        case OPT_TIMESTAMP:
          text = `TS val ${get32(b, i + 2)} ecr ${get32(b, i + 6)}`;
          break;
        case OPT_SACK: {
          text = 'sack';
          for (let j = i + 2; j + 8 <= i + len; j += 8) {
            text += ` ${(get32(b, j) - sackBase) >>> 0}:${(get32(b, j + 4) - sackBase) >>> 0}`;
          }
          break;
        }
        case OPT_FASTOPEN:
          text = len > 2 ? `FO ${hexOf(b, i + 2, i + len)}` : 'FO';
          break;
        case OPT_EXP:
          if (len >= 4 && ((b[i + 2]! << 8) | b[i + 3]!) === FASTOPEN_MAGIC)
            text = len > 4 ? `FOEXP ${hexOf(b, i + 4, i + len)}` : 'FOEXP';
          else text = `opt${kind}`;
          break;
        default:
          text = `opt${kind}`;
      }
    }
    out += out === '' ? text : `,${text}`;
    i += len;
  }
  return out;
}
