import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = [
  // Workspace packages run from their TypeScript sources, as `tsx --conditions=source` does.
  { find: /^@shop\/service-kit$/, replacement: fileURLToPath(new URL('./service-kit/src/index.ts', import.meta.url)) },
  { find: /^@shop\/service-kit\/definitions$/, replacement: fileURLToPath(new URL('./service-kit/src/service-definition.ts', import.meta.url)) },
  { find: /^@shop\/service-kit\/pglite-initdb$/, replacement: fileURLToPath(new URL('./service-kit/src/pglite-initdb.ts', import.meta.url)) },
  { find: /^@shop\/service-kit\/tracing$/, replacement: fileURLToPath(new URL('./service-kit/src/tracing.ts', import.meta.url)) },
  { find: '@shop/sdk', replacement: fileURLToPath(new URL('./sdk/src/index.ts', import.meta.url)) },
  // graphql 16 ships CommonJS (main) and ESM (module) builds; Node, and so Apollo's packages,
  // load the CommonJS one. Our code must get the same copy, as in production, or `instanceof
  // GraphQLError` differs between the two. Only the bare name: `graphql/language/parser` stays itself.
  { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') },
];
// Nothing a test starts may send traffic beyond loopback: no usage reporting (Apollo's, and that of
// Pact's native core in the contract tests), and no tracing unless a test asks for it (a
// developer's own OTEL_* settings would send the tests' spans to their collector). The services a
// test starts as processes serve no metrics unless it gives them a port: two files starting one
// service at once would both claim its default metrics port (and so would a developer's `npm start`).
const env = { APOLLO_TELEMETRY_DISABLED: 'true', NODE_ENV: 'test', METRICS_PORT: '0', OTEL_TRACES_EXPORTER: 'none', PACT_DO_NOT_TRACK: 'true' };

/** What every test that starts servers gets: time for a stack to start, and the set-up that checks the machine first. */
const endToEnd = { testTimeout: 60_000, hookTimeout: 120_000, globalSetup: ['test/support/global-setup.ts'] };

export default defineConfig({
  resolve: { alias },
  test: {
    env,
    // One test process per worker for every file it runs: Apollo, the services and PGlite's
    // compiled WebAssembly load once, not once per file. Each end-to-end file still starts its own
    // stack; no test mocks a module.
    isolate: false,
    // Two files at a time even on two cores: the end-to-end files spend much of their time waiting
    // (on child processes, breaker resets, timeouts), which the other file's work fills.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/test/**/*.test.ts'], exclude: ['**/node_modules/**'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['**/test/**/*.e2e.ts'],
          exclude: ['**/node_modules/**', 'test/lifecycle/**'],
          ...endToEnd,
        },
      },
      {
        extends: true,
        // Whole processes started, stopped on signals, killed and restarted: a minute and more of
        // process start-ups, so `npm test` leaves them to `npm run test:lifecycle` (and CI runs both).
        test: {
          name: 'lifecycle',
          include: ['test/lifecycle/**/*.e2e.ts'],
          ...endToEnd,
        },
      },
    ],
  },
});
