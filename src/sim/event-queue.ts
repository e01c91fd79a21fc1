/**
 * The pending-event set, ordered by (time, insertion order). Ties in time break by insertion
 * order, which makes every run deterministic.
 *
 * A large simulation is bound by cache misses, not by comparisons, so the set has two tiers:
 *  - near: a binary min-heap (event-heap.ts) holding every event with time <= `bound`, kept to
 *    about 16k entries so that it stays in cache;
 *  - far: an unsorted array holding every event with time > `bound`; a push there is an append.
 * When the near heap runs empty, a refill raises the bound to a quantile of a sample of far times,
 * chosen so that about 16k events (or 1/8 of the far tier, if more) move into the heap in one
 * sequential pass. When pushes overfill the heap, a spill lowers the bound to about the heap's
 * median and moves the later half out. Each event costs O(log near) heap work plus a small
 * amortised share of the sequential passes: the two-level idea of ladder and calendar queues,
 * without their bucket-width tuning.
 *
 * Layout: both tiers hold (time, slot) pairs in a Float64Array (the slot read through an Int32Array
 * view of the same memory), so a comparison chases no pointer. The rest of an event lives in its
 * slot, recycled through a free list: handler, datum and tag side by side in one JS array (a pop
 * reads one cache line there), insertion order and generation in typed arrays. Nothing is
 * allocated per event.
 *
 * Cancellation is O(1) lazy deletion: the slot's handler is cleared (the "dead" mark) and the entry
 * is dropped when it reaches the heap's top. When dead entries outnumber live ones both tiers are
 * compacted, so a model that keeps cancelling far-future timers cannot grow the queue without
 * bound. An event id packs slot and generation (renewed when the slot is reused), so a stale id
 * (its event already ran or was cancelled) cancels nothing.
 */
import { BinaryHeap } from './event-heap.ts';

export type EventId = number;

/** Slots per id: up to 2^26 (67M) events pending at once. */
const SLOT_SPAN = 2 ** 26;
/** Generations wrap at 2^27 so an id (generation * SLOT_SPAN + slot) stays an exact integer below 2^53. */
const GEN_MASK = 2 ** 27 - 1;
/** Below this many entries, dead ones are simply left to be skipped. */
const COMPACT_MIN = 1024;
/**
 * The near heap's normal size limit (16k entries, 256 KB: it stays in a core's L2 cache). A spill
 * halves the heap; a refill that cannot split the times finely raises the limit to twice its size.
 */
const NEAR_LIMIT = 16384;
/**
 * A refill aims to move this many events, or this fraction of the far tier if that is more: the
 * sequential pass over the far tier then costs a few entries per event. (Tuned on the hold model in
 * bench/scheduler.ts: smaller batches spend more on passes, larger ones on heap depth.)
 */
const REFILL_TARGET = 16384;
const REFILL_MIN_FRACTION = 1 / 8;
/** Times sampled to choose a bound. */
const SAMPLES = 64;

/** Tier sizes; the defaults suit production, tests shrink them to exercise refills and spills. */
export interface EventQueueTuning {
  /** Near heap size that triggers a spill (default 16384). */
  nearLimit?: number;
  /** Events a refill aims to move into the near heap (default 16384). */
  refillTarget?: number;
}

export class EventQueue<H, D = unknown> {
  /**
   * Per slot, side by side so a pop reads one cache line: the handler at 3·slot (undefined when the
   * slot is dead or free), the datum at 3·slot + 1, the tag at 3·slot + 2.
   */
  private payload: unknown[] = [];
  /** Per slot: insertion order (read only to break a tie in time) and generation (for ids). */
  private order = new Float64Array(1024);
  private gen = new Int32Array(1024);
  private near = new BinaryHeap(this.order);
  /** Near holds times <= bound, far holds times > bound. */
  private bound = Infinity;
  private readonly baseNearLimit: number;
  private readonly refillTarget: number;
  private nearLimit: number;
  private far = new Float64Array(2 * 1024);
  private farSlots = new Int32Array(this.far.buffer);
  private farSize = 0;
  private sample = new Float64Array(SAMPLES);
  private freeSlots = new Int32Array(1024);
  private freeCount = 0;
  private nextSlot = 0;
  private inserted = 0;
  private liveCount = 0;
  /** Written, never read: storing the prefetched payload keeps the JIT from dropping the load (see pop). */
  private warm: unknown = undefined;

