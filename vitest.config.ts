import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit` (npm test): no container engine, no daemon, no browser, no bundle — in-memory adapters and pure
 * code, under a minute. `integration` (npm run test:integration): `*.int.test.ts`, with docker, podman, chromium,
 * the fake kind, the real kubectl 1.33 against the API emulator (test/fakes), and the bundled dist/.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', '**/node_modules/**'],
          setupFiles: ['test/setup/isolated-state.ts', 'test/setup/no-engines.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/setup/kubectl.ts'],
          setupFiles: ['test/setup/isolated-state.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
