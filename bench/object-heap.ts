/**
 * The baseline the scheduler benchmark compares against: the textbook event queue most simulators
 * in JavaScript start with, a binary min-heap over an array of event objects ordered by
 * (time, insertion order). One object is allocated per scheduled event.
 */

export interface HeapEvent<H> {
  time: number;
  order: number;
  handler: H;
  tag: number;
  data: unknown;
}

export class ObjectHeap<H> {
  private items: HeapEvent<H>[] = [];
  private inserted = 0;

  get size(): number {
    return this.items.length;
  }

  push(time: number, handler: H, tag: number, data: unknown): void {
    const ev: HeapEvent<H> = { time, order: this.inserted++, handler, tag, data };
    const items = this.items;
    let pos = items.length;
    items.push(ev);
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = items[parent]!;
      if (!earlier(ev, p)) break;
      items[pos] = p;
      pos = parent;
    }
    items[pos] = ev;
  }

  pop(): HeapEvent<H> | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let pos = 0;
      for (;;) {
        let child = 2 * pos + 1;
        if (child >= n) break;
        if (child + 1 < n && earlier(items[child + 1]!, items[child]!)) child++;
        if (!earlier(items[child]!, last)) break;
        items[pos] = items[child]!;
        pos = child;
      }
      items[pos] = last;
    }
    return top;
  }
}

function earlier<H>(a: HeapEvent<H>, b: HeapEvent<H>): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}
