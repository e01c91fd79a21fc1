/**
 * The properties of one link (docs/design.md part 2, topology file): shared by explicit `links:` entries
 * and by the generators' link options, so both accept the same keys, defaults and units.
 */
import { MS } from '../sim/time.ts';
import type { BurstLossDef, LinkDef } from '../net/topology-def.ts';
import { MapReader, readMap } from './spec-readers.ts';
import type { PathSegments, Problems } from './errors.ts';

/** What a link gets for each key it leaves out: a short, fast, lossless LAN hop. */
export const LINK_DEFAULTS: LinkDefaults = {
  latency: 1 * MS,
  bandwidth: 1e9,
  loss: 0,
  queue: { packets: 1000 },
  jitter: 0,
  reorder: false,
};

/** Keys a link accepts besides `between`. */
export const LINK_PROP_KEYS = [
  'latency',
  'bandwidth',
  'loss',
  'queue',
  'jitter',
  'reorder',
  'burstLoss',
  'mtu',
] as const;
/** RFC 791: every IPv4 link carries 68-byte packets; the IPv4 total length field caps it at 65535. */
export const MIN_LINK_MTU = 68;
export const BURST_LOSS_KEYS = ['pGoodToBad', 'pBadToGood', 'lossGood', 'lossBad'] as const;

export type LinkProps = Omit<LinkDef, 'a' | 'b'>;

/** Overrides of the link defaults, for generators whose links differ (a slow bottleneck, a fast server link). */
export type LinkDefaults = Pick<LinkProps, 'latency' | 'bandwidth'> & Partial<LinkProps>;

/** Reads the link properties of `r` (whose keys the caller has checked); undefined if any is bad. */
export function readLinkProps(r: MapReader, defaults: LinkDefaults = LINK_DEFAULTS): LinkProps | undefined {
  const before = r.p.count;
  const latency = r.duration('latency', defaults.latency);
  const bandwidth = r.bitRate('bandwidth', defaults.bandwidth);
  const loss = r.probability('loss', defaults.loss ?? 0);
  const queue = r.queue('queue', defaults.queue ?? { packets: 1000 });
  const jitter = r.duration('jitter', defaults.jitter ?? 0);
  const reorder = r.bool('reorder', defaults.reorder ?? false);
  const burstLoss = r.has('burstLoss') ? readBurstLoss(r.p, r.at('burstLoss'), r.obj['burstLoss']) : defaults.burstLoss;
  const mtu = r.has('mtu') ? r.int('mtu', undefined, MIN_LINK_MTU, 65535) : defaults.mtu;
  if (r.p.count !== before) return undefined;
  const props: LinkProps = {
    latency: latency!,
    bandwidth: bandwidth!,
    loss: loss!,
    queue: queue!,
    jitter: jitter!,
    reorder: reorder!,
  };
  if (burstLoss !== undefined) props.burstLoss = burstLoss;
  if (mtu !== undefined) props.mtu = mtu;
  return props;
}

/**
 * The link between a and b with `props` (as read by readLinkProps, whose fields it lists too), its
 * keys in the order `{ a, b, ...props }` gives them. Written out so
 * that they are stored in the object: a spread adds them one by one, past the literal's room, into
 * a separate property array (48 + 64 bytes instead of 88; a group entry makes one per member).
 */
export function linkDef(a: string, b: string, props: LinkProps): LinkDef {
  const def: LinkDef = {
    a,
    b,
    latency: props.latency,
    bandwidth: props.bandwidth,
    loss: props.loss,
    queue: props.queue,
    jitter: props.jitter,
    reorder: props.reorder,
  };
  if (props.burstLoss !== undefined) def.burstLoss = props.burstLoss;
  if (props.mtu !== undefined) def.mtu = props.mtu;
  return def;
}

/** Gilbert–Elliott burst loss: `{ pGoodToBad, pBadToGood, lossGood: 0, lossBad: 1 }`. */
function readBurstLoss(p: Problems, path: PathSegments, v: unknown): BurstLossDef | undefined {
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const r = new MapReader(p, path, obj, BURST_LOSS_KEYS);
  r.require('pGoodToBad', 'probability of entering the bad state per packet');
  r.require('pBadToGood', 'probability of leaving the bad state per packet');
  const pGoodToBad = r.probability('pGoodToBad');
  const pBadToGood = r.probability('pBadToGood');
  const lossGood = r.probability('lossGood', 0);
  const lossBad = r.probability('lossBad', 1);
  if (pGoodToBad === undefined || pBadToGood === undefined || lossGood === undefined || lossBad === undefined)
    return undefined;
  return { pGoodToBad, pBadToGood, lossGood, lossBad };
}
