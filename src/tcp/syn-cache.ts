/**
 * The SYN cache of RFC 4987 3.3, as FreeBSD's syncache: half-open entries are hashed by a keyed
 * hash of the peer's address and port into buckets of at most `bucketSize` entries; a SYN whose
 * bucket is full evicts that bucket's oldest entry (syncache_insert: "toss the oldest element"),
 * so an attacker can only push out entries that share a bucket with its forged sources, and the
 * secret hash keeps it from aiming at a bucket. With cookies on (FreeBSD's default), a full
 * bucket answers with a cookie instead of evicting: the hybrid.
 *
 * Buckets hold row numbers of a RequestTable in arrival order, in one flat Int32Array.
 */
import { keyedHash4 } from './syn-cookies.ts';

/** FreeBSD net.inet.tcp.syncache.hashsize default. */
export const SYN_CACHE_BUCKETS = 512;

export class SynCacheBuckets {
  private readonly slots: Int32Array;
  private readonly counts: Uint16Array;

  constructor(
    readonly buckets: number,
    readonly bucketSize: number,
    private readonly keyA: number,
    private readonly keyB: number,
  ) {
    this.slots = new Int32Array(buckets * bucketSize);
    this.counts = new Uint16Array(buckets);
  }

  /** Total entries the cache can hold. */
  get capacity(): number {
    return this.buckets * this.bucketSize;
  }

  bucketOf(raddr: number, rport: number, laddr: number, lport: number): number {
    return keyedHash4(this.keyA, this.keyB, raddr, laddr, rport, lport) % this.buckets;
  }

  isFull(bucket: number): boolean {
    return this.counts[bucket]! >= this.bucketSize;
  }

  /** The bucket's oldest row (the bucket must not be empty). */
  oldest(bucket: number): number {
    return this.slots[bucket * this.bucketSize]!;
  }

  add(bucket: number, row: number): void {
    const n = this.counts[bucket]!;
    this.slots[bucket * this.bucketSize + n] = row;
    this.counts[bucket] = n + 1;
  }

  remove(bucket: number, row: number): void {
    const base = bucket * this.bucketSize;
    const n = this.counts[bucket]!;
    let i = 0;
    while (i < n && this.slots[base + i] !== row) i++;
    if (i === n) return;
    this.slots.copyWithin(base + i, base + i + 1, base + n);
    this.counts[bucket] = n - 1;
  }
}
