/**
 * The playground's opening preset as the README describes it: the handshake experiment at one seed
 * instead of three and 2 requests/s instead of 4, 48 runs instead of 144, and the CLI command that
 * gives its summary.json (the browser test runs that command and compares the bytes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.ts';
import { DEFAULT_PRESET, variantCommand, VARIANTS } from '../../web/src/variants.ts';

const ROOT = join(import.meta.dirname, '../..');

it("README states the opening preset's runs, seeds, rate and command as they are", () => {
  const v = VARIANTS.find((x) => x.name === DEFAULT_PRESET)!;
  expect(v.from).toBe('handshake');
  const file = join(ROOT, 'experiments/handshake.yaml');
  const full = loadExperiment(file);
  const quick = loadExperiment(file, { seeds: v.seeds, set: Object.entries(v.set).map(([p, x]) => `${p}=${x}`) });
  if (!full.ok || !quick.ok) throw new Error('handshake.yaml does not load');
  expect(full.value.spec.seeds).toBe(3);
  expect(full.value.runs).toHaveLength(144);
  expect(quick.value.runs).toHaveLength(48);
  expect((full.value.raw as { apps: { users: { rate: string } } }).apps.users.rate).toBe('4/s');
  expect((quick.value.raw as { apps: { users: { rate: string } } }).apps.users.rate).toBe('2/s');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  expect(readme).toContain('(one seed instead of three, clients at 2 requests/s instead of 4; 48 runs instead of 144)');
  expect(readme).toContain(`(\`${variantCommand(v)}\`)`);
});
