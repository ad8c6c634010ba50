import { defineConfig } from 'vitest/config';

// Real-browser tests against the `--mode e2e` builds (see test/e2e/README in README.md).
// One file at a time: each launches a browser and the CI machine has two cores.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
