/**
 * Ephemeral port choice for connect(), as Linux __inet_hash_connect (RFC 6056 algorithm 4,
 * "double-hash"): the search toward a destination starts at a keyed hash of (local address,
 * remote address, remote port) plus a perturbation counter of that hash's table slot, steps by 2
 * through ports of the starting parity, then the other parity. A port is usable toward a
 * destination unless that exact 4-tuple is taken (TIME-WAIT included, unless tcp_tw_reuse
 * allows taking it over) or a listener owns the port. After a success the slot's counter moves
 * past the chosen port, plus a little randomness (Linux: max(i, random(8) * 2)), so consecutive
 * connects to one server walk the range.
 */
import { Rng } from '../sim/rng.ts';
import { keyedHash4 } from '../tcp/syn-cookies.ts';

/** Linux INET_TABLE_PERTURB_SIZE is 2^16 for the whole kernel; one host here talks to few destinations. */
const PERTURB_SIZE = 64;

export interface PortChecker {
  /** Can `lport` be used toward raddr:rport now? May take over a TIME-WAIT tuple (tw_reuse). */
  portUsable(lport: number, raddr: number, rport: number): boolean;
}

export class EphemeralPorts {
  /**
   * The perturbation counters of the slots in use, as flat (slot, counter) pairs: a host talks to
   * few destinations, so a short list rather than the whole table (64 entries per client host, or
   * a Map, add up in a 10^5-host star). Counters are the uint32 values stored as signed 32-bit
   * integers (never boxed). Empty until the first connect(): a server host never needs it.
   */
  private perturb: number[] = [];
  private rng: Rng | null = null;

  /**
   * The random extra step draws from the stream "host:<hostName>:ports" of `seed`, created on the
   * first pick (the name is built then: a string per host otherwise).
   */
  constructor(
    readonly low: number,
    readonly high: number,
    private readonly keyA: number,
    private readonly keyB: number,
    private readonly seed: number,
    private readonly hostName: string,
  ) {}

  /** A local port toward raddr:rport, or -1 when every port is held (EADDRNOTAVAIL). */
  pick(laddr: number, raddr: number, rport: number, check: PortChecker): number {
    const low = this.low;
    let remaining = this.high - low + 1;
    if (remaining <= 0) return -1;
    if (remaining > 1) remaining &= ~1;
    const h = keyedHash4(this.keyA, this.keyB, laddr, raddr, rport, 0);
    const index = h & (PERTURB_SIZE - 1);
    let perturb = this.perturb;
    let at = 0;
    while (at < perturb.length && perturb[at] !== index) at += 2;
    if (at === 0 && perturb.length === 0) this.perturb = perturb = [index, 0]; // exact size: a push reserves 17
    else if (at === perturb.length) perturb.push(index, 0);
    const counter = perturb[at + 1]! >>> 0;
    let offset = ((counter + keyedHash4(this.keyB, this.keyA, laddr, raddr, rport, 1)) >>> 0) % remaining;
    offset &= ~1;
    const step = remaining > 1 ? 2 : 1;
    for (;;) {
      let port = low + offset;
      for (let i = 0; i < remaining; i += step, port += step) {
        if (port >= low + remaining) port -= remaining;
        if (check.portUsable(port, raddr, rport)) {
          const extra = Math.max(i, (this.rng ??= new Rng(this.seed, `host:${this.hostName}:ports`)).int(8) * step);
          perturb[at + 1] = (counter + extra + step) | 0;
          return port;
        }
      }
      offset++;
      if (!(offset & 1) || remaining <= 1) return -1;
    }
  }
}
