/**
 * `nstat` as the scripts use it: `nstat > /dev/null` takes a snapshot (nstat prints and remembers
 * what each counter grew by since its last run), `nstat | grep NAME` succeeds only when NAME grew
 * (nstat leaves out counters that did not), which is how a script asserts that a Linux MIB moved.
 * Only the counters the engine keeps are known; a grep for any other is not judged.
 */

/** The counters a stack can report, by nstat name; null when it has none of that kind yet (0). */
export type MibReader = (name: string) => number | null;

export const NSTAT_COUNTERS: ReadonlySet<string> = new Set(['TcpExtOutOfWindowIcmps', 'IcmpInErrors']);

export class Nstat {
  private readonly last = new Map<string, number>();

  /** Runs one shell command; returns a failure message when it is an nstat check that fails, else null. */
  run(command: string, read: MibReader): string | null {
    const text = command.trim();
    if (!/^nstat\b/.test(text)) return null;
    const grep = /\|\s*grep\s+(?:-q\s+)?(\w+)/.exec(text);
    const deltas = new Map<string, number>();
    for (const name of NSTAT_COUNTERS) {
      const now = read(name) ?? 0;
      deltas.set(name, now - (this.last.get(name) ?? 0));
      this.last.set(name, now);
    }
    if (grep === null || !NSTAT_COUNTERS.has(grep[1]!)) return null;
    return (deltas.get(grep[1]!) ?? 0) > 0 ? null : `\`${text}\` failed: ${grep[1]} did not grow since the last nstat`;
  }
}
