/**
 * The topology's nodes by name and by group, and what an app's `on:` and `target:` resolve to:
 * shared by the world builder and the cost estimate, so both read a spec the same way.
 */
import type { NodeDef } from '../net/topology-def.ts';
import type { ClientApp, ExperimentSpec, ServerApp } from './spec-types.ts';

/**
 * Name and group look-ups built once per world (and per topology for the cost estimate): with 100k
 * hosts, a scan of the node list per host or per client instance would make building the world
 * quadratic.
 */
export class NodeIndex {
  private readonly byName = new Map<string, NodeDef>();
  private readonly byGroup = new Map<string, string[]>();

  constructor(nodes: readonly NodeDef[]) {
    for (const n of nodes) {
      this.byName.set(n.name, n);
      const g = this.byGroup.get(n.group);
      if (g) g.push(n.name);
      else this.byGroup.set(n.group, [n.name]);
    }
  }

  def(name: string): NodeDef {
    return this.byName.get(name)!;
  }

  /** The nodes an app runs on: the node itself, or every member of the group. */
  members(on: string): readonly string[] {
    return this.byGroup.get(on) ?? (this.byName.has(on) ? [on] : []);
  }

  /** A host's series label: its group's name when the group has several members, else its own. */
  label(name: string): string {
    const group = this.byName.get(name)!.group;
    return (this.byGroup.get(group)?.length ?? 0) > 1 ? group : name;
  }
}

/** The server app a client targets, if any (its response size and stream limit). */
export function serverFor(spec: ExperimentSpec, nodes: NodeIndex, client: ClientApp): ServerApp | undefined {
  for (const app of Object.values(spec.apps)) {
    if (app.kind === 'server' && app.port === client.target.port && nodes.members(app.on).includes(client.target.node))
      return app;
  }
  return undefined;
}
