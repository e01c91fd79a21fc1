/**
 * One script, end to end: parse, read its knobs (init command and sourced defaults.sh), refuse
 * honestly what tcplab does not model (SKIP with the feature), else run it on a fresh simulated
 * host with the linux profile and give the verdict.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HostStack } from '../stack/host-stack.ts';
import { tcpParams } from '../tcp/params.ts';
import { parseCode } from './code.ts';
import { drillConfig } from './config.ts';
import { unsupportedFeature } from './features.ts';
import type { DrillStackFactory } from './host.ts';
import { parseScript } from './parser.ts';
import { ScriptRun } from './runner.ts';
import { sysctlsFromCommands, type ReadScriptFile } from './sysctl.ts';

/** ERROR: the script does not parse (packetdrill's own verdict for a malformed script). */
export type Verdict = 'PASS' | 'FAIL' | 'SKIP' | 'ERROR';

export interface DrillResult {
  verdict: Verdict;
  /** '' for PASS; the first mismatch for FAIL; the missing feature for SKIP; the parse error for ERROR. */
  reason: string;
}

export interface DrillOptions {
  /** Builds the host under test; default: src/stack's HostStack. */
  stackFactory?: DrillStackFactory;
}

/** The real host stack, seeded so every run of a script is identical. */
export const hostStackFactory: DrillStackFactory = (port, params) => new HostStack(port, params, 1);

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * A file a script's command sources, relative to the script's folder. google/packetdrill reaches
 * one `common/defaults.sh` through symlinks from several depths (`../common/`, `../../common/`,
 * `../../../common/`); a corpus copied without its symlinks has the file once, so when the
 * relative path does not resolve, the nearest ancestor folder holding the path's last two
 * components (`common/defaults.sh`) is used.
 */
export function readSourced(dir: string, p: string): string | null {
  const direct = readOrNull(path.resolve(dir, p));
  if (direct !== null || path.isAbsolute(p)) return direct;
  const tail = p
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .slice(-2);
  if (tail.length === 0) return null;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = readOrNull(path.join(d, ...tail));
    if (found !== null) return found;
    if (path.dirname(d) === d) return null;
  }
}

/** Runs a script's text; `scriptPath` locates the files its commands source. */
/** Linux SKB_TRUESIZE of a TCP send skb's head (x86-64, MAX_TCP_HEADER 320). */
const DRILL_SKB_TRUESIZE = 1280;
/** Parameters a timed sysctl may change: read when a socket connects or a SYN arrives (the upstream fastopen scripts write them between sockets). */
const RUNTIME_SYSCTLS: ReadonlySet<string> = new Set([
  'fastOpen',
  'fastOpenKey',
  'timestamps',
  'sack',
  'windowScaling',
  'ecn',
]);

export function runScriptSource(src: string, scriptPath: string, options: DrillOptions = {}): DrillResult {
  const parsed = parseScript(src);
  if (!parsed.ok) {
    // A script the parser rejects says nothing about the engine: ERROR, never a SKIP that would
    // hide a parser gap, nor a FAIL that would blame the engine.
    const e = parsed.error;
    return { verdict: 'ERROR', reason: `line ${e.line}: ${e.code === 'semantic' ? '' : 'syntax: '}${e.message}` };
  }
  const script = parsed.script;
  for (const ev of script.events) {
    if (ev.type !== 'code') continue;
    const code = parseCode(ev.code);
    if (!code.ok) return { verdict: 'ERROR', reason: `line ${ev.line}: ${code.reason}` };
  }
  const dir = path.dirname(scriptPath);
  const read: ReadScriptFile = (p) => readSourced(dir, p);
  const knobs =
    script.initCommand === null
      ? { params: {}, errors: [] as string[] }
      : sysctlsFromCommands(script.initCommand.command, read);
  if (knobs.errors.length > 0)
    return { verdict: 'FAIL', reason: `line ${script.initCommand!.line}: init command: ${knobs.errors[0]}` };
  // A timed sysctl is applied for the sockets made after it when Linux reads it only as a socket
  // opens (RUNTIME_SYSCTLS); any other change mid-script is a SKIP.
  const changesParams = (command: string): boolean => {
    const r = sysctlsFromCommands(command, read);
    return Object.keys(r.params).some((k) => !RUNTIME_SYSCTLS.has(k)) || r.errors.length > 0;
  };
  const gap = unsupportedFeature(script, changesParams);
  if (gap !== null) return { verdict: 'SKIP', reason: gap };
  const config = drillConfig(script);
  if (!config.ok) return { verdict: 'FAIL', reason: config.error };
  // Packetdrill's timing assumes a HZ 1000 kernel: at HZ 250 a 4 s RTO sits on the wheel's 256 ms
  // level and the corpus's retry schedules (tcplab/*.pkt: ETIMEDOUT checked 100 ms after the last
  // RTO) pass only for some jiffies phases; at HZ 1000 they pass for every phase
  // (docs/linux-timers.md). Jiffies start at 0 with the script.
  // The send buffer is charged per skb as the kernel does (skb heads of SKB_TRUESIZE, 1280 bytes on
  // x86-64): the suite's write() returns and POLLOUT wake-ups count them (send-skbs.ts).
  const params = tcpParams('linux', { hz: 1000, jiffies: 'zero', skbTruesize: DRILL_SKB_TRUESIZE, ...knobs.params });
  try {
    const run = new ScriptRun(script, config.config, params, options.stackFactory ?? hostStackFactory);
    const failure = run.run();
    return failure === null ? { verdict: 'PASS', reason: '' } : { verdict: 'FAIL', reason: failure };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // Where it was thrown, without machine-specific paths or line numbers (the scoreboard is committed).
    const frame = err.stack?.split('\n').find((l) => l.includes('/src/')) ?? '';
    const m = /\/(src\/[^:)]+)/.exec(frame);
    return { verdict: 'FAIL', reason: `engine error: ${err.message}${m ? ` (in ${m[1]})` : ''}` };
  }
}

/** Reads and runs one script file. */
export function runScriptFile(file: string, options: DrillOptions = {}): DrillResult {
  let src: string;
  try {
    src = readFileSync(file, 'utf8');
  } catch (e) {
    return { verdict: 'FAIL', reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  return runScriptSource(src, file, options);
}
