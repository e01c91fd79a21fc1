/**
 * A host's per-destination TCP metrics cache, as Linux's tcp_metrics (net/ipv4/tcp_metrics.c):
 * what past connections to an address learned (RTT, RTT variance, ssthresh, cwnd, reordering)
 * and the Fast Open client state (MSS, cookie, SYN losses). Connections write it when they close
 * (tcp_update_metrics, in metrics-sync.ts) and read it when they are set up (tcp_init_metrics);
 * a listener asks it whether a SYN's source is a proven peer (tcp_peer_is_proven).
 *
 * The shape is Linux's: a hash of the destination address into 16384 chains (the size a host
 * with at least 512 MiB of memory gets), each chain holding up to 6 entries; a new destination
 * finding its chain full takes over the entry used least recently (tcpm_new with reclaim). An
 * entry not updated for an hour is reset to empty values when next read (tcpm_check_stamp).
 * So memory is bounded by the table, never by the number of peers (a spoofed SYN flood adds
 * nothing: only connections that close create entries).
 *
 * Times are ns. RTT and RTT variance are kept unscaled (Linux keeps srtt << 3 and mdev << 2 in
 * microseconds; the arithmetic below is the same rule in plain units).
 */
import { SEC, type Nanos } from '../sim/time.ts';

/** Linux TCP_METRICS_TIMEOUT: an entry older than this is emptied when read. */
export const METRICS_TIMEOUT: Nanos = 3600 * SEC;
/** Linux tcp_metrics_hash_log for totalram >= 128k pages: 16384 chains. */
const HASH_LOG = 14;
/** Linux TCP_METRICS_RECLAIM_DEPTH: a chain longer than this recycles its oldest entry. */
const RECLAIM_DEPTH = 5;

/** One destination's block (struct tcp_metrics_block). */
export interface DstMetricsEntry {
  readonly saddr: number;
  readonly daddr: number;
  /** Last update (tcpm_stamp). */
  stamp: Nanos;
  /** Smoothed RTT and its mean deviation, ns; 0 = none (TCP_METRIC_RTT / RTTVAR). */
  rtt: Nanos;
  rttvar: Nanos;
  /** Slow-start threshold and congestion window, segments; 0 = none. */
  ssthresh: number;
  cwnd: number;
  reordering: number;
  /** Fast Open client cache (struct tcp_fastopen_metrics), null until Fast Open stores something. */
  fastOpen: FastOpenMetrics | null;
  /** The next entry of its chain (tcpm_next), null at the end. */
  next: DstMetricsEntry | null;
}

export interface FastOpenMetrics {
  /** The server's MSS learned with its cookie, 0 = none. */
  mss: number;
  /** The server's Fast Open cookie (4 to 16 bytes), null = none; cookieExp: it came in the experimental option. */
  cookie: Uint8Array | null;
  cookieExp: boolean;
  /** A cookie request went unanswered: 1 try the experimental option next, 2 back to kind 34 (try_exp). */
  tryExp: number;
  /** SYNs with data lost in a row, and when the last was (tcp_fastopen_cache_set). */
  synLoss: number;
  lastSynLoss: Nanos;
}

export class DstMetrics {
  /**
   * Chains by hash, only those in use, each a singly linked list through the entries' `next` (as
   * Linux's tcpm_next): a simulated client host talks to one or two servers, and a 16384-slot
   * array per host would cost 128 KiB each in a 10k-host run. The head of the first chain a host
   * uses is held here (a Map costs ~200 bytes even with one entry, and most hosts need only one);
   * `others` holds the heads of the rest, made when a second chain is needed. A chain emptied by
   * delete() keeps its place (a null head).
   */
  private firstHash = -1;
  private first: DstMetricsEntry | null = null;
  private others: Map<number, DstMetricsEntry | null> | null = null;
  private count = 0;

  /** The head of the chain of hash `h` (null: emptied), or undefined if it was never used. */
  private head(h: number): DstMetricsEntry | null | undefined {
    if (h === this.firstHash) return this.first;
    return this.others?.get(h);
  }

