import { defineConfig } from 'vitest/config';

// Under CI a JSON reporter is added so .ci/run can print the plain "N passed, N failed" line.
const reporters: any[] = process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters,
  },
});
