/**
 * One script, end to end: parse, read its knobs (init command and sourced defaults.sh), refuse
 * honestly what tcplab does not model (SKIP with the feature), else run it on a fresh simulated
 * host with the linux profile and give the verdict.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HostStack } from '../stack/host-stack.ts';
import { tcpParams } from '../tcp/params.ts';
import { drillConfig } from './config.ts';
import { unsupportedFeature } from './features.ts';
import type { DrillStackFactory } from './host.ts';
import { parseScript } from './parser.ts';
import { ScriptRun } from './runner.ts';
import { sysctlsFromCommands, type ReadScriptFile } from './sysctl.ts';

export type Verdict = 'PASS' | 'FAIL' | 'SKIP';

export interface DrillResult {
  verdict: Verdict;
  /** '' for PASS; the first mismatch for FAIL; the missing feature for SKIP. */
  reason: string;
}

export interface DrillOptions {
  /** Builds the host under test; default: src/stack's HostStack. */
  stackFactory?: DrillStackFactory;
}

/** The real host stack, seeded so every run of a script is identical. */
export const hostStackFactory: DrillStackFactory = (port, params) => new HostStack(port, params, 1);

/** Runs a script's text; `scriptPath` locates the files its commands source. */
export function runScriptSource(src: string, scriptPath: string, options: DrillOptions = {}): DrillResult {
  const parsed = parseScript(src);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e.code === 'semantic') return { verdict: 'FAIL', reason: `line ${e.line}: ${e.message}` };
    return { verdict: 'SKIP', reason: `syntax tcplab does not parse (line ${e.line}: ${e.message})` };
  }
  const script = parsed.script;
  const dir = path.dirname(scriptPath);
  const read: ReadScriptFile = (p) => {
    try {
      return readFileSync(path.resolve(dir, p), 'utf8');
    } catch {
      return null;
    }
  };
  const config = drillConfig(script);
  if (!config.ok) return { verdict: 'FAIL', reason: config.error };
  const knobs = script.initCommand === null ? { params: {}, errors: [] as string[] } : sysctlsFromCommands(script.initCommand.command, read);
  if (knobs.errors.length > 0) return { verdict: 'FAIL', reason: `line ${script.initCommand!.line}: init command: ${knobs.errors[0]}` };
  const changesParams = (command: string): boolean => {
    const r = sysctlsFromCommands(command, read);
    return Object.keys(r.params).length > 0 || r.errors.length > 0;
  };
  const gap = unsupportedFeature(script, changesParams);
  if (gap !== null) return { verdict: 'SKIP', reason: gap };
  // Packetdrill's timing assumes a HZ 1000 kernel: at HZ 250 a 4 s RTO sits on the wheel's 256 ms
  // level and the corpus's retry schedules (tcplab/*.pkt: ETIMEDOUT checked 100 ms after the last
  // RTO) pass only for some jiffies phases; at HZ 1000 they pass for every phase
  // (docs/linux-timers.md). Jiffies start at 0 with the script.
  const params = tcpParams('linux', { hz: 1000, jiffies: 'zero', ...knobs.params });
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
