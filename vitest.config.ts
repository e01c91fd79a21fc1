import { defineConfig } from 'vitest/config';

// Under CI a JSON reporter is added so .ci/run can print the plain "N passed, N failed" line.
// The skip reporter ends every run with what was skipped and why (e.g. no ../shared corpus).
const skipReporter = './test/skip-reporter.ts';
const reporters: any[] = process.env.CI
  ? ['default', skipReporter, ['json', { outputFile: '.vitest-results.json' }]]
  : ['default', skipReporter];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The CLI spawned by tests runs the TypeScript sources, never a dist/ build that may lag them
    // (test/cli/build.test.ts checks the build separately).
    env: { TCPLAB_FROM_SOURCE: '1' },
    reporters,
  },
});
