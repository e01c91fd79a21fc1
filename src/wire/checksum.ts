/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * the data taken as big-endian 16-bit words, an odd final byte padded with a zero byte.
 * IPv4 (RFC 791 3.1), TCP (RFC 9293 3.1) and UDP (RFC 768) all use it.
 */

/**
 * Adds bytes[start, end) as big-endian 16-bit words to a running 32-bit sum (not folded, not
 * complemented). `start` must be even relative to the checksummed block, so chain only at even
 * offsets; a final odd byte counts as its high half (RFC 1071 4.1).
 */
export function sumWords(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  for (; i < evenEnd; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  // Fold now and then so the running sum stays a small integer whatever the length.
  return (sum & 0xffff) + (sum >>> 16);
}

/** Folds a running sum into 16 bits and complements it: the value written into a header. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Sum of the IPv4 pseudo-header TCP and UDP include (RFC 9293 3.1, RFC 768):
 * source address, destination address, zero, protocol, transport length.
 */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/** Checksum of bytes[start, end): 0 when the block already holds a correct checksum field. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return finishChecksum(sumWords(bytes, start, end, initial));
}
