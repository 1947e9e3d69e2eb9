import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:tutorial`: the "Add a subgraph" tutorial followed in a copy of the repository.
 * Minutes long, so not among `npm test`'s projects (it matches neither *.test.ts nor *.e2e.ts).
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/tutorial/*.tutorial.ts'],
    // Nothing may leave loopback: no usage reporting, no traces (see the root vitest.config.ts).
    env: { APOLLO_TELEMETRY_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none', PACT_DO_NOT_TRACK: 'true' },
    // Each step has its own bound (tutorial-steps.ts); this one is for all of them together.
    testTimeout: 20 * 60_000,
    hookTimeout: 2 * 60_000,
  },
});
