/**
 * Comparing a segment the engine sent with the one the script expects, field by field in the
 * order packetdrill's verify_outbound_live_packet does: flags, seq, ack, window (only when the
 * line gives `win`), urgent pointer, length, then options in wire order (unless `<...>`). TS val is
 * not checked unless --tcp_ts_tick_usecs is set, as in packetdrill (config.c disables it by default).
 */
import { formatFlags } from '../wire/flags.ts';
import { formatOptions, formatSegment } from '../wire/format.ts';
import type { Segment } from '../wire/segment.ts';
import { ACK, SYN } from '../wire/segment.ts';
import type { Flow } from './flows.ts';
import type { PacketEvent, ScriptOption } from './script.ts';

function optionText(o: ScriptOption): string {
  switch (o.kind) {
    case 'nop':
      return 'nop';
    case 'eol':
      return 'eol';
    case 'mss':
      return `mss ${o.value}`;
    case 'wscale':
      return `wscale ${o.value}`;
    case 'sackOK':
      return 'sackOK';
    case 'sack':
      return `sack ${o.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}`;
    case 'TS':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'fastopen':
      return `${o.exp ? 'FOEXP' : 'FO'}${o.cookie === null ? '' : ` ${o.cookie}`}`;
    case 'unsupported':
      return o.name;
  }
}

/** The script line's packet as packetdrill would print it. */
export function scriptPacketText(ev: PacketEvent): string {
  let s = `${ev.ecn === null ? '' : `[${ev.ecn}] `}${ev.flagsText} ${ev.seq}:${ev.seq + ev.len}(${ev.len})`;
  if (ev.ack !== null) s += ` ack ${ev.ack}`;
  if (ev.win !== null) s += ` win ${ev.win}`;
  if (ev.options === null) s += ' <...>';
  else if (ev.options.length > 0) s += ` <${ev.options.map(optionText).join(',')}>`;
  return s;
}

/** The engine's segment in script numbers (its ISN subtracted). */
export function actualPacketText(seg: Segment, flow: Flow): string {
  return formatSegment(seg, { seq: flow.localOffset, ack: seg.flags & SYN ? 0 : flow.remoteOffset });
}

/**
 * What an outbound packet teaches before it is compared: the engine's ISN (first SYN / SYN-ACK
 * after a connect or an injected SYN) and the script→live TS val pairs for later TS ecr rewriting.
 */
export function learnFromOutbound(ev: PacketEvent, seg: Segment, flow: Flow): void {
  if (flow.learnIsn && ev.flags & SYN && seg.flags & SYN) {
    // The engine's ISN is 0 in script numbers whatever the script writes on its SYN (packetdrill
    // does not check the random ISN: `> S. 1234:1234(0)` is answered `< . 1:1(0) ack 1`).
    flow.localOffset = seg.seq >>> 0;
    flow.learnIsn = false;
  }
  if (seg.flags & SYN) flow.engineTs = seg.options?.timestamp !== undefined;
  // our SYN-ACK: the peer's later numbers are relative to the SYN it answers
  if ((seg.flags & (SYN | ACK)) === (SYN | ACK)) flow.remoteOffset = flow.peerIsn;
  const scriptTs = ev.options?.find((o) => o.kind === 'TS');
  const liveTs = seg.options?.timestamp;
  if (scriptTs !== undefined && scriptTs.kind === 'TS' && liveTs !== undefined) {
    flow.tsVals.set(scriptTs.val, liveTs.val);
    flow.firstTs ??= { script: scriptTs.val, live: liveTs.val };
  }
}

export interface MatchConfig {
  /** --tcp_ts_tick_usecs: 0 leaves TS val unchecked. */
  tsTickUsecs: number;
  toleranceUsecs: number;
}

/** The first field that differs, in words, or null when the segment is what the script expects. */
export function compareOutbound(ev: PacketEvent, seg: Segment, flow: Flow, cfg: MatchConfig): string | null {
  if (seg.flags !== ev.flags)
    return `flags: expected ${ev.flagsText === '-' ? '-' : formatFlags(ev.flags)}, got ${formatFlags(seg.flags) || '-'}`;
  const seq = (seg.seq - flow.localOffset) >>> 0;
  if (seq !== ev.seq && !(seg.flags & SYN)) return `seq: expected ${ev.seq}, got ${seq}`;
  // packetdrill compares the raw ack field; tcplab's records leave it undefined without ACK, so only ACK segments are compared.
  const ack = (seg.flags & SYN ? seg.ack : seg.ack - flow.remoteOffset) >>> 0;
  if (seg.flags & ACK && ack !== (ev.ack ?? 0)) return `ack: expected ${ev.ack ?? 0}, got ${ack}`;
  if (ev.win !== null && seg.window !== ev.win) return `window: expected ${ev.win}, got ${seg.window}`;
  if (seg.urgent !== ev.urg) return `urgent pointer: expected ${ev.urg}, got ${seg.urgent}`;
  if (seg.len !== ev.len) return `payload length: expected ${ev.len}, got ${seg.len}`;
  if (ev.options === null) return null;
  const want = ev.options.map(optionText);
  const text = formatOptions(seg, { seq: 0, ack: flow.remoteOffset });
  const got = text === '' ? [] : text.split(',');
  const bad = `options: expected <${want.join(',')}>, got <${got.join(',')}>`;
  if (want.length !== got.length) return bad;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('TS ') && g.startsWith('TS ')) {
      if (cfg.tsTickUsecs > 0 && flow.firstTs !== null) {
        const o = ev.options[i]!;
        const liveVal = seg.options!.timestamp!.val;
        const mapped = (flow.firstTs.script + (liveVal - flow.firstTs.live)) >>> 0;
        if (o.kind === 'TS' && Math.abs((mapped - o.val) << 0) * cfg.tsTickUsecs > cfg.toleranceUsecs) {
          return `TS val: expected ${o.val}, got ${mapped} (tolerance ${cfg.toleranceUsecs} us at ${cfg.tsTickUsecs} us per tick)`;
        }
      }
      continue;
    }
    if (w !== g) return bad;
  }
  return null;
}
