/**
 * A parsed packetdrill script: its `--options`, the init and cleanup shell commands, and the timed
 * events (packets, system calls, shell commands, code blocks). Times are integer nanoseconds, as
 * everywhere in tcplab; packetdrill's own resolution is a microsecond.
 */
import type { Nanos } from '../sim/time.ts';

/**
 * When an event happens (packetdrill run.c): `0.1` absolute, `+0.1` after the previous event,
 * `0.1~0.2` / `+0~+0.04` a window (outbound packets only), `*` any time (outbound packets only).
 */
export type TimeSpec =
  | { kind: 'absolute'; at: Nanos }
  | { kind: 'relative'; at: Nanos }
  | { kind: 'absolute-range'; at: Nanos; end: Nanos }
  | { kind: 'relative-range'; at: Nanos; end: Nanos }
  | { kind: 'any' };

/** One TCP option as written in a script, in script order (nops included). */
export type ScriptOption =
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: Array<[number, number]> }
  | { kind: 'TS'; val: number; ecr: number }
  /**
   * TCP Fast Open (RFC 7413): `FO` is option 34, `FOEXP` the experimental option 254 with magic
   * 0xF989; `cookie` is the hex text (`abcd1234`), a symbol (`TFO_COOKIE`), or null for a cookie
   * request. Parsed for the Fast Open work; scripts using it SKIP until it is modelled.
   */
  | { kind: 'fastopen'; exp: boolean; cookie: string | null }
  | { kind: 'unsupported'; name: string }; // md5: parsed, never modelled

export interface PacketEvent {
  type: 'packet';
  line: number;
  time: TimeSpec;
  /** `<` the scripted peer injects it, `>` the engine must send it. */
  direction: 'in' | 'out';
  /** Flag bits (src/wire/segment.ts) and the letters as written ("S.", "FP.", "-"). */
  flags: number;
  flagsText: string;
  seq: number;
  len: number;
  /** null when the line has no `ack N`. */
  ack: number | null;
  /** null when the line has no `win N` (outbound: not checked). */
  win: number | null;
  urg: number;
  /** null for `<...>`: any options accepted. */
  options: ScriptOption[] | null;
  /** Explicit `src>dst` ports, or null for the connection under test. */
  ports: { src: number; dst: number } | null;
  /**
   * ECN codepoint of the IP header (RFC 3168 5) from `[noecn]`, `[ect0]`, `[ect1]`, `[ce]` or
   * `[ect01]` (either ECT); null when the line gives none (inbound: Not-ECT; outbound: not checked).
   */
  ecn: EcnSpec | null;
  /** Text of an IP-level spec (`(tos 0x10)`, `ipv4 a > b:`, udp …) that tcplab does not model. */
  unsupported: string | null;
  /** An ICMP line (`< icmp unreachable frag_needed mtu 800 [0:1000(1000)]`): the TCP fields above are unused. */
  icmp?: IcmpSpec;
}

/**
 * packetdrill's ICMP packet: type and code as written (`unreachable`, `frag_needed`, `type_3`,
 * `code_4`, or a symbol such as CODE), the next-hop MTU, and the quoted TCP segment's sequence
 * number and length relative to our ISN (`[seq:end(len)]`, default 0:0(0)).
 */
export interface IcmpSpec {
  type: string;
  code: string | null;
  mtu: number | null;
  seq: number;
  len: number;
}

export type EcnSpec = 'noecn' | 'ect0' | 'ect1' | 'ce' | 'ect01';

/** A system call argument or result. */
export type Expr =
  | { kind: 'int'; value: number }
  | { kind: 'ellipsis' }
  | { kind: 'word'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: Expr[] } // [1], [ETIMEDOUT]
  | { kind: 'struct'; items: Expr[] } // {tcpi_state=TCP_ESTABLISHED, ...}, {onoff=1, linger=0}
  | { kind: 'or'; lhs: Expr; rhs: Expr } // O_RDWR|O_NONBLOCK
  | { kind: 'assign'; name: string; value: Expr; count?: Expr } // field=value inside a struct; msg_iov(1)=[...] keeps its (1)
  | { kind: 'call'; name: string; args: Expr[] }; // htons(8080), inet_addr("192.0.2.1")

export interface SyscallEvent {
  type: 'syscall';
  line: number;
  time: TimeSpec;
  name: string;
  args: Expr[];
  /** Expected return value. */
  result: Expr;
  /** Expected errno name (`= -1 EPIPE (Broken pipe)`), or null. */
  errno: string | null;
  /** The end time after `...` for a call that blocks (`+0...0.200 accept(...)`), else null. */
  blockingEnd: Nanos | null;
}

export interface CommandEvent {
  type: 'command';
  line: number;
  time: TimeSpec;
  command: string;
}

export interface CodeEvent {
  type: 'code';
  line: number;
  time: TimeSpec;
  code: string;
}

export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

export interface ScriptFlag {
  name: string;
  value: string | null;
  line: number;
}

export interface DrillScript {
  /** `--tolerance_usecs=10000`, `--ip_version=ipv4`, … */
  flags: ScriptFlag[];
  /** The backquoted command before the first event (runs before the script). */
  initCommand: { command: string; line: number } | null;
  events: ScriptEvent[];
  /** The backquoted command after the last event (runs after the script). */
  cleanupCommand: { command: string; line: number } | null;
}

export interface ParseError {
  code: 'lex' | 'parse' | 'semantic';
  line: number;
  message: string;
}
