/**
 * CLOSED (and LISTEN, which a Connection never is): the TCB is gone, so a segment is answered
 * as if nothing matched (RFC 9293 3.10.7.1).
 */
import type { Segment } from '../../wire/segment.ts';
import { sendRaw } from '../output.ts';
import { resetForUnmatched } from '../reset.ts';
import type { Tcb } from '../tcb.ts';

export function closedSegment(t: Tcb, seg: Segment): void {
  const rst = resetForUnmatched(seg);
  if (rst !== null) sendRaw(t, rst);
}
