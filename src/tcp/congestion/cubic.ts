/**
 * CUBIC (RFC 9438) as Linux's tcp_cubic.c computes it, in Linux's integer units: the window
 * follows W(t) = C·(t − K)³ + W_max from the last reduction (bictcp_update, with the cube root of
 * cubic_root and time in 1/1024 s), never slower than Reno would grow ("TCP friendliness"), with
 * beta 717/1024 and fast convergence. HyStart (hystart_update) ends slow start early when ACKs
 * of one round arrive as a train longer than half the minimum delay, or when the round's
 * minimum RTT rose by a clamped eighth of the minimum delay. Recovery arithmetic (inflation,
 * partial ACKs) is the engine's, shared with Reno (newreno.ts); CUBIC decides the ssthresh.
 */
import type { Nanos } from '../../sim/time.ts';
import type { CcView } from './cc.ts';
import { NewReno } from './newreno.ts';
import { tickNs } from '../timer-wheel.ts';

const BICTCP_BETA_SCALE = 1024;
/** Time unit of the cubic function: 2^10 per second. */
const BICTCP_HZ = 10;
const BETA = 717;
const BIC_SCALE = 41;
/** beta_scale = 8·(1024 + beta) / 3 / (1024 − beta): Reno-equivalent growth (cubictcp_register). */
const BETA_SCALE = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3) / (BICTCP_BETA_SCALE - BETA));
/** 1024·C/RTT with C = 0.4 and the constant RTT of 100 ms. */
const CUBE_RTT_SCALE = BIC_SCALE * 10;
/** 2^40 / (bic_scale · 10): K = cbrt(cube_factor · (W_max − cwnd)). */
const CUBE_FACTOR = Math.floor(2 ** (10 + 3 * BICTCP_HZ) / (BIC_SCALE * 10));

const HYSTART_LOW_WINDOW = 16;
const HYSTART_ACK_DELTA_US = 2000;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN_US = 4000;
const HYSTART_DELAY_MAX_US = 16000;
/** sk_gso_max_size (GSO_LEGACY_MAX_SIZE), for hystart_ack_delay. */
const GSO_MAX_SIZE = 65536;

/** cbrt(x << 18) − 1 for x in 0..63, "refined by hand" (Linux cubic_root's table). */
const CBRT_TABLE = [
  0, 54, 54, 54, 118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156, 157, 161, 164, 168, 170, 173, 176, 179,
  181, 185, 187, 190, 192, 194, 197, 199, 200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227,
  229, 231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
];

/** Position of the most significant bit, 1-based (Linux fls64); 0 for 0. */
function fls(a: number): number {
  let b = 0;
  while (a >= 1) {
    a = Math.floor(a / 2);
    b++;
  }
  return b;
}

/** Linux cubic_root: a table lookup and one Newton-Raphson step (about 0.2 % error), integers. */
export function cubicRoot(a: number): number {
  let b = fls(a);
  if (b < 7) return (CBRT_TABLE[a]! + 35) >> 6;
  b = ((b * 84) >> 8) - 1;
  const shift = Math.floor(a / 2 ** (b * 3));
  let x = Math.floor(((CBRT_TABLE[shift]! + 10) * 2 ** b) / 64);
  x = 2 * x + Math.floor(a / (x * (x - 1)));
  return Math.floor((x * 341) / 1024);
}

export class Cubic extends NewReno {
  override readonly name = 'cubic';
  /** Segments acknowledged per one-segment increase (ca->cnt). */
  private cnt = 0;
  private lastMaxCwnd = 0;
  private lastCwnd = 0;
  private lastTime = 0;
  private originPoint = 0;
  /** K, in 1/1024 s. */
  private k = 0;
  /** Minimum RTT seen, µs (0: none yet). */
  private delayMin = 0;
  /** Start of the current epoch in jiffies (0: no epoch; Linux uses 0 the same way). */
  private epochStart = 0;
  private ackCnt = 0;
  /** The window Reno would have (ca->tcp_cwnd). */
  private tcpCwnd = 0;
  // HyStart: the round (from roundStart until SND.UNA passes endSeq), µs clock.
  private found = false;
  private roundStart = 0;
  private endSeq = 0;
  private lastAck = 0;
  private currRtt = Infinity;
  private sampleCnt = 0;
  private roundStarted = false;
  /** Nanoseconds per jiffy (Linux TICK_NSEC) and the host's jiffies phase (timer-wheel.ts). */
  private readonly tick: Nanos;