  /** The event the last successful pop removed (valid until the next pop). */
  poppedTime = 0;
  poppedTag = 0;
  poppedHandler: H | undefined = undefined;
  poppedData: D | undefined = undefined;

  constructor(tuning: EventQueueTuning = {}) {
    this.baseNearLimit = Math.max(2, tuning.nearLimit ?? NEAR_LIMIT);
    this.refillTarget = Math.max(1, tuning.refillTarget ?? REFILL_TARGET);
    this.nearLimit = this.baseNearLimit;
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Adds an event; `handler` must not be undefined (undefined marks a dead slot), `tag` should be a small integer. */
  push(time: number, handler: H, tag: number, data: D | undefined): EventId {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
      // A new generation on reuse, so ids of the slot's earlier events are stale.
      this.gen[slot] = (this.gen[slot]! + 1) & GEN_MASK;
    } else {
      slot = this.newSlot();
    }
    const order = this.inserted++;
    this.order[slot] = order;
    const p = 3 * slot;
    this.payload[p] = handler;
    this.payload[p + 1] = data;
    this.payload[p + 2] = tag;
    this.liveCount++;
    if (time <= this.bound) {
      this.near.push(time, slot);
      if (this.near.size > this.nearLimit) this.spill();
    } else {
      this.farPush(time, slot);
    }
    return this.gen[slot]! * SLOT_SPAN + slot;
  }

  cancel(id: EventId): boolean {
    if (!Number.isSafeInteger(id) || id < 0) return false;
    const slot = id % SLOT_SPAN;
    if (slot >= this.nextSlot || this.payload[3 * slot] === undefined) return false;
    if (this.gen[slot] !== (id - slot) / SLOT_SPAN) return false;
    this.payload[3 * slot] = undefined;
    this.payload[3 * slot + 1] = undefined;
    this.liveCount--;
    const entries = this.near.size + this.farSize;
    if (entries > COMPACT_MIN && entries > 2 * this.liveCount) this.compact();
    return true;
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    return this.settleTop() ? this.near.topTime() : Infinity;
  }

  /**
   * Removes the earliest live event into poppedTime, poppedTag, poppedHandler and poppedData;
   * false when the queue is empty.
   */
  pop(): boolean {
    return this.popUntil(Infinity);
  }

  /**
   * Like pop, but only if the earliest live event's time is at most `until`; otherwise the queue
   * is left as it is and false returned. One call instead of peekTime + pop in the simulator's loop.
   */
  popUntil(until: number): boolean {
    if (!this.settleTop()) return false;
    const near = this.near;
    const time = near.topTime();
    if (time > until) return false;
    const slot = near.topSlot();
    near.removeTop();
    const payload = this.payload;
    const p = 3 * slot;
    this.poppedTime = time;
    this.poppedHandler = payload[p] as H;
    this.poppedData = payload[p + 1] as D | undefined;
    this.poppedTag = payload[p + 2] as number;
    payload[p] = undefined; // the slot is dead from now on: its id cancels nothing
    payload[p + 1] = undefined;
    // Touch the next event's payload now: that cache miss overlaps with running this event.
    if (near.size > 0) this.warm = payload[3 * near.topSlot()];
    this.liveCount--;
    this.release(slot);
    return true;
  }

  /** Brings the earliest live event to the heap's top (dropping dead ones, refilling); false if none. */
  private settleTop(): boolean {
    const near = this.near;
    for (;;) {
      if (near.size === 0) {
        if (this.farSize === 0) return false;
        this.refill();
        continue;
      }
      const slot = near.topSlot();
      if (this.payload[3 * slot] !== undefined) return true;
      near.removeTop();
      this.release(slot);
    }
  }

  /** Puts a dead slot back for reuse (push renews its generation). */
  private release(slot: number): void {
    if (this.freeCount === this.freeSlots.length) {
      const f = new Int32Array(this.freeSlots.length * 2);
      f.set(this.freeSlots);
      this.freeSlots = f;
    }
    this.freeSlots[this.freeCount++] = slot;
  }

