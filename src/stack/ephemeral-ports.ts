/**
 * Ephemeral port choice for connect(), as Linux __inet_hash_connect (RFC 6056 algorithm 4,
 * "double-hash"): the search toward a destination starts at a keyed hash of (local address,
 * remote address, remote port) plus a perturbation counter of that hash's table slot, steps by 2
 * through ports of the starting parity, then the other parity. A port is usable toward a
 * destination unless that exact 4-tuple is taken (TIME-WAIT included, unless tcp_tw_reuse
 * allows taking it over) or a listener owns the port. After a success the slot's counter moves
 * past the chosen port, plus a little randomness (Linux: max(i, random(8) * 2)), so consecutive
 * connects to one server walk the range.
 *
 * Cost: the search visits ports in Linux's order, but not one by one once a destination is busy.
 * The first SCAN_LIMIT candidates are probed directly (a host with few connections never needs
 * more); a search that gets that far builds a PortIndex for that destination (bitmaps of held
 * ports, kept current from then on by the stack's flow changes) and jumps straight to the first
 * free port of the same order. The chosen port, the perturbation step and the random draws are
 * exactly those of the port-by-port search; only the CPU cost differs (O(1) amortised per
 * connect() whatever the occupancy: at most a few dozen word reads, a full range included). Linux's own
 * probing cost is not modelled as simulated time: the kernel does it within one syscall, in
 * microseconds, far below the millisecond scales of these experiments.
 */
import type { Rng } from '../sim/rng.ts';
import { keyedHash4 } from '../tcp/syn-cookies.ts';
import { PortIndex } from './port-index.ts';

/** Linux INET_TABLE_PERTURB_SIZE is 2^16 for the whole kernel; one host here talks to few destinations. */
const PERTURB_SIZE = 64;

/** Candidates probed port by port before a destination gets its own PortIndex. */
const SCAN_LIMIT = 64;

export interface PortChecker {
  /** Can `lport` be used toward raddr:rport now? May take over a TIME-WAIT tuple (tw_reuse). */
  portUsable(lport: number, raddr: number, rport: number): boolean;
  /**
   * Calls visit for every connection toward raddr:rport (its local port, and whether it is in
   * TIME-WAIT with timestamps), and listening(port) for every listening port: builds an index.
   */
  visitPorts(
    raddr: number,
    rport: number,
    visit: (lport: number, reusable: boolean) => void,
    listening: (lport: number) => void,
  ): void;
}

/** The host's secrets the search uses (HostTcp): its hash key and its random stream. */
export interface PortSecrets {
  readonly portKeyA: number;
  readonly portKeyB: number;
  /** A new copy of the stream "host:<name>:ports" of the run's seed. */
  portsRng(): Rng;
}

/** A destination's key in the index map: raddr · 2^16 + rport (< 2^48, exact in a double). */
function destKey(raddr: number, rport: number): number {
  return (raddr >>> 0) * 65536 + rport;
}

export class EphemeralPorts {
  /**
   * The perturbation counters of the slots in use: a host talks to few destinations, so a short
   * list rather than the whole table (64 entries per client host, or a Map, add up in a 10^5-host
   * star). The first slot used and its counter are fields (-1: none yet; a server host never
   * needs one, most clients need no other); the others are flat (slot, counter) pairs in `more`,
   * made when a second slot is used. Counters are the uint32 values stored as signed 32-bit
   * integers (never boxed).
   */
  private firstSlot = -1;
  private firstCounter = 0;
  private more: number[] | null = null;
  private rng: Rng | null = null;
  /** Port indexes of busy destinations; null until a search first passes SCAN_LIMIT probes. */
  private indexes: Map<number, PortIndex> | null = null;
  /** Listening ports inside the range, per parity class (only while indexes exist). */
  private listen: [Int32Array, Int32Array] | null = null;

  /**
   * The hash key and the random stream of the extra step come from `secrets` (the host's
   * HostTcp), the stream made by the first pick.
   */
  constructor(
    readonly low: number,
    readonly high: number,
    private readonly secrets: PortSecrets,
    private readonly twReuse = false,
    /** Probes before a destination gets an index (tests lower it to exercise the index on small ranges). */
    private readonly scanLimit = SCAN_LIMIT,
  ) {}

  /** The stack tells of every connection it adds or removes, and of TIME-WAIT entries and exits. */
  flowChanged(lport: number, raddr: number, rport: number, held: boolean, reusable: boolean): void {
    const index = this.indexes?.get(destKey(raddr, rport));
    if (index !== undefined) index.set(lport, held, reusable, this.listen);
  }

  /** The stack tells of every listener it adds or removes. */
  listenerChanged(lport: number, listening: boolean): void {
    if (this.indexes === null) return;
    this.markListening(lport, listening);
    for (const index of this.indexes.values()) index.refreshPort(lport, this.listen);
  }

