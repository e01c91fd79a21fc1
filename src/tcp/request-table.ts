/**
 * A listener's half-open requests (Linux's request socks in state SYN_RECV), stored as rows of
 * typed arrays: no object per request, and memory bounded by the table's capacity (the backlog,
 * or the SYN cache's size), never by the number of SYNs an attacker sends.
 *
 * Three orders are kept over the rows:
 * - a hash index on the peer's address and port (open addressing, backward-shift deletion), to
 *   find the request a segment belongs to;
 * - a binary min-heap on each row's next timer expiry, so the listener needs one deadline for all
 *   its requests (Linux's per-request timers collapsed into one wake-up);
 * - a doubly linked list in arrival order, for "recycle the oldest half-open entry".
 * Rows live in slots recycled through a free list; arrays grow by doubling up to the capacity.
 */

/** Row option bits. */
export const REQ_SACK = 1;
export const REQ_TS = 2;
/** The final ACK came while the accept queue was full (Linux inet_rsk(req)->acked). */
export const REQ_ACKED = 4;
/** ECN agreed (Linux inet_rsk(req)->ecn_ok, tcp_ecn_create_request). */
export const REQ_ECN = 8;

const NONE = -1;

export class RequestTable {
  // Row fields (read and written directly by the listener).
  raddr = new Uint32Array(0);
  rport = new Uint16Array(0);
  laddr = new Uint32Array(0);
  /** Peer's ISN (RCV.IRS) and ours (ISS). */
  irs = new Uint32Array(0);
  iss = new Uint32Array(0);
  /** Peer's last TSval (TS.Recent) and our TSval offset. */
  tsRecent = new Uint32Array(0);
  tsOff = new Uint32Array(0);
  /** Peer's MSS option (0 = none), window-scale shift (-1 = none), option bits. */
  peerMss = new Uint16Array(0);
  peerWscale = new Int8Array(0);
  opts = new Uint8Array(0);
  /** Timer expiries so far (Linux num_timeout) and SYN-ACK retransmissions (num_retrans). */
  timeouts = new Uint8Array(0);
  retrans = new Uint8Array(0);
  /** The peer's receive window from its SYN. */
  peerWindow = new Uint16Array(0);
  created = new Float64Array(0);
  /** When the first SYN-ACK left (for the handshake RTT sample). */
  synAckAt = new Float64Array(0);
  /** When a duplicate SYN or out-of-window segment was last answered (Linux last_oow_ack_time), -Infinity = never. */
  lastOow = new Float64Array(0);
  /** A caller-defined integer per row (the SYN cache's bucket). */
  tag = new Int32Array(0);

  private expiry = new Float64Array(0);
  private order = new Float64Array(0);
  private heapPos = new Int32Array(0);
  private heap = new Int32Array(0);
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  private index = new Int32Array(0);
  private indexMask = 0;
  private free: number[] = [];
  private allocated = 0;
  private heapSize = 0;
  private inserted = 0;
  private head = NONE; // oldest row
  private tail = NONE; // newest row
  private count = 0;

  constructor(readonly capacity: number) {
    this.grow(Math.min(capacity, 64));
  }

  get size(): number {
    return this.count;
  }

  /** Earliest timer expiry over all rows, or Infinity. */
  get nextExpiry(): number {
    return this.heapSize === 0 ? Infinity : this.expiry[this.heap[0]!]!;
  }

  /** The row whose timer expires first, or -1. */
  get firstExpiring(): number {
    return this.heapSize === 0 ? NONE : this.heap[0]!;
  }

  /** The oldest row by arrival, or -1. */
  get oldest(): number {
    return this.head;
  }

  /** Row for a peer, or -1. */
  find(raddr: number, rport: number, laddr: number): number {
    const index = this.index;
    const mask = this.indexMask;
    for (let i = hashPeer(raddr, rport) & mask; ; i = (i + 1) & mask) {
      const s = index[i]! - 1;
      if (s === NONE) return NONE;
      if (this.raddr[s] === raddr && this.rport[s] === rport && this.laddr[s] === laddr) return s;
    }
  }

  /**
   * The sequence number of the next timer arming, for the tie key callers give `insert` and
   * `setExpiry` (rows expiring at the same time run in ascending key order).
   */
  nextArm(): number {
    return this.inserted++;
  }

  /**
   * Adds a row with its first timer expiry; -1 when the table is at capacity. Fields are zeroed.
   * `order` breaks ties between equal expiries (default: first armed, first run).
   */
  insert(raddr: number, rport: number, laddr: number, now: number, expiry: number, order = this.inserted++): number {
    if (this.count >= this.capacity) return NONE;
    if (this.free.length === 0 && this.allocated === this.raddr.length)
      this.grow(Math.min(this.capacity, this.allocated * 2));
    const s = this.free.length > 0 ? this.free.pop()! : this.allocated++;
    this.raddr[s] = raddr;
    this.rport[s] = rport;
    this.laddr[s] = laddr;
    this.irs[s] = 0;
    this.iss[s] = 0;
    this.tsRecent[s] = 0;
    this.tsOff[s] = 0;
    this.peerMss[s] = 0;
    this.peerWscale[s] = -1;
    this.opts[s] = 0;
    this.timeouts[s] = 0;
    this.retrans[s] = 0;
    this.peerWindow[s] = 0;
    this.tag[s] = 0;
    this.created[s] = now;
    this.synAckAt[s] = now;
    this.lastOow[s] = -Infinity;
    this.count++;
    this.indexAdd(s);
    // arrival list: append at the tail
    this.older[s] = this.tail;
    this.newer[s] = NONE;
    if (this.tail !== NONE) this.newer[this.tail] = s;
    else this.head = s;
    this.tail = s;
    // timer heap
    this.expiry[s] = expiry;
    this.order[s] = order;
    this.heapPos[s] = this.heapSize;
    this.heap[this.heapSize++] = s;
    this.siftUp(this.heapSize - 1);
    return s;
  }

