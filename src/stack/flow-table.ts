/**
 * The demultiplexing table of one host: connections keyed by the 4-tuple. The local address is
 * the host's own, so a key is two 32-bit words: the remote address and (localPort << 16 |
 * remotePort). Open addressing with linear probing and backward-shift deletion: a lookup per
 * segment builds no string and allocates nothing. (A JS number cannot hold both words exactly:
 * 2^64 > 2^53.)
 *
 * Layout: one plain array of (address, ports, value) triples, the two words stored as signed
 * 32-bit integers so they stay small integers (never boxed); key and value share a cache line.
 * Every host has a table and most (clients) hold one connection at a time, so a table holds its
 * first entry in three fields and allocates its array only for a second one (4 slots, then
 * doubling when half full): the array of a one-entry table cost ~100 bytes per host, and a
 * typed-array layout ~800 bytes before the first connection. A lookup in a one-entry table
 * compares the key and hashes nothing. The slot order is not part of the contract (forEach's one
 * user, the port index, is order-free).
 */

export function portsKey(localPort: number, remotePort: number): number {
  return ((localPort << 16) | remotePort) >>> 0;
}

/** Slots of the first array, made for the second entry (the table doubles when half full). */
const INITIAL_SLOTS = 4;
/** Shared by every table without an array; never written (an insert allocates first). */
const NONE: readonly unknown[] = Object.freeze([]);

export class FlowTable<V> {
  /** Triples: address at 3i, ports at 3i + 1, value at 3i + 2 (undefined = free slot). */
  private slots = NONE as unknown[];
  /** Slots - 1; -1 while the table has no array and keeps its one entry in the fields below. */
  private mask = -1;
  private count = 0;
  /** The entry of a table without an array (value undefined: none). */
  private oneAddr = 0;
  private onePorts = 0;
  private oneValue: V | undefined = undefined;

  get size(): number {
    return this.count;
  }

  get(addr: number, ports: number): V | undefined {
    if (this.count === 0) return undefined;
    const a = addr | 0,
      p = ports | 0;
    const mask = this.mask;
    if (mask < 0) return this.oneAddr === a && this.onePorts === p ? this.oneValue : undefined;
    const slots = this.slots;
    for (let i = hash(a, p) & mask; ; i = (i + 1) & mask) {
      const v = slots[3 * i + 2];
      if (v === undefined) return undefined;
      if (slots[3 * i] === a && slots[3 * i + 1] === p) return v as V;
    }
  }

  /** Inserts or replaces. */
  set(addr: number, ports: number, value: V): void {
    const a = addr | 0,
      p = ports | 0;
    if (this.mask < 0) {
      if (this.count === 0 || (this.oneAddr === a && this.onePorts === p)) {
        this.oneAddr = a;
        this.onePorts = p;
        this.oneValue = value;
        this.count = 1;
        return;
      }
      this.resize(INITIAL_SLOTS); // a second entry: to an array
    } else if ((this.count + 1) * 2 > this.mask + 1) this.resize(2 * (this.mask + 1));
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
    if (mask < 0) {
      if (this.oneAddr !== a || this.onePorts !== p || (value !== undefined && this.oneValue !== value)) return false;
      this.oneValue = undefined;
      this.count = 0;
      return true;
    }
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
    if (this.mask < 0) {
      if (this.count !== 0) visit(this.oneAddr, this.onePorts, this.oneValue as V);
      return;
    }
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 3) {
      const v = slots[i + 2];
      if (v !== undefined) visit(slots[i] as number, slots[i + 1] as number, v as V);
    }
  }

  /** Moves every entry (the fields' one, or the array's) into a new array of n slots. */
  private resize(n: number): void {
    const old = this.slots;
    const one = this.mask < 0 && this.count !== 0 ? this.oneValue : undefined;
    const slots: unknown[] = new Array(3 * n);
    for (let i = 0; i < 3 * n; i += 3) {
      slots[i] = 0;
      slots[i + 1] = 0;
      slots[i + 2] = undefined;
    }
    this.slots = slots;
    this.mask = n - 1;
    this.count = 0;
    this.oneValue = undefined;
    if (one !== undefined) this.set(this.oneAddr, this.onePorts, one);
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
