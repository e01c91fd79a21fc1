/**
 * Resets for segments that no connection owns (RFC 9293 3.10.7.1, CLOSED state), shared by the
 * stack (no TCB, no listener), the listener and the engine (unacceptable ACK in SYN-SENT, data
 * after close).
 */
import { ACK, RST, segmentSpace, type Segment } from '../wire/segment.ts';

/**
 * RFC 9293 3.10.7.1: the reset to send for `seg`, or null (a RST is never answered).
 * If the segment has an ACK: <SEQ=SEG.ACK><CTL=RST>; otherwise
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in SEG.LEN).
 */
export function resetForUnmatched(seg: Segment): Segment | null {
  if (seg.flags & RST) return null;
  if (seg.flags & ACK) return resetSegment(seg.dstPort, seg.srcPort, seg.ack, 0, RST);
  return resetSegment(seg.dstPort, seg.srcPort, 0, (seg.seq + segmentSpace(seg)) >>> 0, RST | ACK);
}

/** A bare reset segment (no options, window 0, as Linux tcp_v4_send_reset). */
export function resetSegment(srcPort: number, dstPort: number, seq: number, ack: number, flags: number): Segment {
  return {
    srcPort,
    dstPort,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags,
    window: 0,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
  };
}