  remove(s: number): void {
    this.count--;
    this.indexRemove(s);
    const o = this.older[s]!,
      n = this.newer[s]!;
    if (o !== NONE) this.newer[o] = n;
    else this.head = n;
    if (n !== NONE) this.older[n] = o;
    else this.tail = o;
    const pos = this.heapPos[s]!;
    const last = this.heap[--this.heapSize]!;
    if (pos < this.heapSize) {
      this.heap[pos] = last;
      this.heapPos[last] = pos;
      this.siftDown(pos);
      this.siftUp(this.heapPos[last]!);
    }
    this.heapPos[s] = NONE;
    this.free.push(s);
  }

  expiryOf(s: number): number {
    return this.expiry[s]!;
  }

  /** Moves a row's timer (earlier or later); `order` as for `insert`. */
  setExpiry(s: number, t: number, order = this.inserted++): void {
    this.expiry[s] = t;
    this.order[s] = order;
    const pos = this.heapPos[s]!;
    this.siftUp(pos);
    this.siftDown(this.heapPos[s]!);
  }

  private before(a: number, b: number): boolean {
    const ta = this.expiry[a]!,
      tb = this.expiry[b]!;
    return ta < tb || (ta === tb && this.order[a]! < this.order[b]!);
  }

  private siftUp(pos: number): void {
    const heap = this.heap;
    const s = heap[pos]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (!this.before(s, p)) break;
      heap[pos] = p;
      this.heapPos[p] = pos;
      pos = parent;
    }
    heap[pos] = s;
    this.heapPos[s] = pos;
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const n = this.heapSize;
    const s = heap[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(heap[child + 1]!, heap[child]!)) child++;
      const c = heap[child]!;
      if (!this.before(c, s)) break;
      heap[pos] = c;
      this.heapPos[c] = pos;
      pos = child;
    }
    heap[pos] = s;
    this.heapPos[s] = pos;
  }

  private indexAdd(s: number): void {
    const mask = this.indexMask;
    let i = hashPeer(this.raddr[s]!, this.rport[s]!) & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = s + 1;
  }

  /** Linear-probing deletion by backward shift: no tombstones, probe chains stay short. */
  private indexRemove(s: number): void {
    const index = this.index;
    const mask = this.indexMask;
    let i = hashPeer(this.raddr[s]!, this.rport[s]!) & mask;
    while (index[i] !== s + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const t = index[j]! - 1;
      if (t === NONE) break;
      const home = hashPeer(this.raddr[t]!, this.rport[t]!) & mask;
      // t may move into the hole at i if its home is not cyclically within (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        index[i] = t + 1;
        i = j;
      }
    }
    index[i] = 0;
  }

  private grow(n: number): void {
    this.raddr = growU32(this.raddr, n);
    this.laddr = growU32(this.laddr, n);
    this.irs = growU32(this.irs, n);
    this.iss = growU32(this.iss, n);
    this.tsRecent = growU32(this.tsRecent, n);
    this.tsOff = growU32(this.tsOff, n);
    const rport = new Uint16Array(n);
    rport.set(this.rport);
    this.rport = rport;
    const peerMss = new Uint16Array(n);
    peerMss.set(this.peerMss);
    this.peerMss = peerMss;
    const peerWindow = new Uint16Array(n);
    peerWindow.set(this.peerWindow);
    this.peerWindow = peerWindow;
    const peerWscale = new Int8Array(n);
    peerWscale.set(this.peerWscale);
    this.peerWscale = peerWscale;
    const opts = new Uint8Array(n);
    opts.set(this.opts);
    this.opts = opts;
    const timeouts = new Uint8Array(n);
    timeouts.set(this.timeouts);
    this.timeouts = timeouts;
    const retrans = new Uint8Array(n);
    retrans.set(this.retrans);
    this.retrans = retrans;
    this.created = growF64(this.created, n);
    this.synAckAt = growF64(this.synAckAt, n);
    this.lastOow = growF64(this.lastOow, n);
    this.expiry = growF64(this.expiry, n);
    this.order = growF64(this.order, n);
    this.tag = growI32(this.tag, n);
    this.heapPos = growI32(this.heapPos, n);
    this.heap = growI32(this.heap, n);
    this.older = growI32(this.older, n);
    this.newer = growI32(this.newer, n);
    // index at load factor <= 1/2, rebuilt over the live rows
    let size = 16;
    while (size < 2 * n) size *= 2;
    this.index = new Int32Array(size);
    this.indexMask = size - 1;
    for (let s = this.head; s !== NONE; s = this.newer[s]!) this.indexAdd(s);
  }
}

function hashPeer(raddr: number, rport: number): number {
  let h = Math.imul(raddr ^ (rport << 16) ^ rport, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

function growU32(a: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function growF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