  /**
   * `hz`, `jiffiesOffset`: the host's clock, as its timers read it: tcp_jiffies32 ticks at HZ,
   * which sets both the cubic function's time resolution and its once-per-HZ/32 update.
   */
  /**
   * `pacedQdisc`: the host paces (sk_pacing_status is not SK_PACING_NONE), so HyStart's ACK-train
   * threshold is not halved (hystart_update).
   */
  constructor(
    initialWindow: number,
    private readonly hz = 1000,
    private readonly jiffiesOffset = 0,
    private readonly pacedQdisc = false,
  ) {
    super(initialWindow);
    this.tick = tickNs(hz);
  }

  /** tcp_jiffies32 at `now`. */
  private jiffies(now: Nanos): number {
    return Math.floor((now + this.jiffiesOffset) / this.tick);
  }

  /** usecs_to_jiffies: rounded up. */
  private usToJiffies(us: number): number {
    return Math.ceil((us * 1000) / this.tick);
  }

  override onAck(acked: number, cwndLimited: boolean, now: Nanos): void {
    if (!cwndLimited || acked <= 0) return;
    if (this.cwnd < this.ssthresh) {
      acked = this.slowStart(acked);
      if (acked === 0) return;
    }
    this.update(acked, this.jiffies(now));
    this.congAvoidAi(this.cnt, acked);
  }