  private markListening(lport: number, listening: boolean): void {
    const j = lport - this.low;
    if (j < 0 || j > this.high - this.low) return;
    const n = (this.high - this.low + 1) >>> 1;
    this.listen ??= [new Int32Array(Math.ceil(n / 32) + 1), new Int32Array(Math.ceil(n / 32) + 1)];
    const k = j >>> 1,
      bit = 1 << (k & 31),
      words = this.listen[j & 1]!;
    if (listening) words[k >>> 5]! |= bit;
    else words[k >>> 5]! &= ~bit;
  }

  private buildIndex(raddr: number, rport: number, remaining: number, check: PortChecker): PortIndex {
    const indexes = (this.indexes ??= new Map());
    const pending: number[] = [];
    check.visitPorts(
      raddr,
      rport,
      (lport, reusable) => {
        pending.push(lport, reusable ? 1 : 0);
      },
      (lport) => this.markListening(lport, true),
    );
    const index = new PortIndex(this.low, remaining >>> 1, this.twReuse, this.listen);
    for (let i = 0; i < pending.length; i += 2) index.set(pending[i]!, true, pending[i + 1] === 1, this.listen);
    indexes.set(destKey(raddr, rport), index);
    return index;
  }

  /** A local port toward raddr:rport, or -1 when every port is held (EADDRNOTAVAIL). */
  pick(laddr: number, raddr: number, rport: number, check: PortChecker): number {
    const low = this.low;
    let remaining = this.high - low + 1;
    if (remaining <= 0) return -1;
    if (remaining > 1) remaining &= ~1;
    const keyA = this.secrets.portKeyA,
      keyB = this.secrets.portKeyB;
    const h = keyedHash4(keyA, keyB, laddr, raddr, rport, 0);
    const slot = h & (PERTURB_SIZE - 1);
    const at = this.counterAt(slot);
    const counter = (at < 0 ? this.firstCounter : this.more![at + 1]!) >>> 0;
    let offset = ((counter + keyedHash4(keyB, keyA, laddr, raddr, rport, 1)) >>> 0) % remaining;
    offset &= ~1;
    const step = remaining > 1 ? 2 : 1;
    let index = remaining > 1 ? this.indexes?.get(destKey(raddr, rport)) : undefined;
    if (index === undefined) {
      // Port by port, as Linux, for the first SCAN_LIMIT candidates.
      let probes = 0;
      for (;;) {
        let port = low + offset;
        for (let i = 0; i < remaining; i += step, port += step) {
          if (port >= low + remaining) port -= remaining;
          if (check.portUsable(port, raddr, rport)) return this.chosen(at, counter, i, step, port);
          if (++probes >= this.scanLimit && remaining > 1) {
            // A failed probe changes nothing, so the indexed search below starts over.
            index = this.buildIndex(raddr, rport, remaining, check);
            break;
          }
        }
        if (index !== undefined) break;
        offset++;
        if (!(offset & 1) || remaining <= 1) return -1;
      }
      offset &= ~1;
    }
    // The same order over the index: class 0 (even offsets) from k0 to the end, then from 0 to
    // k0; then class 1 likewise. A held candidate is a TIME-WAIT tuple tw_reuse may take over.
    const n = remaining >>> 1,
      k0 = offset >>> 1;
    for (let c = 0; c < 2; c++) {
      for (let part = 0; part < 2; part++) {
        let k = part === 0 ? k0 : 0;
        const to = part === 0 ? n : k0;
        for (;;) {
          k = index.next(c, k, to);
          if (k < 0) break;
          const port = low + c + 2 * k;
          if (index.isFree(port) || check.portUsable(port, raddr, rport)) {
            const i = 2 * (k >= k0 ? k - k0 : k + n - k0);
            return this.chosen(at, counter, i, step, port);
          }
          k++;
        }
      }
    }
    return -1;
  }

  /**
   * Where the counter of `slot` is: -1 for the first slot's field, else the index of its pair in
   * `more`. A slot seen for the first time gets a counter of 0.
   */
  private counterAt(slot: number): number {
    if (this.firstSlot === slot) return -1;
    if (this.firstSlot < 0) {
      this.firstSlot = slot; // its counter is still 0: only a first slot's choice writes it
      return -1;
    }
    const more = this.more;
    if (more === null) {
      this.more = [slot, 0]; // exact size: a push onto [] reserves 17
      return 0;
    }
    let at = 0;
    while (at < more.length && more[at] !== slot) at += 2;
    if (at === more.length) more.push(slot, 0);
    return at;
  }

  /** Linux: the slot's counter moves past the chosen port, by max(i, random(8) · 2). */
  private chosen(at: number, counter: number, i: number, step: number, port: number): number {
    const extra = Math.max(i, (this.rng ??= this.secrets.portsRng()).int(8) * step);
    const next = (counter + extra + step) | 0;
    if (at < 0) this.firstCounter = next;
    else this.more![at + 1] = next;
    return port;
  }
}
