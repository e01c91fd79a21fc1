/**
 * The demultiplexing table of one host: connections keyed by the 4-tuple. The local address is
 * the host's own, so a key is two 32-bit words: the remote address and (localPort << 16 |
 * remotePort). Open addressing over typed arrays with linear probing and backward-shift deletion:
 * a lookup per segment builds no string and allocates nothing, and 10^5 connections cost a few
 * megabytes. (A JS number cannot hold both words exactly: 2^64 > 2^53.)
 */

export function portsKey(localPort: number, remotePort: number): number {
  return ((localPort << 16) | remotePort) >>> 0;
}

export class FlowTable<V> {
  // Small at first: most hosts (clients) hold a handful of connections; the table doubles as needed.
  private addr = new Uint32Array(8);
  private ports = new Uint32Array(8);
  private values: (V | undefined)[] = new Array(8);
  private mask = 7;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(addr: number, ports: number): V | undefined {
    const mask = this.mask;
    for (let i = hash(addr, ports) & mask; ; i = (i + 1) & mask) {
      const v = this.values[i];
      if (v === undefined) return undefined;
      if (this.addr[i] === addr && this.ports[i] === ports) return v;
    }
  }

  /** Inserts or replaces. */
  set(addr: number, ports: number, value: V): void {
    if ((this.count + 1) * 2 > this.values.length) this.resize(this.values.length * 2);
    const mask = this.mask;
    let i = hash(addr, ports) & mask;
    for (; this.values[i] !== undefined; i = (i + 1) & mask) {
      if (this.addr[i] === addr && this.ports[i] === ports) {
        this.values[i] = value;
        return;
      }
    }
    this.addr[i] = addr;
    this.ports[i] = ports;
    this.values[i] = value;
    this.count++;
  }

  /** Removes the entry if it holds `value` (a newer connection on the same tuple stays). */
  delete(addr: number, ports: number, value?: V): boolean {
    const mask = this.mask;
    let i = hash(addr, ports) & mask;
    for (;; i = (i + 1) & mask) {
      const v = this.values[i];
      if (v === undefined) return false;
      if (this.addr[i] === addr && this.ports[i] === ports) {
        if (value !== undefined && v !== value) return false;
        break;
      }
    }
    // backward shift: pull later entries of the probe chain into the hole
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = this.values[j];
      if (v === undefined) break;
      const home = hash(this.addr[j]!, this.ports[j]!) & mask;
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.addr[i] = this.addr[j]!;
        this.ports[i] = this.ports[j]!;
        this.values[i] = v;
        i = j;
      }
    }
    this.values[i] = undefined;
    this.count--;
    return true;
  }

  private resize(n: number): void {
    const { addr, ports, values } = this;
    this.addr = new Uint32Array(n);
    this.ports = new Uint32Array(n);
    this.values = new Array(n);
    this.mask = n - 1;
    this.count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) this.set(addr[i]!, ports[i]!, v);
    }
  }
}

function hash(addr: number, ports: number): number {
  let h = Math.imul(addr ^ Math.imul(ports, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
