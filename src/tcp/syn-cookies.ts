/**
 * SYN cookies as Linux computes them (net/ipv4/syncookies.c): the listener keeps no state for a
 * SYN and instead encodes what it needs in its ISN, then rebuilds the connection from the final
 * ACK (cookie = ack - 1, peer ISN = seq - 1).
 *
 *   ISN = H0(4-tuple) + peerISN + (count << 24) + ((H1(4-tuple, count) + mssIndex) mod 2^24)
 *
 * where count is a time counter that steps every 60 s (TCP_SYNCOOKIE_PERIOD) and a cookie is
 * accepted while the counter has moved by less than MAX_SYNCOOKIE_AGE = 2. The MSS index points
 * into {536, 1300, 1440, 1460}. When the peer sent timestamps, window scale and SACK-permitted
 * are kept in the low 6 bits of our TSval (cookie_init_timestamp) and read back from the TSecr of
 * the final ACK (cookie_timestamp_decode); without timestamps they are lost.
 *
 * The keyed hash is HalfSipHash-1-3 over four 32-bit words, as Linux's hsiphash: cheap 32-bit
 * arithmetic, keyed from the host's seeded stream so runs stay deterministic.
 */
import { SEC, type Nanos } from '../sim/time.ts';

/** Linux msstab: the MSS values a cookie can carry, by index (2 bits). */
export const COOKIE_MSS: readonly number[] = [536, 1300, 1440, 1460];
/** TCP_SYNCOOKIE_PERIOD: the cookie time counter steps every 60 s. */
export const COOKIE_PERIOD: Nanos = 60 * SEC;
/** MAX_SYNCOOKIE_AGE: a cookie is valid while the counter moved by 0 or 1. */
export const COOKIE_MAX_AGE = 2;
/** TCP_SYNCOOKIE_VALID: cookies are checked only this long after the last SYN-queue overflow. */
export const COOKIE_VALID: Nanos = COOKIE_MAX_AGE * COOKIE_PERIOD;

const COOKIE_BITS = 24;
const COOKIE_MASK = (1 << COOKIE_BITS) - 1;

/** Options kept in a timestamp cookie's low bits (TSBITS = 6). */
const TS_BITS = 6;
const TS_OPT_WSCALE_MASK = 0xf;
const TS_OPT_SACK = 0x10;
const TS_OPT_ECN = 0x20;

/** Two 64-bit HalfSipHash keys (Linux's syncookie_secret[2]), as four 32-bit words each pair. */
export class CookieSecret {
  constructor(
    private readonly k0a: number,
    private readonly k0b: number,
    private readonly k1a: number,
    private readonly k1b: number,
  ) {}

  /** A secret drawn from a seeded stream: `next()` yields uint32 values. */
  static from(next: () => number): CookieSecret {
    return new CookieSecret(next(), next(), next(), next());
  }

  /** cookie_hash(saddr, daddr, sport, dport, count, c): keyed hash of the 4-tuple and counter. */
  hash(saddr: number, daddr: number, sport: number, dport: number, count: number, c: 0 | 1): number {
    return c === 0
      ? halfSipHash4(this.k0a, this.k0b, saddr, daddr, ((sport << 16) | dport) >>> 0, count)
      : halfSipHash4(this.k1a, this.k1b, saddr, daddr, ((sport << 16) | dport) >>> 0, count);
  }
}

/** The cookie time counter at `now` (tcp_cookie_time). */
export function cookieTime(now: Nanos): number {
  return Math.floor(now / COOKIE_PERIOD);
}

/** Index of the largest table MSS not above `mss` (0 when even 536 is too big, as Linux). */
export function cookieMssIndex(mss: number): number {
  let i = COOKIE_MSS.length - 1;
  while (i > 0 && mss < COOKIE_MSS[i]!) i--;
  return i;
}

/**
 * secure_tcp_syn_cookie: the ISN for a SYN from saddr:sport to daddr:dport with peer ISN `sseq`.
 */
export function makeCookie(
  secret: CookieSecret,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  sseq: number,
  mssIndex: number,
  now: Nanos,
): number {
  const count = cookieTime(now);
  const h0 = secret.hash(saddr, daddr, sport, dport, 0, 0);
  const h1 = secret.hash(saddr, daddr, sport, dport, count, 1);
  return (h0 + sseq + ((count << COOKIE_BITS) >>> 0) + ((h1 + mssIndex) & COOKIE_MASK)) >>> 0;
}