  /** Makes `e` the head of the chain of hash `h` (the first chain used is held apart). */
  private setHead(h: number, e: DstMetricsEntry | null): void {
    if (h === this.firstHash) this.first = e;
    else if (this.firstHash === -1) {
      this.firstHash = h;
      this.first = e;
    } else (this.others ??= new Map()).set(h, e);
  }

  /** Entries now held. */
  get size(): number {
    return this.count;
  }

  /** The entry for (saddr, daddr), or null (tcp_get_metrics without create); stale values are emptied. */
  lookup(saddr: number, daddr: number, now: Nanos): DstMetricsEntry | null {
    if (this.count === 0) return null;
    for (let e = this.head(chainOf(daddr)) ?? null; e !== null; e = e.next) {
      if (e.daddr === daddr && e.saddr === saddr) {
        checkStamp(e, now);
        return e;
      }
    }
    return null;
  }

  /** The entry for (saddr, daddr), created empty if absent (tcp_get_metrics with create, tcpm_new). */
  getOrCreate(saddr: number, daddr: number, now: Nanos): DstMetricsEntry {
    const found = this.lookup(saddr, daddr, now);
    if (found !== null) return found;
    const h = chainOf(daddr);
    let head = this.head(h) ?? null;
    let length = 0;
    for (let x = head; x !== null; x = x.next) length++;
    if (length > RECLAIM_DEPTH) {
      // reclaim: the least recently stamped entry of the chain (the first such) leaves it
      let oldest = head!;
      let beforeOldest: DstMetricsEntry | null = null;
      for (let prev = head!, x = head!.next; x !== null; prev = x, x = x.next) {
        if (x.stamp < oldest.stamp) {
          oldest = x;
          beforeOldest = prev;
        }
      }
      if (beforeOldest === null) head = oldest.next;
      else beforeOldest.next = oldest.next;
      oldest.next = null;
      this.count--;
    }
    const e: DstMetricsEntry = {
      saddr,
      daddr,
      stamp: now,
      rtt: 0,
      rttvar: 0,
      ssthresh: 0,
      cwnd: 0,
      reordering: 0,
      fastOpen: null,
      next: head, // Linux links a new block at the head of its chain
    };
    this.count++;
    this.setHead(h, e);
    return e;
  }

  /**
   * tcp_peer_is_proven: a past connection to this address measured its RTT. A cache that holds
   * no such entry (never filled, flushed, or stale) proves nobody.
   */
  isProven(saddr: number, daddr: number, now: Nanos): boolean {
    if (this.count === 0) return false;
    const e = this.lookup(saddr, daddr, now);
    return e !== null && e.rtt > 0;
  }

  /** `ip tcp_metrics flush [all]`: forget every destination. */
  flush(): void {
    this.firstHash = -1;
    this.first = null;
    this.others = null;
    this.count = 0;
  }

  /** `ip tcp_metrics delete ADDRESS`: forget one destination (every source address). */
  delete(daddr: number): void {
    const h = chainOf(daddr);
    let head = this.head(h);
    if (head === undefined) return;
    let prev: DstMetricsEntry | null = null;
    for (let x = head; x !== null; ) {
      const next: DstMetricsEntry | null = x.next;
      if (x.daddr === daddr) {
        if (prev === null) head = next;
        else prev.next = next;
        x.next = null;
        this.count--;
      } else prev = x;
      x = next;
    }
    this.setHead(h, head);
  }
}

/** tcpm_check_stamp: an hour without an update empties the metrics (tcpm_suck_dst, Fast Open state kept). */
function checkStamp(e: DstMetricsEntry, now: Nanos): void {
  if (now - e.stamp <= METRICS_TIMEOUT) return;
  e.rtt = 0;
  e.rttvar = 0;
  e.ssthresh = 0;
  e.cwnd = 0;
  e.reordering = 0;
  e.stamp = now;
}

/**
 * Linux: hash_32(ipv4_addr_hash(daddr) ^ net_hash_mix(net), log). The address is read as the
 * kernel's u32 holds it, network byte order on a little-endian machine; the namespace mix is 0.
 */
export function chainOf(daddr: number): number {
  const be = ((daddr & 0xff) << 24) | ((daddr & 0xff00) << 8) | ((daddr >>> 8) & 0xff00) | (daddr >>> 24);
  return Math.imul(be, 0x61c88647) >>> (32 - HASH_LOG);
}
