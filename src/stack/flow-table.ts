/**
 * The demultiplexing table of one host: connections keyed by the 4-tuple. The local address is
 * the host's own, so a key is two 32-bit words: the remote address and (localPort << 16 |
 * remotePort). Open addressing with linear probing and backward-shift deletion: a lookup per
 * segment builds no string and allocates nothing. (A JS number cannot hold both words exactly:
 * 2^64 > 2^53.)
 *
 * Layout: one plain array of (address, ports, value) triples, the two words stored as signed
 * 32-bit integers so they stay small integers (never boxed); key and value share a cache line.
 * Every host has a table and most (clients) hold a handful of connections, often one at a time,
 * so a table starts with no array at all and the first insert allocates 2 slots (room for one
 * entry at load 1/2; 48 bytes less than 4 slots): a typed-array layout cost ~800 bytes per host in
 * object headers and backing stores before the first connection. The slot order is not part of
 * the contract (forEach's one user, the port index, is order-free).
 */

export function portsKey(localPort: number, remotePort: number): number {
  return ((localPort << 16) | remotePort) >>> 0;
}

/** Slots of the first allocation (the table doubles when half full). */
const INITIAL_SLOTS = 2;
/** Shared by every empty table; never written (an insert allocates first). */
const NONE: readonly unknown[] = Object.freeze([]);

export class FlowTable<V> {
  /** Triples: address at 3i, ports at 3i + 1, value at 3i + 2 (undefined = free slot). */
  private slots = NONE as unknown[];
  private mask = -1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(addr: number, ports: number): V | undefined {
    if (this.count === 0) return undefined;
    const a = addr | 0,
      p = ports | 0;
    const slots = this.slots,
      mask = this.mask;
    for (let i = hash(a, p) & mask; ; i = (i + 1) & mask) {
      const v = slots[3 * i + 2];
      if (v === undefined) return undefined;
      if (slots[3 * i] === a && slots[3 * i + 1] === p) return v as V;
    }
  }

  /** Inserts or replaces. */
  set(addr: number, ports: number, value: V): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.resize(this.mask < 0 ? INITIAL_SLOTS : 2 * (this.mask + 1));
    const a = addr | 0,
      p = ports | 0;
    const slots = this.slots,
      mask = this.mask;
    let i = hash(a, p) & mask;
    for (; slots[3 * i + 2] !== undefined; i = (i + 1) & mask) {
      if (slots[3 * i] === a && slots[3 * i + 1] === p) {
        slots[3 * i + 2] = value;
        return;
      }
    }
    slots[3 * i] = a;
    slots[3 * i + 1] = p;
    slots[3 * i + 2] = value;
    this.count++;
  }

  /** Removes the entry if it holds `value` (a newer connection on the same tuple stays). */
  delete(addr: number, ports: number, value?: V): boolean {
    if (this.count === 0) return false;
    const a = addr | 0,
      p = ports | 0;
    const slots = this.slots,
      mask = this.mask;
    let i = hash(a, p) & mask;
    for (; ; i = (i + 1) & mask) {
      const v = slots[3 * i + 2];
      if (v === undefined) return false;
      if (slots[3 * i] === a && slots[3 * i + 1] === p) {
        if (value !== undefined && v !== value) return false;
        break;
      }
    }
    // backward shift: pull later entries of the probe chain into the hole
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = slots[3 * j + 2];
      if (v === undefined) break;
      const home = hash(slots[3 * j] as number, slots[3 * j + 1] as number) & mask;
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        slots[3 * i] = slots[3 * j];
        slots[3 * i + 1] = slots[3 * j + 1];
        slots[3 * i + 2] = v;
        i = j;
      }
    }
    slots[3 * i + 2] = undefined;
    this.count--;
    return true;
  }

  /** Calls visit for every entry (order: slot order; for rare whole-table work, not per segment). */
  forEach(visit: (addr: number, ports: number, value: V) => void): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 3) {
      const v = slots[i + 2];
      if (v !== undefined) visit(slots[i] as number, slots[i + 1] as number, v as V);
    }
  }

  private resize(n: number): void {
    const old = this.slots;
    const slots: unknown[] = new Array(3 * n);
    for (let i = 0; i < 3 * n; i += 3) {
      slots[i] = 0;
      slots[i + 1] = 0;
      slots[i + 2] = undefined;
    }
    this.slots = slots;
    this.mask = n - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 3) {
      const v = old[i + 2];
      if (v !== undefined) this.set(old[i] as number, old[i + 1] as number, v as V);
    }
  }
}

/** Mixes both key words (signed 32-bit); the result is masked to a slot index. */
function hash(addr: number, ports: number): number {
  let h = Math.imul(addr ^ Math.imul(ports, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