  private farPush(time: number, slot: number): void {
    if (2 * this.farSize === this.far.length) {
      const far = new Float64Array(this.far.length * 2);
      far.set(this.far);
      this.far = far;
      this.farSlots = new Int32Array(far.buffer);
    }
    this.far[2 * this.farSize] = time;
    this.farSlots[4 * this.farSize + 2] = slot;
    this.farSize++;
  }

  /** The near heap is empty: raise the bound and move the far events at or below it into the heap. */
  private refill(): void {
    const m = this.farSize;
    const far = this.far,
      farSlots = this.farSlots,
      near = this.near;
    if (m <= this.nearLimit / 2) {
      this.bound = Infinity;
    } else {
      const fraction = Math.max(this.refillTarget / m, REFILL_MIN_FRACTION);
      this.bound = this.sampleQuantile(far, 0, m, fraction); // a far time itself, so at least one event moves
    }
    const bound = this.bound;
    let kept = 0;
    for (let i = 0; i < m; i++) {
      const t = far[2 * i]!;
      const slot = farSlots[4 * i + 2]!;
      // No liveness check here: it would read a random slot per entry. Dead entries that move are
      // dropped when they reach the heap's top; those that stay are dropped by compact().
      if (t <= bound) near.append(t, slot);
      else {
        far[2 * kept] = t;
        farSlots[4 * kept + 2] = slot;
        kept++;
      }
    }
    this.farSize = kept;
    near.heapify();
    this.nearLimit = Math.max(this.baseNearLimit, 2 * near.size);
  }

  /** The near heap is over its limit: lower the bound to about its median and move the later events out. */
  private spill(): void {
    const near = this.near;
    const bound = this.sampleQuantile(near.entries, 1, near.size, 0.5); // heap entry i is pair i + 1
    if (bound < this.bound) {
      this.bound = bound;
      near.filter(this, bound, false);
    }
    this.nearLimit = Math.max(this.baseNearLimit, 2 * near.size);
  }

  /**
   * Called by BinaryHeap.filter for each entry it drops: in a spill, entries above the new bound
   * (dead or not: checking would read a random slot) go far; in a compaction, dead entries are freed.
   */
  evict(time: number, slot: number): void {
    if (time > this.bound) this.farPush(time, slot);
    else this.release(slot);
  }

  /**
   * The `fraction` quantile of SAMPLES times taken at even strides from the n (time, slot) pairs
   * starting at pair index `first`; always one of the times. Deterministic: no random sampling.
   */
  private sampleQuantile(pairs: Float64Array, first: number, n: number, fraction: number): number {
    const s = this.sample;
    for (let j = 0; j < SAMPLES; j++) s[j] = pairs[2 * (first + Math.floor(((j + 0.5) * n) / SAMPLES))]!;
    s.sort();
    return s[Math.min(SAMPLES - 1, Math.floor(fraction * SAMPLES))]!;
  }

  /** Drops every dead entry from both tiers. */
  private compact(): void {
    this.near.filter(this, Infinity, true);
    const far = this.far,
      farSlots = this.farSlots;
    let kept = 0;
    for (let i = 0; i < this.farSize; i++) {
      const slot = farSlots[4 * i + 2]!;
      if (this.payload[3 * slot] === undefined) {
        this.release(slot);
        continue;
      }
      far[2 * kept] = far[2 * i]!;
      farSlots[4 * kept + 2] = slot;
      kept++;
    }
    this.farSize = kept;
  }

  /** True while the slot holds a live event (used by the heap's filter). */
  isLive(slot: number): boolean {
    return this.payload[3 * slot] !== undefined;
  }

  private newSlot(): number {
    const slot = this.nextSlot++;
    if (slot >= SLOT_SPAN) throw new Error('event queue: too many pending events');
    if (slot === this.order.length) {
      const order = new Float64Array(slot * 2);
      order.set(this.order);
      this.order = order;
      this.near.setOrder(order);
      const gen = new Int32Array(slot * 2);
      gen.set(this.gen);
      this.gen = gen;
    }
    return slot;
  }
}
