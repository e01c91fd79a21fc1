/**
 * Linux's send chronographs (tcp_chrono_start / tcp_chrono_stop / tcp_chrono_set, tcp_output.c):
 * the time a connection had data to send (busy), and within it the time it was held by the
 * peer's window (rwnd-limited) or by the application's send buffer (sndbuf-limited). One clock
 * runs at a time, the most telling condition winning; tcp_info reports the sums in microseconds
 * (tcp_get_info_chrono_stats).
 */
import type { Nanos } from '../sim/time.ts';
import type { Tcb } from './tcb.ts';

/** Linux enum tcp_chrono, in precedence order. */
export const CHRONO_NONE = 0;
export const CHRONO_BUSY = 1;
export const CHRONO_RWND_LIMITED = 2;
export const CHRONO_SNDBUF_LIMITED = 3;

function chronoSet(t: Tcb, type: number, now: Nanos): void {
  const old = t.chronoType;
  if (old === CHRONO_BUSY) t.chronoBusy += now - t.chronoStart;
  else if (old === CHRONO_RWND_LIMITED) t.chronoRwnd += now - t.chronoStart;
  else if (old === CHRONO_SNDBUF_LIMITED) t.chronoSndbuf += now - t.chronoStart;
  t.chronoStart = now;
  t.chronoType = type;
}

/** tcp_chrono_start: a more telling condition takes over the running clock. */
export function chronoStart(t: Tcb, type: number, now: Nanos): void {
  if (type > t.chronoType) chronoSet(t, type, now);
}

/**
 * tcp_chrono_stop: with nothing queued every clock stops; else a stopping condition that was the
 * running one hands back to busy.
 */
export function chronoStop(t: Tcb, type: number, now: Nanos): void {
  if (t.sndUna === t.writeSeq) {
    if (t.chronoType !== CHRONO_NONE) chronoSet(t, CHRONO_NONE, now);
  } else if (type === t.chronoType) {
    chronoSet(t, CHRONO_BUSY, now);
  }
}

/** tcp_get_info_chrono_stats: [busy (all three), rwnd-limited, sndbuf-limited] in nanoseconds at `now`. */
export function chronoTotals(t: Tcb, now: Nanos): [Nanos, Nanos, Nanos] {
  let busy = t.chronoBusy;
  let rwnd = t.chronoRwnd;
  let sndbuf = t.chronoSndbuf;
  const running = now - t.chronoStart;
  if (t.chronoType === CHRONO_BUSY) busy += running;
  else if (t.chronoType === CHRONO_RWND_LIMITED) rwnd += running;
  else if (t.chronoType === CHRONO_SNDBUF_LIMITED) sndbuf += running;
  return [busy + rwnd + sndbuf, rwnd, sndbuf];
}
