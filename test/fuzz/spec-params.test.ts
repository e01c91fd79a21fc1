/**
 * Issue 13: any spec that validate accepts runs without an internal error. fast-check draws `tcp:`
 * values from anywhere in the parameter table's allowed ranges (extremes included) for a short
 * experiment with clients, a SYN flood and a listener that never accepts; validate either refuses
 * the draw (cross-field rules) or the run completes.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { formatDuration } from '../../src/sim/time.ts';
import { HZ_VALUES } from '../../src/tcp/timer-wheel.ts';
import { TCP_PARAM_TABLE } from '../../src/tcp/param-table.ts';
import type { ParamInfo } from '../../src/tcp/param-info.ts';
import { loadExperimentText } from '../../src/experiment/load.ts';
import { executeRun } from '../../src/experiment/run.ts';

function yamlValue(info: ParamInfo): fc.Arbitrary<string> {
  const k = info.kind;
  if (typeof k === 'object') return fc.constantFrom(...k.oneOf.map(String));
  if (k === 'bool') return fc.constantFrom('true', 'false');
  if (k === 'hz') return fc.constantFrom(...HZ_VALUES.map(String));
  // a flags sysctl (tcp_fastopen): any sum of its bits
  if (info.bits !== undefined) return fc.subarray([...info.bits]).map((b) => String(b.reduce((a, x) => a | x, 0)));
  const min = info.min ?? 0;
  const max = info.max ?? 2 ** 31 - 1;
  const show = (n: number): string => (k === 'duration' ? formatDuration(n) : String(n));
  const mid = fc.integer({ min, max: Math.min(max, Math.max(min, k === 'duration' ? 5e9 : 5000)) });
  return fc.oneof(
    fc.constantFrom(show(min), show(max)),
    mid.map(show),
    ...(info.zero !== undefined ? [fc.constant(show(0))] : []),
  );
}

const tcpArb = fc.record(
  Object.fromEntries(Object.entries(TCP_PARAM_TABLE).map(([key, info]) => [key, yamlValue(info)])),
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string>>;

const spec = (tcp: Record<string, string>) => `name: p
topology: { generator: star, clients: 3, latency: 2ms, bandwidth: 10Mbps }
duration: 3s
tcp: { ${Object.entries(tcp)
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ')} }
apps:
  web: { kind: server, on: server, port: 80, responseBytes: 3KB }
  deaf: { kind: script, on: server, steps: [ {at: 0s, listen: 81, backlog: 1} ] }
  users: { kind: client, on: client, target: server:80, rate: 20/s, stop: 2s }
  knock: { kind: client, on: client1, target: server:81, rate: 20/s, stop: 2s }
  flood: { kind: synflood, on: client2, target: server:80, rate: 300/s, stop: 2s }
`;

it('a spec validate accepts, with tcp: values from anywhere in the table, runs without an internal error', () => {
  let ran = 0;
  fc.assert(
    fc.property(tcpArb, (tcp) => {
      let r = loadExperimentText(spec(tcp), 'p.yaml');
      for (let i = 0; i < 3 && !r.ok; i++) {
        // only cross-field rules (minRto ≤ maxRto, …) may refuse a draw from the allowed ranges:
        // drop the fields they name and try again
        for (const e of r.errors) {
          expect(e.message, e.path).toMatch(/ is above /);
          for (const m of e.message.matchAll(/(\w+) \(/g)) delete tcp[m[1]!];
        }
        r = loadExperimentText(spec(tcp), 'p.yaml');
      }
      if (!r.ok) return;
      executeRun(r.value.runs[0]!, { trace: false, pcap: false });
      ran++;
    }),
    { numRuns: 40, seed: 13 },
  );
  expect(ran).toBeGreaterThanOrEqual(30);
}, 120_000);
