/**
 * Routing: computed once, when the network is built. Every router and every multi-homed host gets
 * a table from a Dijkstra search on link latency; single-homed hosts send everything through their
 * only link (their default gateway).
 *
 * Path cost is compared as (total latency, hop count, rank of the first link at the source): the
 * hop count breaks latency ties toward shorter paths and keeps zero-latency links loop-free, and
 * the first-link rank (the order links are listed in the topology) makes the choice among equal
 * paths deterministic. This order is preserved when a path is extended by a link, so Dijkstra
 * finds the least path under it. Forwarding is hop by hop: the next hop follows its own least path,
 * which has the same (latency, hops) as the rest of ours, so the remaining cost strictly falls at
 * every hop and no packet loops.
 *
 * Hosts are leaves: a path may end at a host but never pass through one (Linux hosts do not
 * forward unless told to).
 */
import type { LinkDirection } from './link.ts';
import type { NetNode } from './node.ts';

/** Fills every node's forwarding table. */
export function computeRoutes(nodes: readonly NetNode[]): void {
  for (const node of nodes) {
    // A single-homed host sends everything through its only link (Host.send): no table to fill.
    if (node.kind === 'host' && node.interfaces.length <= 1) continue;
    const table = node.routes;
    table.fallback = node.kind === 'host' ? node.interfaces[0]! : null;
    table.next = shortestFirstHops(nodes, node);
  }
}

/** For every destination node index, the first link direction of the least path from `source` (null if none). */
export function shortestFirstHops(nodes: readonly NetNode[], source: NetNode): (LinkDirection | null)[] {
  const n = nodes.length;
  const dist = new Float64Array(n).fill(Infinity);
  const hops = new Float64Array(n).fill(Infinity);
  const first = new Int32Array(n).fill(-1); // rank of the first link at the source
  const done = new Uint8Array(n);
  const heap = new LabelHeap(dist, hops, first);
  dist[source.index] = 0;
  hops[source.index] = 0;
  heap.push(source.index);
  while (heap.size > 0) {
    const u = heap.pop();
    if (done[u]) continue;
    done[u] = 1;
    const node = nodes[u]!;
    if (node.kind === 'host' && node !== source) continue; // hosts do not forward
    const ifaces = node.interfaces;
    for (let k = 0; k < ifaces.length; k++) {
      const dir = ifaces[k]!;
      const v = dir.to.index;
      if (done[v]) continue;
      const d = dist[u]! + dir.config.latency;
      const h = hops[u]! + 1;
      const f = u === source.index ? k : first[u]!;
      if (d < dist[v]! || (d === dist[v]! && (h < hops[v]! || (h === hops[v]! && f < first[v]!)))) {
        dist[v] = d;
        hops[v] = h;
        first[v] = f;
        heap.push(v);
      }
    }
  }
  const next: (LinkDirection | null)[] = new Array<LinkDirection | null>(n).fill(null);
  for (let v = 0; v < n; v++) if (v !== source.index && first[v]! >= 0) next[v] = source.interfaces[first[v]!]!;
  return next;
}

/**
 * A binary heap of node indices keyed by their (dist, hops, first, index) at push time; stale
 * entries are skipped by the caller. Keys sit in parallel number arrays and swaps move plain
 * numbers: nothing is allocated per push or per swap (a 10^5-host star pushes 10^5 labels).
 */
class LabelHeap {
  private items: number[] = [];
  private kDist: number[] = [];
  private kHops: number[] = [];
  private kFirst: number[] = [];

  constructor(
    private dist: Float64Array,
    private hops: Float64Array,
    private first: Int32Array,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    // The key is frozen at push time: a later, better label pushes v again.
    this.items.push(v);
    this.kDist.push(this.dist[v]!);
    this.kHops.push(this.hops[v]!);
    this.kFirst.push(this.first[v]!);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number {
    const top = this.items[0]!;
    const last = this.items.length - 1;
    if (last > 0) this.swap(0, last);
    this.items.pop();
    this.kDist.pop();
    this.kHops.pop();
    this.kFirst.pop();
    const n = this.items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const da = this.kDist[a]!,
      db = this.kDist[b]!;
    if (da !== db) return da < db;
    const ha = this.kHops[a]!,
      hb = this.kHops[b]!;
    if (ha !== hb) return ha < hb;
    const fa = this.kFirst[a]!,
      fb = this.kFirst[b]!;
    if (fa !== fb) return fa < fb;
    return this.items[a]! < this.items[b]!;
  }

  private swap(a: number, b: number): void {
    swapIn(this.items, a, b);
    swapIn(this.kDist, a, b);
    swapIn(this.kHops, a, b);
    swapIn(this.kFirst, a, b);
  }
}

function swapIn(xs: number[], a: number, b: number): void {
  const t = xs[a]!;
  xs[a] = xs[b]!;
  xs[b] = t;
}
