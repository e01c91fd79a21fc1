/**
 * TCP Fast Open server cookies as Linux makes them (net/ipv4/tcp_fastopen.c,
 * __tcp_fastopen_cookie_gen_cipher): SipHash-2-4 keyed by the 128-bit Fast Open key, over the
 * SYN's IPv4 source and destination addresses (8 bytes, network order), the 64-bit result stored
 * little-endian as an 8-byte cookie (TCP_FASTOPEN_COOKIE_SIZE). RFC 7413 4.1.1 leaves the
 * algorithm to the server; matching Linux bit for bit lets packetdrill scripts that hard-code
 * cookies pass.
 *
 * Keys are written as Linux's net.ipv4.tcp_fastopen_key / TCP_FASTOPEN_KEY text, four 32-bit hex
 * words "a0bf63f7-ed803d81-cd641d30-cebc4a90", optionally followed by a backup key
 * (proc_tcp_fastopen_key): a cookie made with either validates (primary first), new cookies come
 * from the primary (tcp_fastopen_cookie_gen_check).
 *
 * Cold path (one hash per SYN carrying the option at a Fast Open listener), so BigInt is fine.
 */

const MASK = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK;
}

/** One SipHash key: the two 64-bit halves. */
export interface SipKey {
  k0: bigint;
  k1: bigint;
}

/** SipHash-2-4 of `data` (Aumasson & Bernstein 2012), as Linux siphash(). */
export function siphash24(data: Uint8Array, key: SipKey): bigint {
  let v0 = 0x736f6d6570736575n ^ key.k0;
  let v1 = 0x646f72616e646f6dn ^ key.k1;
  let v2 = 0x6c7967656e657261n ^ key.k0;
  let v3 = 0x7465646279746573n ^ key.k1;
  const round = (): void => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n);
    v1 ^= v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n);
    v3 ^= v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n);
    v3 ^= v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n);
    v1 ^= v2;
    v2 = rotl(v2, 32n);
  };
  const n = data.length;
  const whole = n - (n % 8);
  const compress = (m: bigint): void => {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  };
  for (let i = 0; i < whole; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(data[i + j]!);
    compress(m);
  }
  let last = BigInt(n & 255) << 56n;
  for (let j = n - whole - 1; j >= 0; j--) last |= BigInt(data[whole + j]!) << BigInt(8 * j);
  compress(last);
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

/**
 * Parses "w0-w1-w2-w3[,w4-w5-w6-w7]" (Linux proc_tcp_fastopen_key): the primary key and, when
 * given, the backup. Each word is stored little-endian, so k0 = w0 | w1 << 32. Null when malformed.
 */
export function parseFastOpenKeys(text: string): SipKey[] | null {
  const parts = text.trim().split(',');
  if (parts.length < 1 || parts.length > 2) return null;
  const keys: SipKey[] = [];
  for (const p of parts) {
    const w = p.split('-');
    if (w.length !== 4 || !w.every((x) => /^[0-9a-fA-F]{1,8}$/.test(x))) return null;
    const v = w.map((x) => BigInt(`0x${x}`));
    keys.push({ k0: v[0]! | (v[1]! << 32n), k1: v[2]! | (v[3]! << 32n) });
  }
  return keys;
}

/**
 * TCP_FASTOPEN_KEY's raw bytes (16: the primary key, 32: primary then backup; Linux
 * tcp_setsockopt) as the sysctl's text: each 4 bytes one little-endian word, as
 * proc_tcp_fastopen_key prints them. Null for any other length (Linux: EINVAL).
 */
export function keysTextFromBytes(b: Uint8Array): string | null {
  if (b.length !== 16 && b.length !== 32) return null;
  const keys: string[] = [];
  for (let k = 0; k < b.length; k += 16) {
    const words: string[] = [];
    for (let w = 0; w < 16; w += 4) {
      const v = (b[k + w]! | (b[k + w + 1]! << 8) | (b[k + w + 2]! << 16) | (b[k + w + 3]! << 24)) >>> 0;
      words.push(v.toString(16).padStart(8, '0'));
    }
    keys.push(words.join('-'));
  }
  return keys.join(',');
}

/** getsockopt(TCP_FASTOPEN_KEY): the keys' raw bytes, 16 per key (tcp_fastopen_get_cipher). */
export function keyBytes(keys: readonly SipKey[]): Uint8Array {
  const out = new Uint8Array(16 * keys.length);
  keys.forEach((key, i) => {
    for (let j = 0; j < 8; j++) {
      out[16 * i + j] = Number((key.k0 >> BigInt(8 * j)) & 255n);
      out[16 * i + 8 + j] = Number((key.k1 >> BigInt(8 * j)) & 255n);
    }
  });
  return out;
}

/** Linux's 16 raw key bytes (TCP_FASTOPEN_KEY setsockopt, little-endian halves) as a key. */
export function keyFromBytes(b: Uint8Array): SipKey {
  let k0 = 0n;
  let k1 = 0n;
  for (let j = 7; j >= 0; j--) {
    k0 = (k0 << 8n) | BigInt(b[j] ?? 0);
    k1 = (k1 << 8n) | BigInt(b[8 + j] ?? 0);
  }
  return { k0, k1 };
}

/** The 8-byte cookie for a SYN from `src` to `dst` (IPv4 as unsigned 32-bit integers). */
export function fastOpenCookie(src: number, dst: number, key: SipKey): Uint8Array {
  const d = new Uint8Array(8);
  d[0] = src >>> 24;
  d[1] = (src >>> 16) & 255;
  d[2] = (src >>> 8) & 255;
  d[3] = src & 255;
  d[4] = dst >>> 24;
  d[5] = (dst >>> 16) & 255;
  d[6] = (dst >>> 8) & 255;
  d[7] = dst & 255;
  let h = siphash24(d, key);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(h & 255n);
    h >>= 8n;
  }
  return out;
}

/**
 * Which key made `cookie` for this SYN: 1 the primary, 2 the backup, 0 none
 * (tcp_fastopen_cookie_gen_check).
 */
export function checkFastOpenCookie(cookie: Uint8Array, src: number, dst: number, keys: readonly SipKey[]): number {
  if (cookie.length !== 8) return 0;
  for (let i = 0; i < keys.length; i++) {
    const want = fastOpenCookie(src, dst, keys[i]!);
    let same = true;
    for (let j = 0; j < 8; j++) if (want[j] !== cookie[j]) same = false;
    if (same) return i + 1;
  }
  return 0;
}

/** Lower-case hex, as packetdrill prints cookies. */
export function cookieHex(c: Uint8Array): string {
  let s = '';
  for (let i = 0; i < c.length; i++) s += c[i]!.toString(16).padStart(2, '0');
  return s;
}
