/**
 * Issue 13 item 1: no spec input reaches Object.prototype. The probe runs every override path
 * form with `__proto__`, `constructor` and `prototype` under `node --frozen-intrinsics` (a write to
 * a prototype throws there) and must get exit-2 problems naming the file and the field instead.
 * Before the fix `--set apps.__proto__.stop=1s` wrote Object.prototype.stop.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./pollution-probe.ts', import.meta.url));

interface ProbeResult {
  name: string;
  ok?: boolean;
  errors?: string[];
  threw?: string;
}

describe('prototype pollution', () => {
  it('every path form with a reserved name is refused with a problem naming file and field, never written', () => {
    const stdout = execFileSync(process.execPath, ['--frozen-intrinsics', '--no-warnings', '--import', 'tsx', PROBE], {
      encoding: 'utf8',
    });
    const { cases } = JSON.parse(stdout) as { cases: ProbeResult[] };
    expect(cases.length).toBeGreaterThanOrEqual(51);
    for (const c of cases) {
      expect(c.threw, c.name).toBeUndefined();
      expect(c.ok, c.name).toBe(false);
      expect(
        c.errors!.some((e) => /^(probe|topo)\.yaml: .*"(__proto__|constructor|prototype)" is a reserved name/.test(e)),
        `${c.name}: ${c.errors!.join(' | ')}`,
      ).toBe(true);
    }
  }, 60_000);

  it('the plain-object lookups of names the user did not write find nothing', async () => {
    const { loadExperimentText } = await import('../../src/experiment/load.ts');
    const r = loadExperimentText(
      'name: p\ntopology: { generator: star, clients: 1, latency: 1ms, bandwidth: 1Mbps }\nduration: 1s\napps:\n  c: { kind: client, on: toString, target: hasOwnProperty:80, rate: 1/s }\n',
      'p.yaml',
      { set: ['apps.valueOf.stop=1s'] },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) for (const e of r.errors) expect(e.message).not.toMatch(/function|native code/);
  });
});
