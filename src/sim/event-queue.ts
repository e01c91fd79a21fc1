/**
 * The pending-event set: a 4-ary min-heap over (time, insertion order), stored as a struct of
 * typed arrays so a push or pop touches no per-event object. Ties in time break by insertion
 * order, which makes every run deterministic.
 *
 * Events live in slots (recycled through a free list); the heap orders slot numbers. Cancellation
 * is O(1) lazy deletion: the slot is marked dead and skipped when it reaches the top. An event id
 * packs slot and the slot's generation, so a stale id (an event already run or cancelled, its slot
 * reused) cancels nothing.
 */

export type EventId = number;

const SLOT_BITS = 2 ** 26; // up to 67M slots pending at once; generations use the upper bits

export class EventQueue<H, D = unknown> {
  private time = new Float64Array(1024);
  private order = new Float64Array(1024);
  private tag = new Int32Array(1024);
  private gen = new Uint32Array(1024);
  private live = new Uint8Array(1024);
  private handler: (H | undefined)[] = new Array(1024);
  private data: (D | undefined)[] = new Array(1024);
  private heap = new Int32Array(1024);
  private heapSize = 0;
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private inserted = 0;
  private liveCount = 0;

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  push(time: number, handler: H, tag: number, data: D | undefined): EventId {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.newSlot();
    this.time[slot] = time;
    this.order[slot] = this.inserted++;
    this.tag[slot] = tag;
    this.handler[slot] = handler;
    this.data[slot] = data;
    this.live[slot] = 1;
    this.liveCount++;
    if (this.heapSize === this.heap.length) this.heap = grow(this.heap);
    this.siftUp(this.heapSize++, slot);
    return this.gen[slot]! * SLOT_BITS + slot;
  }

  cancel(id: EventId): boolean {
    const slot = id % SLOT_BITS;
    if (slot >= this.nextSlot || this.live[slot] !== 1 || this.gen[slot] !== (id - slot) / SLOT_BITS) return false;
    this.live[slot] = 0;
    this.liveCount--;
    this.handler[slot] = undefined;
    this.data[slot] = undefined;
    return true;
  }

  /** Time of the earliest live event, or Infinity. Drops dead slots found at the top. */
  peekTime(): number {
    this.dropDeadTop();
    return this.heapSize === 0 ? Infinity : this.time[this.heap[0]!]!;
  }

  /**
   * Removes the earliest live event and returns its slot; read it with slotTime/slotHandler/…
   * before the next push (which may reuse the slot). Returns -1 when empty.
   */
  pop(): number {
    this.dropDeadTop();
    if (this.heapSize === 0) return -1;
    const slot = this.removeTop();
    this.live[slot] = 0;
    this.liveCount--;
    this.gen[slot] = (this.gen[slot]! + 1) >>> 0;
    this.freeSlots.push(slot);
    return slot;
  }

  slotTime(slot: number): number { return this.time[slot]!; }
  slotTag(slot: number): number { return this.tag[slot]!; }
  /** Returns and clears the handler, so the queue holds no reference to finished work. */
  takeHandler(slot: number): H { const h = this.handler[slot]!; this.handler[slot] = undefined; return h; }
  takeData(slot: number): D | undefined { const d = this.data[slot]; this.data[slot] = undefined; return d; }

  private dropDeadTop(): void {
    while (this.heapSize > 0 && this.live[this.heap[0]!] === 0) {
      const slot = this.removeTop();
      this.gen[slot] = (this.gen[slot]! + 1) >>> 0;
      this.freeSlots.push(slot);
    }
  }

  private removeTop(): number {
    const top = this.heap[0]!;
    const last = this.heap[--this.heapSize]!;
    if (this.heapSize > 0) this.siftDown(0, last);
    return top;
  }

  private newSlot(): number {
    const slot = this.nextSlot++;
    if (slot >= SLOT_BITS) throw new Error('event queue: too many pending events');
    if (slot === this.time.length) {
      const n = slot * 2;
      this.time = growF(this.time, n);
      this.order = growF(this.order, n);
      const tag = new Int32Array(n); tag.set(this.tag); this.tag = tag;
      const gen = new Uint32Array(n); gen.set(this.gen); this.gen = gen;
      const live = new Uint8Array(n); live.set(this.live); this.live = live;
    }
    return slot;
  }

  /** a before b in (time, insertion order). */
  private before(a: number, b: number): boolean {
    const ta = this.time[a]!, tb = this.time[b]!;
    return ta < tb || (ta === tb && this.order[a]! < this.order[b]!);
  }

  private siftUp(pos: number, slot: number): void {
    const heap = this.heap;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const p = heap[parent]!;
      if (!this.before(slot, p)) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = slot;
  }

  private siftDown(pos: number, slot: number): void {
    const heap = this.heap;
    const n = this.heapSize;
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= n) break;
      let best = first;
      let bestSlot = heap[first]!;
      const end = Math.min(first + 4, n);
      for (let c = first + 1; c < end; c++) {
        const s = heap[c]!;
        if (this.before(s, bestSlot)) { best = c; bestSlot = s; }
      }
      if (!this.before(bestSlot, slot)) break;
      heap[pos] = bestSlot;
      pos = best;
    }
    heap[pos] = slot;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growF(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
