/**
 * The TCP state one host keeps across its connections (Linux: the per-namespace parts of
 * net->ipv4 and the tcp_hashinfo rules): the secrets its keyed hashes use (ISN, TSval offset, SYN
 * cookies, SYN cache, ephemeral ports), its timer wheel's jiffies phase, the connection-state
 * counts (CurrEstab, TIME-WAIT) with the tcp_max_tw_buckets limit, and the rule for letting a new
 * incarnation take a 4-tuple over from TIME-WAIT. The host stack (src/stack) routes segments and
 * owns ports; every TCP rule it used to apply on the way is here.
 */
import { Rng } from '../sim/rng.ts';
import { SEC, type Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import type { TcpParams } from './params.ts';
import { CookieSecret, keyedHash4 } from './syn-cookies.ts';
import { jiffiesOffset } from './timer-wheel.ts';

/** Established and TIME-WAIT counts summed over a group of hosts (HostStack.groupCounts). */
export interface GroupCounts {
  established: number;
  timeWait: number;
}

/** The host's connection-state counts (Linux CurrEstab, sockstat's tw), kept as states change. */
/** TIME-WAIT connections over every host of a world, now and at most at once (HostTcp.timeWaitTotal; metric time_wait.peak_total). */
export interface TimeWaitTotal {
  timeWait: number;
  peak: number;
}

export interface StateCounts {
  established: number;
  timeWait: number;
  timeWaitPeak: number;
}

/** TimeWaitSlot.timeWaitMark: not in TIME-WAIT accounting. */
export const TW_UNCOUNTED = 0;
/** TimeWaitSlot.timeWaitMark: in TIME-WAIT and counted. */
export const TW_COUNTED = 1;
/** TimeWaitSlot.timeWaitMark: over maxTimeWait, the holder destroys the connection once the current engine call returns. */
export const TW_DESTROY = 2;

/** What TIME-WAIT accounting keeps on a connection's holder (the stack's socket). */
export interface TimeWaitSlot {
  /** TW_UNCOUNTED, TW_COUNTED or TW_DESTROY (one small integer: the holder may be one of 10^5). */
  timeWaitMark: number;
}

/** What a takeover reads of a connection in TIME-WAIT (a full Connection or a TimeWaitSock). */
export interface TimeWaitHolder {
  readonly state: TcpState;
  readonly tsOk: boolean;
  readonly tsRecentAt: Nanos;
  readonly sndMax: number;
  /** Silently to CLOSED (FREED follows). */
  destroy(now: Nanos): void;
}

/**
 * The ISS of a new incarnation of a 4-tuple taken over from TIME-WAIT: above everything the old
 * one sent, so its segments can never be mistaken for the new one's (Linux tcp_twsk_unique and
 * tcp_timewait_state_process: tw_snd_nxt + 65535 + 2; 0 is avoided, it means "pick one").
 */
export function nextIncarnationIss(sndMax: number): number {
  const isn = (sndMax + 65535 + 2) >>> 0;
  return isn === 0 ? 1 : isn;
}

/**
 * Where each secret starts in a host's "host:<name>:tcp-secrets" stream, in 32-bit words, in the
 * order they are drawn: the cookie secret is four words, the others two each.
 */
const SECRET_AT = { cookieSecret: 0, isnKey: 4, tsKey: 6, cacheKey: 8, portKey: 10 } as const;

export class HostTcp {
  /** The host's parameters with its jiffies phase (timer-wheel.ts) filled in; a sysctl write replaces them. */
  params: TcpParams;
  /** Made by the first listen() (`cookieSecret`): most hosts are only clients. */
  private secret: CookieSecret | null = null;
  /** The ephemeral port search's hash key (ephemeral-ports.ts). */
  readonly portKeyA: number;
  readonly portKeyB: number;
  /** Sums over the host's group, kept as they change (set by the experiment's time series), or null. */
  groupCounts: GroupCounts | null = null;
  /** The world-wide TIME-WAIT count this host adds to (set by whoever builds the world), or null. */
  timeWaitTotal: TimeWaitTotal | null = null;
  // Secret key words as signed 32-bit integers (small integers, never boxed); the keyed hashes
  // read them modulo 2^32, so the values are the uint32 words the stream produced.
  private readonly isnKeyA: number;
  private readonly isnKeyB: number;
  private readonly tsKeyA: number;
  private readonly tsKeyB: number;

  /**
   * `seed` and `hostName` name the random streams: the secrets ("host:<name>:tcp-secrets") and
   * the jiffies phase ("jiffies" for one run-wide clock, "host:<name>:jiffies" per host).
   * `counts` is the object the host reports its counts in (its stats), updated in place.
   */
  constructor(
    params: TcpParams,
    private readonly seed: number,
    private readonly hostName: string,
    readonly counts: StateCounts,
  ) {
    const offset = jiffiesOffset(params, (scope) =>
      new Rng(seed, scope === 'run' ? 'jiffies' : `host:${hostName}:jiffies`).float(),
    );
    this.params = withJiffiesOffset(params, offset);
    // Drawn from one stream in the fixed order of SECRET_AT; nothing here outlives the constructor
    // but the words. (No closure over the stream: a function object per host, and its name, add
    // up.) The words only listeners use (SYN cookie secret, SYN cache key) are drawn when first
    // asked for (cookieSecret, cacheKey), from a fresh copy of the stream: the same words.
    const rng = this.secretStream(SECRET_AT.isnKey);
    this.isnKeyA = rng.nextU32() | 0;
    this.isnKeyB = rng.nextU32() | 0;
    this.tsKeyA = rng.nextU32() | 0;
    this.tsKeyB = rng.nextU32() | 0;
    skip(rng, SECRET_AT.portKey - SECRET_AT.cacheKey); // the SYN cache key, between the TSval and port keys
    this.portKeyA = rng.nextU32() | 0;
    this.portKeyB = rng.nextU32() | 0;
  }

  /** The "host:<name>:tcp-secrets" stream, at its word `at` (SECRET_AT). */
  private secretStream(at: number): Rng {
    const rng = new Rng(this.seed, `host:${this.hostName}:tcp-secrets`);
    skip(rng, at);
    return rng;
  }

  /** The SYN cookie secret (syn-cookies.ts), made by the first listener that asks. */
  get cookieSecret(): CookieSecret {
    if (this.secret === null) {
      const rng = this.secretStream(SECRET_AT.cookieSecret);
      this.secret = new CookieSecret(rng.nextU32() | 0, rng.nextU32() | 0, rng.nextU32() | 0, rng.nextU32() | 0);
    }
    return this.secret;
  }

  /** RFC 6528 / Linux secure_tcp_seq: a keyed hash of the 4-tuple plus a 64 ns clock. */
  initialSeq(laddr: number, lport: number, raddr: number, rport: number, now: Nanos): number {
    const h = keyedHash4(this.isnKeyA, this.isnKeyB, laddr, raddr, ((lport << 16) | rport) >>> 0, 0);
    return (h + Math.floor(now / 64)) >>> 0;
  }

  /** The ephemeral port search's random stream (ephemeral-ports.ts): a new copy of "host:<name>:ports". */
  portsRng(): Rng {
    return new Rng(this.seed, `host:${this.hostName}:ports`);
  }

  /** A listener's SYN-cache bucket-hash key (listener.ts); made per listen(), most hosts never listen. */
  cacheKey(): [number, number] {
    const rng = this.secretStream(SECRET_AT.cacheKey);
    return [rng.nextU32(), rng.nextU32()];
  }

  /** Linux secure_tcp_ts_off: the TSval offset, a keyed hash of the address pair. */
  tsOffset(laddr: number, raddr: number): number {
    return keyedHash4(this.tsKeyA, this.tsKeyB, laddr, raddr, 0, 0);
  }

  /** CurrEstab (ESTABLISHED and CLOSE_WAIT) follows every transition. */
  countState(from: TcpState, to: TcpState): void {
    const wasEst = from === TcpState.ESTABLISHED || from === TcpState.CLOSE_WAIT;
    const isEst = to === TcpState.ESTABLISHED || to === TcpState.CLOSE_WAIT;
    const g = this.groupCounts;
    if (isEst && !wasEst) {
      this.counts.established++;
      if (g !== null) g.established++;
    } else if (wasEst && !isEst) {
      this.counts.established--;
      if (g !== null) g.established--;
    }
  }

  /**
   * A connection entered TIME-WAIT: counted, or, with maxTimeWait already held, marked for
   * destruction (Linux tcp_time_wait: "TCP: time wait bucket table overflow", the socket closes
   * instead of lingering).
   */
  enterTimeWait(slot: TimeWaitSlot, now: Nanos): void {
    const c = this.counts;
    if (c.timeWait >= this.params.maxTimeWait) {
      slot.timeWaitMark = TW_DESTROY;
      return;
    }
    slot.timeWaitMark = TW_COUNTED;
    if (++c.timeWait > c.timeWaitPeak) c.timeWaitPeak = c.timeWait;
    if (this.groupCounts !== null) this.groupCounts.timeWait++;
    const w = this.timeWaitTotal;
    if (w !== null && ++w.timeWait > w.peak) w.peak = w.timeWait;
  }

  /** A connection left TIME-WAIT (or was freed from it): uncounted, if it was counted. */
  leaveTimeWait(slot: TimeWaitSlot): void {
    if (slot.timeWaitMark !== TW_COUNTED) return;
    slot.timeWaitMark = TW_UNCOUNTED;
    this.counts.timeWait--;
    if (this.groupCounts !== null) this.groupCounts.timeWait--;
    if (this.timeWaitTotal !== null) this.timeWaitTotal.timeWait--;
  }

  /**
   * tcp_tw_reuse (Linux tcp_twsk_unique): may connect() take this 4-tuple over from its holder?
   * Only a TIME-WAIT connection that used timestamps, once a second has passed since its last
   * timestamp (tw_ts_recent_stamp): the peer's PAWS then tells the incarnations apart.
   */
  mayReuse(c: TimeWaitHolder, now: Nanos): boolean {
    return this.params.twReuse && c.state === TcpState.TIME_WAIT && c.tsOk && now - c.tsRecentAt >= 1 * SEC;
  }

  /**
   * Ends a TIME-WAIT for a new incarnation of its 4-tuple and returns the new connection's ISS
   * (nextIncarnationIss). Both takeovers come here: connect() under tcp_tw_reuse (after
   * mayReuse), which destroys the TIME-WAIT connection, and a new SYN the TIME-WAIT accepted
   * (states/time-wait.ts, SegmentVerdict.REOPEN), which has closed itself already.
   */
  takeOverTimeWait(c: TimeWaitHolder, now: Nanos): number {
    const iss = nextIncarnationIss(c.sndMax);
    if (c.state === TcpState.TIME_WAIT) c.destroy(now);
    return iss;
  }

  /** A sysctl written while the host runs: sockets created from now on see it. */
  setSysctls(changes: Partial<TcpParams>): void {
    this.params = { ...this.params, ...changes };
  }
}

/** Draws and forgets `n` words (the stream's order fixes which word is which secret). */
function skip(rng: Rng, n: number): void {
  for (let i = 0; i < n; i++) rng.nextU32();
}

/**
 * `params` with the host's jiffies phase. Hosts sharing one params object and one phase (the
 * default `jiffies: shared`) share one copy too: a copy per host would cost ~0.5 KB each.
 */
const phased = new WeakMap<TcpParams, { offset: number; params: TcpParams }>();
function withJiffiesOffset(params: TcpParams, offset: number): TcpParams {
  if (offset === (params.jiffiesOffset ?? 0)) return params;
  const hit = phased.get(params);
  if (hit !== undefined && hit.offset === offset) return hit.params;
  const copy = { ...params, jiffiesOffset: offset };
  phased.set(params, { offset, params: copy });
  return copy;
}