  /** bictcp_update: ca->cnt for the current point of the cubic curve. */
  private update(acked: number, jiffies: number): void {
    const cwnd = this.cwnd;
    this.ackCnt += acked;
    if (this.lastCwnd === cwnd && jiffies - this.lastTime <= this.hz / 32) return;
    // The cubic function updates cnt at most once per jiffy.
    if (!(this.epochStart !== 0 && jiffies === this.lastTime)) {
      this.lastCwnd = cwnd;
      this.lastTime = jiffies;
      if (this.epochStart === 0) {
        this.epochStart = jiffies === 0 ? 1 : jiffies;
        this.ackCnt = acked;
        this.tcpCwnd = cwnd;
        if (this.lastMaxCwnd <= cwnd) {
          this.k = 0;
          this.originPoint = cwnd;
        } else {
          this.k = cubicRoot(CUBE_FACTOR * (this.lastMaxCwnd - cwnd));
          this.originPoint = this.lastMaxCwnd;
        }
      }
      let t = jiffies - this.epochStart + this.usToJiffies(this.delayMin);
      t = Math.floor((t * 2 ** BICTCP_HZ) / this.hz);
      const offs = t < this.k ? this.k - t : t - this.k;
      const delta = Math.floor((CUBE_RTT_SCALE * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ));
      const target = t < this.k ? this.originPoint - delta : this.originPoint + delta;
      this.cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
      // The initial growth may be too conservative while the bandwidth is unknown: 5 % per RTT.
      if (this.lastMaxCwnd === 0 && this.cnt > 20) this.cnt = 20;
    }
    // TCP friendliness: never slower than Reno with the same beta would be.
    const perSeg = Math.floor((cwnd * BETA_SCALE) / 8);
    while (this.ackCnt > perSeg && perSeg > 0) {
      this.ackCnt -= perSeg;
      this.tcpCwnd++;
    }
    if (this.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (this.tcpCwnd - cwnd));
      if (this.cnt > maxCnt) this.cnt = maxCnt;
    }
    // At most one segment per two acknowledged: 1.5x per RTT.
    if (this.cnt < 2) this.cnt = 2;
  }

  /** cubictcp_recalc_ssthresh: W_max (with fast convergence) and beta 0.7 of the window. */
  protected override lossSsthresh(_flight: number): number {
    const cwnd = this.cwnd;
    this.epochStart = 0;
    if (cwnd < this.lastMaxCwnd)
      this.lastMaxCwnd = Math.floor((cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
    else this.lastMaxCwnd = cwnd;
    return Math.max(Math.floor((cwnd * BETA) / BICTCP_BETA_SCALE), 2);
  }

  override onTimeout(flight: number, v: CcView, now: Nanos, reduce = true): void {
    super.onTimeout(flight, v, now, reduce);
    // cubictcp_state(TCP_CA_Loss): a fresh start, HyStart included.
    this.cnt = this.lastMaxCwnd = this.lastCwnd = this.lastTime = this.originPoint = this.k = 0;
    this.delayMin = this.epochStart = this.ackCnt = this.tcpCwnd = 0;
    this.found = false;
    this.hystartReset(v, now);
  }

  /** CA_EVENT_TX_START after an application-limited idle period: shift the epoch, keep the curve. */
  override onTxStart(idle: Nanos, now: Nanos): void {
    const jiffies = this.jiffies(now);
    const delta = jiffies - this.jiffies(now - idle);
    if (this.epochStart !== 0 && delta > 0) {
      this.epochStart += delta;
      if (this.epochStart > jiffies) this.epochStart = jiffies;
    }
  }

  /** cubictcp_acked: the minimum delay, and HyStart while in slow start. `rtt` < 0: no sample. */
  override onAckSample(v: CcView, rtt: Nanos, now: Nanos): void {
    if (rtt < 0) return;
    // Discard delay samples right after a reduction (epoch younger than one second).
    if (this.epochStart !== 0 && this.jiffies(now) - this.epochStart < this.hz) return;
    let delay = Math.floor(rtt / 1000);
    if (delay === 0) delay = 1;
    if (this.delayMin === 0 || this.delayMin > delay) this.delayMin = delay;
    if (!this.found && this.cwnd < this.ssthresh) this.hystartUpdate(v, delay, now);
  }

  private hystartReset(v: CcView, now: Nanos): void {
    this.roundStart = this.lastAck = Math.floor(now / 1000);
    this.endSeq = v.sndNxt;
    this.currRtt = Infinity;
    this.sampleCnt = 0;
    this.roundStarted = true;
  }

  /** hystart_update: ACK-train and delay-increase detection of the slow-start exit point. */
  private hystartUpdate(v: CcView, delay: number, now: Nanos): void {
    // A round ends when SND.UNA passes the SND.NXT of its start (the first round starts at init).
    if (!this.roundStarted || ((v.sndUna - this.endSeq) | 0) > 0) this.hystartReset(v, now);
    if (this.cwnd < HYSTART_LOW_WINDOW) return;
    const us = Math.floor(now / 1000);
    if (us - this.lastAck <= HYSTART_ACK_DELTA_US) {
      this.lastAck = us;
      // hystart_ack_delay: TSO/GRO cushion from the pacing rate (200 % of cwnd·MSS/SRTT in slow
      // start, tcp_update_pacing_rate), at most 1 ms; the sum halved when the host does not pace.
      const srttUs = v.rtt.srtt / 1000;
      const rate = srttUs > 0 ? (2 * v.mss * Math.max(this.cwnd, v.packetsOut) * 1e6) / srttUs : Infinity;
      const ackDelay = Math.min(1000, Math.floor((GSO_MAX_SIZE * 4 * 1e6) / rate));
      let threshold = this.delayMin + ackDelay;
      if (!this.pacedQdisc) threshold >>= 1;
      if (us - this.roundStart > threshold) {
        this.found = true;
        this.ssthresh = this.cwnd;
      }
    }
    if (this.currRtt > delay) this.currRtt = delay;
    if (this.sampleCnt < HYSTART_MIN_SAMPLES) {
      this.sampleCnt++;
    } else {
      const d = this.delayMin >> 3;
      const thresh =
        d < HYSTART_DELAY_MIN_US ? HYSTART_DELAY_MIN_US : d > HYSTART_DELAY_MAX_US ? HYSTART_DELAY_MAX_US : d;
      if (this.currRtt > this.delayMin + thresh) {
        this.found = true;
        this.ssthresh = this.cwnd;
      }
    }
  }
}
