/**
 * `struct msghdr` as scripts write it for sendmsg/recvmsg (packetdrill symbols: `msg_name(...)=...`,
 * `msg_iov(N)=[{..., len}, ...]`, `msg_flags=F`, `msg_control=[{cmsg_level=L, cmsg_type=T,
 * cmsg_data=D}, ...]`): the byte count of the iovecs and the control messages expected back.
 */
import { intValue, wordValue } from './expr.ts';
import type { Expr } from './script.ts';

export interface Cmsg {
  level: string;
  type: string;
  data: Expr;
}

export interface MsgHdr {
  /** Bytes of all iovecs together. */
  iovBytes: number;
  /** Control messages the script expects (recvmsg) or passes (sendmsg). */
  control: Cmsg[];
}

function members(e: Expr): Map<string, Expr> | null {
  if (e.kind !== 'struct') return null;
  const out = new Map<string, Expr>();
  for (const item of e.items) if (item.kind === 'assign') out.set(item.name, item.value);
  return out;
}

/** Reads a msghdr argument; a string says what is malformed. */
export function readMsghdr(e: Expr): MsgHdr | string {
  const m = members(e);
  if (m === null) return 'msghdr must be a {...} struct';
  let iovBytes = 0;
  const iov = m.get('msg_iov');
  if (iov !== undefined) {
    if (iov.kind !== 'list') return 'msg_iov must be a [...] list';
    for (const v of iov.items) {
      // {base, len}: the base is `...` (or NULL), the length an integer.
      const len = v.kind === 'struct' && v.items.length === 2 ? intValue(v.items[1]!) : null;
      if (len === null) return 'each msg_iov entry must be {..., length}';
      iovBytes += len;
    }
  }
  const control: Cmsg[] = [];
  const ctl = m.get('msg_control');
  if (ctl !== undefined && ctl.kind !== 'ellipsis') {
    if (ctl.kind !== 'list') return 'msg_control must be a [...] list';
    for (const c of ctl.items) {
      const f = members(c);
      const level = f?.get('cmsg_level');
      const type = f?.get('cmsg_type');
      const data = f?.get('cmsg_data');
      if (level === undefined || type === undefined || data === undefined)
        return 'each cmsg needs cmsg_level, cmsg_type and cmsg_data';
      control.push({
        level: wordValue(level) ?? String(intValue(level)),
        type: wordValue(type) ?? String(intValue(type)),
        data,
      });
    }
  }
  return { iovBytes, control };
}
