/**
 * The world's TCP stacks by host name, held in an array by node index and found through the
 * network's own name map: a Map of its own would cost ~46 bytes per host in its hash table for
 * the life of the world (10^5 hosts: 4.6 MB). Iterates in host order (the network's), the order
 * the world builder adds them in.
 */
import type { Host } from '../net/host.ts';
import type { Network } from '../net/network.ts';
import type { HostStack } from '../stack/host-stack.ts';

export class HostStacks implements Iterable<[string, HostStack]> {
  private readonly byIndex: (HostStack | undefined)[];
  private count = 0;

  constructor(private readonly network: Network) {
    this.byIndex = new Array<HostStack | undefined>(network.nodes.length).fill(undefined);
  }

  /** Gives `host` its stack (once). */
  add(host: Host, stack: HostStack): void {
    if (this.byIndex[host.index] !== undefined) throw new Error(`host ${host.name} has a stack already`);
    this.byIndex[host.index] = stack;
    this.count++;
  }

  /** The stack of the host of that name, or undefined (a router, or no such node). */
  get(name: string): HostStack | undefined {
    const node = this.network.nodeByName(name);
    return node === undefined ? undefined : this.byIndex[node.index];
  }

  get size(): number {
    return this.count;
  }

  *[Symbol.iterator](): Iterator<[string, HostStack]> {
    for (const h of this.network.hosts) {
      const stack = this.byIndex[h.index];
      if (stack !== undefined) yield [h.name, stack];
    }
  }
}
