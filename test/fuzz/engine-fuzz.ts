/**
 * The engine fuzz: cases of random and mutated segments, timers and user calls (the model in
 * test/tcp/engine-fuzz-model.ts) against a connection in every state, both profiles, ISNs near
 * the 2^32 wrap, and half of the cases with parameters drawn from the parameter table's allowed
 * ranges (extremes included) as validate accepts them. Counts what it tried and what broke, so
 * `npm run fuzz` can report and the suite can run a bounded slice.
 */
import fc from 'fast-check';
import { checkTcpConsistency } from '../../src/experiment/tcp-spec.ts';
import { Problems } from '../../src/experiment/errors.ts';
import { HZ_VALUES } from '../../src/tcp/timer-wheel.ts';
import { TCP_PARAM_TABLE } from '../../src/tcp/param-table.ts';
import type { ParamInfo } from '../../src/tcp/param-info.ts';
import { tcpParams, type TcpParams } from '../../src/tcp/params.ts';
import { SEC } from '../../src/sim/time.ts';
import { FIXTURES, InvariantError, NEAR_WRAP, op, runCase, type Op } from '../tcp/engine-fuzz-model.ts';

export interface FuzzReport {
  cases: number;
  /** Segments delivered (random, or echoes of ours mutated). */
  segments: number;
  steps: number;
  /** Cases run with parameters from the table rather than a profile's defaults. */
  tableCases: number;
  crashes: { message: string; fixture: string; profile: string; params: Partial<TcpParams> }[];
  violations: { message: string; fixture: string; profile: string; params: Partial<TcpParams> }[];
  /** Cases that took over a second of wall time (a livelock shows up as one that never ends). */
  slow: number;
}

/** A value in the parameter's allowed range: often an extreme, else somewhere in a sane part of it. */
function valueArb(info: ParamInfo): fc.Arbitrary<unknown> {
  const k = info.kind;
  if (typeof k === 'object') return fc.constantFrom(...k.oneOf);
  if (k === 'bool') return fc.boolean();
  if (k === 'hz') return fc.constantFrom(...HZ_VALUES);
  const min = info.min ?? 0;
  const max = info.max ?? 2 ** 31 - 1;
  const saneMax = Math.min(max, k === 'duration' ? Math.max(min, 10 * SEC) : Math.max(min, 100_000));
  const values = [fc.constantFrom(min, max), fc.integer({ min, max: saneMax })];
  if (info.zero !== undefined) values.push(fc.constant(0));
  return fc.oneof(...values);
}

const paramsArb: fc.Arbitrary<Partial<TcpParams>> = fc.record(
  Object.fromEntries(
    Object.entries(TCP_PARAM_TABLE)
      .filter(([key]) => key !== 'profile')
      .map(([key, info]) => [key, valueArb(info)]),
  ),
  { requiredKeys: [] },
) as fc.Arbitrary<Partial<TcpParams>>;

/** Drops overrides that the cross-field rules refuse, as validate would (minRto ≤ maxRto, …). */
function acceptable(profile: 'linux' | 'rfc9293', p: Partial<TcpParams>): Partial<TcpParams> {
  const out = { ...p };
  for (let i = 0; i < 4; i++) {
    const problems = new Problems();
    checkTcpConsistency(problems, [], tcpParams(profile, out));
    if (problems.count === 0) return out;
    for (const pr of problems.list) delete out[pr.path[0] as keyof TcpParams];
  }
  return {};
}

interface CaseSpec {
  fixture: string;
  profile: 'linux' | 'rfc9293';
  wrap: boolean;
  table: boolean;
  params: Partial<TcpParams>;
  ops: Op[];
}

const caseArb: fc.Arbitrary<CaseSpec> = fc.record({
  fixture: fc.constantFrom(...Object.keys(FIXTURES)),
  profile: fc.constantFrom('linux' as const, 'rfc9293' as const),
  wrap: fc.boolean(),
  table: fc.boolean(),
  params: paramsArb,
  ops: fc.array(op, { minLength: 1, maxLength: 40, size: 'max' }),
});

export function fuzzEngine(opts: { segments: number; seed: number; onProgress?: (r: FuzzReport) => void }): FuzzReport {
  const r: FuzzReport = { cases: 0, segments: 0, steps: 0, tableCases: 0, crashes: [], violations: [], slow: 0 };
  let batch = 0;
  while (r.segments < opts.segments) {
    // fc.sample with a seed per batch: reproducible whatever the count, and cheap on memory.
    for (const c of fc.sample(caseArb, { seed: opts.seed * 1_000_003 + batch++, numRuns: 200 })) {
      const params = c.table ? acceptable(c.profile, c.params) : {};
      if (c.table) r.tableCases++;
      const started = performance.now();
      try {
        runCase(FIXTURES[c.fixture]!, c.profile, c.wrap ? NEAR_WRAP : {}, c.ops, params);
      } catch (err) {
        const entry = { message: (err as Error).message, fixture: c.fixture, profile: c.profile, params };
        if (err instanceof InvariantError) r.violations.push(entry);
        else r.crashes.push(entry);
      }
      if (performance.now() - started > 1000) r.slow++;
      r.cases++;
      r.steps += c.ops.length;
      r.segments += c.ops.filter((o) => o.kind === 'seg' || o.kind === 'echo').length;
      if (r.segments >= opts.segments) break;
    }
    opts.onProgress?.(r);
  }
  return r;
}
