/**
 * The near tier of the event queue: a binary min-heap of (time, slot) pairs ordered by
 * (time, insertion order), the order read from the queue's slot records only on a tie in time.
 *
 * Entry i sits at pair index i + 1, so the two children of node i (2i+1, 2i+2) share one aligned
 * 32-byte block. Removal is Floyd's bottom-up sift: the hole at the root walks down to a leaf along
 * the smaller children, choosing each without a branch (the heap is small and in cache, where a
 * mispredicted branch costs more than the comparison), then the last entry climbs back up, which
 * saves the comparison against it at every level.
 */

/** What filter reports dropped entries to, and asks whether an entry is still live. */
export interface HeapOwner {
  isLive(slot: number): boolean;
  evict(time: number, slot: number): void;
}

export class BinaryHeap {
  /** Pairs (time, slot): entry i at Float64 index 2(i + 1), its slot at Int32 index 4(i + 1) + 2. */
  entries = new Float64Array(2 * 1024);
  private slots = new Int32Array(this.entries.buffer);
  size = 0;

  /** `order` is the queue's insertion order per slot; replaced by setOrder when the queue grows it. */
  constructor(private order: Float64Array) {}

  setOrder(order: Float64Array): void {
    this.order = order;
  }

  topTime(): number {
    return this.entries[2]!;
  }

  topSlot(): number {
    return this.slots[6]!;
  }

  push(time: number, slot: number): void {
    this.reserve(this.size + 1);
    this.siftUp(this.size++, time, slot);
  }

  /** Adds an entry without restoring the heap order; call heapify after a run of appends. */
  append(time: number, slot: number): void {
    this.reserve(this.size + 1);
    const i = 2 * (this.size + 1);
    this.entries[i] = time;
    this.slots[2 * i + 2] = slot;
    this.size++;
  }

  /** Removes the root. */
  removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const entries = this.entries,
      slots = this.slots,
      order = this.order;
    let pos = 0;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= n) break;
      let ci = 2 * (c + 1);
      if (c + 1 < n) {
        const t0 = entries[ci]!,
          t1 = entries[ci + 2]!;
        const right = t0 !== t1 ? +(t1 < t0) : +(order[slots[2 * ci + 6]!]! < order[slots[2 * ci + 2]!]!);
        c += right;
        ci += 2 * right;
      }
      const pi = 2 * (pos + 1);
      entries[pi] = entries[ci]!;
      slots[2 * pi + 2] = slots[2 * ci + 2]!;
      pos = c;
    }
    const li = 2 * (n + 1);
    this.siftUp(pos, entries[li]!, slots[2 * li + 2]!);
  }

  /** Restores heap order over all entries (bottom-up, O(n)). */
  heapify(): void {
    for (let i = (this.size - 2) >> 1; i >= 0; i--) this.siftDown(i);
  }

  /**
   * Keeps the entries with time <= bound (and, if `dropDead`, only live ones); hands every other
   * entry to owner.evict. Restores heap order. Without `dropDead` the pass reads no slot record.
   */
  filter(owner: HeapOwner, bound: number, dropDead: boolean): void {
    const entries = this.entries,
      slots = this.slots;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const ii = 2 * (i + 1);
      const t = entries[ii]!,
        slot = slots[2 * ii + 2]!;
      if (t > bound || (dropDead && !owner.isLive(slot))) {
        owner.evict(t, slot);
        continue;
      }
      const ki = 2 * (kept + 1);
      entries[ki] = t;
      slots[2 * ki + 2] = slot;
      kept++;
    }
    this.size = kept;
    this.heapify();
  }

  /** Moves (time, slot) up from the hole at pos; insertion order is read only on a tie in time. */
  private siftUp(pos: number, time: number, slot: number): void {
    const entries = this.entries,
      slots = this.slots;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pi = 2 * (parent + 1);
      const pt = entries[pi]!;
      if (time > pt || (time === pt && this.order[slot]! > this.order[slots[2 * pi + 2]!]!)) break;
      const i = 2 * (pos + 1);
      entries[i] = pt;
      slots[2 * i + 2] = slots[2 * pi + 2]!;
      pos = parent;
    }
    const i = 2 * (pos + 1);
    entries[i] = time;
    slots[2 * i + 2] = slot;
  }

  private siftDown(pos: number): void {
    const entries = this.entries,
      slots = this.slots,
      order = this.order;
    const n = this.size;
    const i0 = 2 * (pos + 1);
    const time = entries[i0]!,
      slot = slots[2 * i0 + 2]!;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= n) break;
      let ci = 2 * (c + 1);
      if (c + 1 < n && before(entries, slots, order, ci + 2, ci)) {
        c++;
        ci += 2;
      }
      const ct = entries[ci]!;
      if (time < ct || (time === ct && order[slot]! < order[slots[2 * ci + 2]!]!)) break;
      const pi = 2 * (pos + 1);
      entries[pi] = ct;
      slots[2 * pi + 2] = slots[2 * ci + 2]!;
      pos = c;
    }
    const i = 2 * (pos + 1);
    entries[i] = time;
    slots[2 * i + 2] = slot;
  }

  private reserve(n: number): void {
    if (2 * (n + 1) <= this.entries.length) return;
    const entries = new Float64Array(this.entries.length * 2);
    entries.set(this.entries);
    this.entries = entries;
    this.slots = new Int32Array(entries.buffer);
  }
}

/** Entry at Float64 index a before entry at index b in (time, insertion order). */
function before(entries: Float64Array, slots: Int32Array, order: Float64Array, a: number, b: number): boolean {
  const ta = entries[a]!,
    tb = entries[b]!;
  return ta < tb || (ta === tb && order[slots[2 * a + 2]!]! < order[slots[2 * b + 2]!]!);
}
