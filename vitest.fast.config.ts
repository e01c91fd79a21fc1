import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:fast`: the edit loop's subset (under a minute on two cores). It leaves out what
 * spawns the CLI, runs whole flagship experiments, starts a browser or replays the corpora; the
 * full `npm test` (what CI runs) has them all.
 */
export const slowTests = [
  'test/cli/**',
  'test/web/**',
  'test/readme.test.ts',
  'test/report/flagship-labels.test.ts',
  'test/report/browser.test.ts',
  'test/report/report-folder.test.ts',
  'test/experiment/flagship.test.ts',
  'test/experiment/merge.test.ts',
  'test/experiment/world-determinism.test.ts',
  'test/experiment/batch*.test.ts',
  'test/experiment/pool.test.ts',
  'test/security/**',
  'test/fuzz/**',
  'test/drill/corpus.test.ts',
  'test/linux/**',
];

export default mergeConfig(
  base,
  defineConfig({
    // The fast files share module caches between them (no file keeps global state: no global simulator).
    test: { exclude: [...slowTests, 'node_modules/**'], isolate: false },
  }),
);
