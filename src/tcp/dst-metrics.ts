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
   * Chains by hash, only those in use: a simulated client host talks to one or two servers, and
   * a 16384-slot array per host would cost 128 KiB each in a 10k-host run. The first chain a host
   * uses is held here (a Map costs ~200 bytes even with one entry, and most hosts need only one);
   * `others` holds the rest, made when a second chain is needed.
   */
  private firstHash = -1;
  private first: DstMetricsEntry[] | null = null;
  private others: Map<number, DstMetricsEntry[]> | null = null;
  private count = 0;

  /** The chain of hash `h`, if it was ever used. */
  private chain(h: number): DstMetricsEntry[] | undefined {
    if (h === this.firstHash) return this.first!;
    return this.others?.get(h);
  }

  /** Entries now held. */
  get size(): number {
    return this.count;
  }

  /** The entry for (saddr, daddr), or null (tcp_get_metrics without create); stale values are emptied. */
  lookup(saddr: number, daddr: number, now: Nanos): DstMetricsEntry | null {
    if (this.count === 0) return null;
    const chain = this.chain(chainOf(daddr));
    if (chain === undefined) return null;
    for (let i = 0; i < chain.length; i++) {
      const e = chain[i]!;
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
    };
    this.count++;
    const chain = this.chain(h);
    if (chain === undefined) {
      // a new chain, sized to its one entry (a first write to [] would reserve 17 slots)
      if (this.firstHash === -1) {
        this.firstHash = h;
        this.first = [e];
      } else (this.others ??= new Map()).set(h, [e]);
      return e;
    }
    if (chain.length > RECLAIM_DEPTH) {
      // reclaim: the least recently stamped entry of the chain becomes this destination's
      let oldest = 0;
      for (let i = 1; i < chain.length; i++) if (chain[i]!.stamp < chain[oldest]!.stamp) oldest = i;
      chain.splice(oldest, 1);
      this.count--;
    }
    chain.unshift(e); // Linux links a new block at the head of its chain
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
    const chain = this.chain(chainOf(daddr));
    if (chain === undefined) return;
    for (let i = chain.length - 1; i >= 0; i--) {
      if (chain[i]!.daddr === daddr) {
        chain.splice(i, 1);
        this.count--;
      }
    }
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
