/** Hand-made ladder segments for the layout tests (the static ladder's and the explorer's). */
import type { LadderMessage } from '../../src/report/ladder-model.ts';

/** A segment `from` one side, sent at `tTx`, arriving at `tRx` (null: never); flags are the label's first word. */
export function ladderMessage(
  from: 0 | 1,
  tTx: number,
  tRx: number | null,
  label: string,
  extra: Partial<LadderMessage> = {},
): LadderMessage {
  return {
    from,
    tTx,
    tRx,
    drop: null,
    flags: label.split(' ')[0]!,
    seq: 0,
    ack: 0,
    len: 0,
    win: null,
    retx: false,
    label,
    detail: label,
    ...extra,
  };
}
