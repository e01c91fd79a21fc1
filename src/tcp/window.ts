/**
 * Receive-window arithmetic shared by the engine and the listener (which builds SYN-ACKs):
 * the initial window offered in a SYN, the window-scale shift, and the timestamp clock.
 * Linux tcp_select_initial_window and tcp_win_from_space are the model.
 */
import { MS, type Nanos } from '../sim/time.ts';
import type { TcpParams } from './params.ts';

/** Largest shift RFC 7323 2.3 allows. */
export const MAX_WSCALE = 14;

/**
 * Bytes of the receive buffer that may be offered as window. Linux (tcp_win_from_space with the
 * default scaling ratio / tcp_adv_win_scale 1) keeps half the buffer for overhead.
 */
export function windowSpace(p: TcpParams): number {
  return Math.floor(p.rcvBuf / 2);
}

/**
 * The window field of a SYN or SYN-ACK (never scaled, RFC 7323 2.2): the space rounded down to
 * a multiple of the MSS we advertise, at most 65535. With Linux defaults (rcvBuf 128 KiB, MSS
 * 1460) that is 64240 = 44 × 1460, what a Linux SYN carries.
 */
export function initialWindow(p: TcpParams, advMss: number = p.mss): number {
  let space = windowSpace(p);
  if (space > advMss) space -= space % advMss;
  return Math.min(space, 65535);
}

/**
 * Our window-scale shift, or -1 when window scaling is off. As Linux: chosen for the largest
 * receive buffer autotuning may reach (max(space, tcp_rmem[2])), so a default Linux SYN (tcp_rmem[2]
 * 6 MiB) says wscale 7.
 */
export function ourWindowScale(p: TcpParams): number {
  if (!p.windowScaling) return -1;
  const space = Math.max(windowSpace(p), p.rcvBufMax, p.rcvBuf);
  const shift = Math.floor(Math.log2(space)) - 15;
  return shift < 0 ? 0 : shift > MAX_WSCALE ? MAX_WSCALE : shift;
}

/**
 * RFC 7323 5.4: TSval from a millisecond clock plus a per-connection offset (Linux tcp_ts_off),
 * as an unsigned 32-bit value.
 */
export function tsValue(tsOffset: number, now: Nanos): number {
  return (tsOffset + Math.floor(now / MS)) >>> 0;
}
