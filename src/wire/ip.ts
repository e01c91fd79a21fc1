/** IPv4 addresses as unsigned 32-bit integers, and their dotted text form. */

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Parses "198.18.0.0/15" into its base address and size; null if malformed. */
export function parseCidr(text: string): { base: number; prefix: number; size: number } | null {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const addr = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === null || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const base = prefix === 0 ? 0 : (addr - (addr % size)) >>> 0;
  return { base, prefix, size };
}
