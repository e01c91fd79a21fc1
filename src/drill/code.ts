/**
 * The `%{ python }%` blocks packetdrill scripts use to check TCP_INFO, in the one form the corpus
 * has: `assert tcpi_<field> <op> <value>[, message]`, one per line. packetdrill snapshots TCP_INFO
 * of the socket under test when the block's time comes and runs the Python after the script
 * ends; tcplab does the same with the fields its engine reports (socket-api.ts TcpInfo).
 */
import type { TcpInfo } from '../stack/socket-api.ts';
import { US } from '../sim/time.ts';
import { LINUX_STATE, SYMBOLS } from './constants.ts';

export type CompareOp = '==' | '!=' | '<=' | '>=' | '<' | '>';

export interface CodeAssert {
  text: string;
  lhs: string;
  op: CompareOp;
  rhs: string;
}

/** tcp_info fields tcplab can report, and how. `mss` converts byte windows to Linux's packet counts. */
const FIELDS: Record<string, (info: TcpInfo, mss: number) => number> = {
  tcpi_snd_cwnd: (i, mss) => Math.floor(i.cwnd / mss),
  tcpi_snd_ssthresh: (i, mss) => Math.floor(i.ssthresh / mss),
  tcpi_rto: (i) => Math.round(i.rto / US),
  tcpi_rtt: (i) => Math.round(i.srtt / US),
  tcpi_bytes_acked: (i) => i.bytesAcked,
  tcpi_bytes_received: (i) => i.bytesReceived,
  tcpi_state: (i) => SYMBOLS[LINUX_STATE[i.state] ?? ''] ?? -1,
};

/** Parses a code block into asserts, or names the first line it cannot take. */
export function parseCode(code: string): { ok: true; asserts: CodeAssert[] } | { ok: false; reason: string } {
  const asserts: CodeAssert[] = [];
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^assert\s+([A-Za-z_]\w*|\d+)\s*(==|!=|<=|>=|<|>)\s*([A-Za-z_]\w*|\d+)\s*(?:,.*)?$/.exec(line);
    if (!m) return { ok: false, reason: `python code \`${line}\` not supported` };
    for (const operand of [m[1]!, m[3]!]) {
      if (/^\d+$/.test(operand) || operand in SYMBOLS) continue;
      if (!(operand in FIELDS)) return { ok: false, reason: `TCP_INFO ${operand} not modelled` };
    }
    asserts.push({ text: line, lhs: m[1]!, op: m[2] as CompareOp, rhs: m[3]! });
  }
  return { ok: true, asserts };
}

function operandValue(name: string, info: TcpInfo, mss: number): number {
  if (/^\d+$/.test(name)) return Number(name);
  const field = FIELDS[name];
  return field !== undefined ? field(info, mss) : (SYMBOLS[name] ?? NaN);
}

/** Checks one assert against a TCP_INFO snapshot; null when it holds, else what failed. */
export function checkAssert(a: CodeAssert, info: TcpInfo, mss: number): string | null {
  const l = operandValue(a.lhs, info, mss);
  const r = operandValue(a.rhs, info, mss);
  const ok = a.op === '==' ? l === r : a.op === '!=' ? l !== r : a.op === '<=' ? l <= r : a.op === '>=' ? l >= r : a.op === '<' ? l < r : l > r;
  return ok ? null : `\`${a.text}\` failed: ${a.lhs} = ${l}, ${a.rhs} = ${r}`;
}
