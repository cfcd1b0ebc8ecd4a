import { defineConfig } from 'vitest/config';

/**
 * One vitest run for the whole tree, split in two projects:
 * - `unit`: tests beside the code (`src/**\/*.test.ts`), no server needed, run in parallel;
 * - `integration`: tests in each package's `test/` folder and in examples, against the real
 *   servers that `pnpm services up` starts; run one file at a time because they share those servers.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          globalSetup: ['./scripts/vitest-services-env.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
