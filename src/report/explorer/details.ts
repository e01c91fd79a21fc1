/**
 * The explorer's details pane: every field of the records behind a segment (sent, received or
 * dropped, with the drop reason), one table per record.
 */
import type { LadderMessage } from '../ladder-model.ts';
import type { PacketTraceEvent } from '../trace-records.ts';
import { el } from './dom.ts';

export function showDetails(box: HTMLElement, m: LadderMessage, recs: readonly PacketTraceEvent[]): void {
  const tables = recs.map((r) => {
    const title =
      r.ev === 'tx'
        ? `sent by ${r.node}`
        : r.ev === 'rx'
          ? `received by ${r.node}`
          : `dropped at ${r.node}: ${String(r.reason ?? '?')}`;
    return el(
      'table',
      {},
      el('caption', { textContent: title }),
      ...Object.entries(r)
        .filter(([k]) => k !== 'run')
        .map(([k, v]) =>
          el(
            'tr',
            {},
            el('th', { textContent: k }),
            el('td', { textContent: typeof v === 'object' ? JSON.stringify(v) : String(v) }),
          ),
        ),
    );
  });
  box.replaceChildren(
    el('p', { className: 'tx-label', textContent: m.label }),
    ...tables,
    ...(m.tRx === null && !m.drop
      ? [
          el('p', {
            className: 'note',
            textContent: 'Never received (the run ended first, or the peer is not traced).',
          }),
        ]
      : []),
  );
}