/**
 * check_tcp_syn_cookie + __cookie_v4_check on a final ACK: returns the MSS the cookie carries, or
 * 0 when it is forged or expired. `ack` and `seq` are the ACK's fields as received.
 */
export function checkCookie(
  secret: CookieSecret,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  now: Nanos,
): number {
  const cookie = (ack - 1) >>> 0;
  const sseq = (seq - 1) >>> 0;
  const count = cookieTime(now);
  const stripped = (cookie - secret.hash(saddr, daddr, sport, dport, 0, 0) - sseq) >>> 0;
  const diff = (count - (stripped >>> COOKIE_BITS)) & (0xffffffff >>> COOKIE_BITS);
  if (diff >= COOKIE_MAX_AGE) return 0;
  const data = (stripped - secret.hash(saddr, daddr, sport, dport, (count - diff) >>> 0, 1)) & COOKIE_MASK;
  return data < COOKIE_MSS.length ? COOKIE_MSS[data]! : 0;
}

/**
 * cookie_init_timestamp: our TSval with the peer's window scale (0xf = none), SACK-permitted and
 * ECN in its low 6 bits, never later than the clock.
 */
export function cookieTimestamp(tsNow: number, peerWscale: number, sackOk: boolean, ecnOk = false): number {
  let options = peerWscale >= 0 ? peerWscale & TS_OPT_WSCALE_MASK : TS_OPT_WSCALE_MASK;
  if (sackOk) options |= TS_OPT_SACK;
  if (ecnOk) options |= TS_OPT_ECN;
  let ts = (((tsNow >>> TS_BITS) << TS_BITS) | options) >>> 0;
  if (ts > tsNow >>> 0) ts = (ts - (1 << TS_BITS)) >>> 0;
  return ts;
}

/** cookie_timestamp_decode: the options a timestamp cookie carried, read from the ACK's TSecr. */
export function decodeCookieTimestamp(tsecr: number): { wscale: number; sackOk: boolean; ecnOk: boolean } {
  const w = tsecr & TS_OPT_WSCALE_MASK;
  return {
    wscale: w === TS_OPT_WSCALE_MASK ? -1 : w,
    sackOk: (tsecr & TS_OPT_SACK) !== 0,
    ecnOk: (tsecr & TS_OPT_ECN) !== 0,
  };
}

function rotl(x: number, b: number): number {
  return (x << b) | (x >>> (32 - b));
}

/** HalfSipHash-1-3 of four 32-bit words under key (ka, kb) (Linux hsiphash_4u32). */
function halfSipHash4(ka: number, kb: number, m0: number, m1: number, m2: number, m3: number): number {
  let v0 = ka | 0;
  let v1 = kb | 0;
  let v2 = 0x6c796765 ^ ka;
  let v3 = 0x74656462 ^ kb;
  // One compression round per word (the "1" of 1-3).
  for (let i = 0; i < 5; i++) {
    const m = i === 0 ? m0 : i === 1 ? m1 : i === 2 ? m2 : i === 3 ? m3 : 16 << 24; // last: length
    v3 ^= m;
    v0 = (v0 + v1) | 0;
    v1 = rotl(v1, 5);
    v1 ^= v0;
    v0 = rotl(v0, 16);
    v2 = (v2 + v3) | 0;
    v3 = rotl(v3, 8);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = rotl(v3, 7);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = rotl(v1, 13);
    v1 ^= v2;
    v2 = rotl(v2, 16);
    v0 ^= m;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 3; r++) {
    v0 = (v0 + v1) | 0;
    v1 = rotl(v1, 5);
    v1 ^= v0;
    v0 = rotl(v0, 16);
    v2 = (v2 + v3) | 0;
    v3 = rotl(v3, 8);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = rotl(v3, 7);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = rotl(v1, 13);
    v1 ^= v2;
    v2 = rotl(v2, 16);
  }
  return (v1 ^ v3) >>> 0;
}

/** A keyed 32-bit hash of four words, for other per-host secrets (ISN, port offsets). */
export function keyedHash4(ka: number, kb: number, m0: number, m1: number, m2: number, m3: number): number {
  return halfSipHash4(ka, kb, m0 >>> 0, m1 >>> 0, m2 >>> 0, m3 >>> 0);
}
