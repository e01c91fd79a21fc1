/**
 * Loss recovery on SACK connections: RFC 6675 (enter when SACKs show DupThresh segments above a
 * hole or IsLost(SND.UNA); repair every lost hole, not one per round trip as NewReno) with the
 * window during recovery set by Proportional Rate Reduction (RFC 6937, in Linux's
 * tcp_cwnd_reduction form: cwnd = pipe + sndcnt on every ACK, counted in segments). Recovery ends
 * when SND.UNA reaches the highest sequence sent at its start; cwnd is then ssthresh
 * (tcp_end_cwnd_reduction). Connections without SACK keep NewReno (ack.ts).
 */
import type { Nanos } from '../sim/time.ts';
import { transmitData } from './output.ts';
import { SackScoreboard } from './sack-scoreboard.ts';
import { output } from './send.ts';
import { seqGt, seqLt, seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';

/** RFC 6675 DupThresh (Linux tcp_reordering's default). */
export const DUP_THRESH = 3;

function segs(bytes: number, mss: number): number {
  return bytes <= 0 ? 0 : Math.ceil(bytes / mss);
}

/** Records the ACK's SACK blocks; returns the bytes newly SACKed. */
export function sackUpdate(t: Tcb, blocks: ReadonlyArray<readonly [number, number]>, ack: number): number {
  if (t.sack === null) t.sack = new SackScoreboard();
  const una = seqGt(ack, t.sndUna) ? ack : t.sndUna;
  return t.sack.update(blocks, una, t.sndMax);
}

/** A SACK recovery episode is in progress. */
export function inSackRecovery(t: Tcb): boolean {
  return t.inRecovery && t.sack !== null && t.sack.active;
}

/**
 * RFC 6675 SetPipe, in segments: unSACKed data above the lost holes, plus every retransmission
 * not yet SACKed or acknowledged (Linux packets_out − sacked_out − lost_out + retrans_out).
 */
export function pipe(t: Tcb): number {
  const sb = t.sack!;
  const lost = sb.lostEnd(t.sndUna, t.mss, DUP_THRESH);
  let bytes = sb.unsackedIn(lost, t.sndMax);
  if (seqGt(sb.highRxt, t.sndUna)) bytes += sb.unsackedIn(t.sndUna, sb.highRxt);
  return segs(bytes, t.mss);
}

/**
 * Linux tcp_time_to_recover with SACK: more than tcp_reordering − 1 segments SACKed above
 * SND.UNA, or the head already lost by RFC 6675's rule; and not inside the window an earlier
 * recovery or RTO is still repairing (RFC 6582 "recover").
 */
export function timeToRecover(t: Tcb): boolean {
  const sb = t.sack;
  if (sb === null || sb.sackedBytes === 0 || t.inRecovery || !seqGt(t.sndUna, t.recover)) return false;
  return sb.sackedSegments(t.mss) >= DUP_THRESH || seqGt(sb.lostEnd(t.sndUna, t.mss, DUP_THRESH), t.sndUna);
}

/** Starts an episode (tcp_enter_recovery + tcp_init_cwnd_reduction): ssthresh from the algorithm, PRR counters at zero. */
export function enterSackRecovery(t: Tcb): void {
  const sb = t.sack!;
  sb.priorCwnd = t.cc.cwnd;
  t.cc.enterRecovery(t.packetsOut);
  sb.active = true;
  sb.prrDelivered = 0;
  sb.prrOut = 0;
  sb.highRxt = t.sndUna;
  t.recover = t.sndMax;
  t.inRecovery = true;
}

/** SND.UNA reached the recovery point: cwnd = ssthresh (Linux tcp_end_cwnd_reduction). */
export function exitSackRecovery(t: Tcb): void {
  const sb = t.sack!;
  sb.active = false;
  t.inRecovery = false;
  t.dupAcks = 0;
  t.cc.exitRecovery(t.packetsOut);
  t.cc.cwnd = t.cc.ssthresh;
}

/**
 * One ACK during recovery: `delivered` segments newly acknowledged or SACKed. PRR sets cwnd
 * (RFC 6937 3: proportional while pipe is above ssthresh, slow-start reduction bound below it),
 * then the send loop repairs holes and sends new data while pipe < cwnd.
 */
export function sackRecoveryAck(t: Tcb, delivered: number, unaAdvanced: boolean, now: Nanos): void {
  const sb = t.sack!;
  if (delivered > 0) {
    sb.prrDelivered += delivered;
    const inFlight = pipe(t);
    const ssthresh = t.cc.ssthresh;
    const delta = ssthresh - inFlight;
    let sndcnt: number;
    if (delta < 0) {
      sndcnt = Math.floor((ssthresh * sb.prrDelivered + sb.priorCwnd - 1) / sb.priorCwnd) - sb.prrOut;
    } else {
      sndcnt = Math.max(sb.prrDelivered - sb.prrOut, delivered);
      if (unaAdvanced) sndcnt++;
      if (sndcnt > delta) sndcnt = delta;
    }
    // Force the fast retransmit when entering recovery.
    if (sndcnt < (sb.prrOut > 0 ? 0 : 1)) sndcnt = sb.prrOut > 0 ? 0 : 1;
    t.cc.cwnd = inFlight + sndcnt;
  }
  sendInRecovery(t, now);
}

/**
 * RFC 6675 6 NextSeg and the transmission loop: (1) the first lost hole above HighRxt, (2) new
 * data, (3) the first unSACKed hole above HighRxt below the highest SACKed byte; while pipe < cwnd.
 */
function sendInRecovery(t: Tcb, now: Nanos): void {
  const sb = t.sack!;
  for (let guard = 0; guard < 1 << 16; guard++) {
    const inFlight = pipe(t);
    if (inFlight >= t.cc.cwnd) return;
    const from = seqGt(sb.highRxt, t.sndUna) ? sb.highRxt : t.sndUna;
    let hole = sb.nextHole(from, sb.lostEnd(t.sndUna, t.mss, DUP_THRESH));
    if (hole === null) {
      // Rule 2: new data, as much as the window allows beyond what is in flight.
      const flightPackets = segs(seqSub(t.sndNxt, t.sndUna), t.mss);
      const before = t.segsOut;
      output(t, now, false, flightPackets - inFlight);
      if (t.segsOut > before) {
        sb.prrOut += t.segsOut - before;
        continue;
      }
      hole = sb.nextHole(from, sb.highSacked(t.sndUna));
      if (hole === null) return;
    }
    retransmitHole(t, hole[0], hole[1], now);
  }
}

/** Resends one segment from the start of the hole [start, end) and advances HighRxt. */
function retransmitHole(t: Tcb, start: number, end: number, now: Nanos): void {
  const sb = t.sack!;
  let segEnd = (start + t.mss) >>> 0;
  if (seqLt(end, segEnd)) segEnd = end;
  const dataEnd = t.finSent ? t.writeSeq : t.sndMax;
  const dataStop = seqLt(segEnd, dataEnd) ? segEnd : dataEnd;
  const len = seqSub(dataStop, start) > 0 ? seqSub(dataStop, start) : 0;
  const fin = t.finSent && segEnd === t.sndMax;
  transmitData(t, start, len, fin, now, false);
  sb.highRxt = segEnd;
  sb.prrOut++;
}
