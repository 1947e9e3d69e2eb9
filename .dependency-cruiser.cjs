/* global module -- dependency-cruiser reads a CommonJS config */
/** The architecture as rules: `npm run lint` runs them (depcruise), so a change cannot break a layer silently. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which module owns what: each module points one way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'service-kit-is-a-library',
      severity: 'error',
      comment: 'service-kit is what every service shares: it knows no service, gateway, storefront, script, bench or test.',
      from: { path: '^service-kit/src' },
      to: { path: '^(subgraphs|gateway|storefront|scripts|bench|chaos|test|sdk)/' },
    },
    {
      name: 'subgraphs-stand-alone',
      severity: 'error',
      comment: 'A subgraph owns its data and reaches another only over GraphQL: it imports no other subgraph and not the gateway.',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^(subgraphs/(?!$1/)|gateway/)' },
    },
    {
      name: 'gateway-knows-no-subgraph',
      severity: 'error',
      comment: 'The gateway serves any supergraph: it imports no subgraph code.',
      from: { path: '^gateway/src' },
      to: { path: '^subgraphs/' },
    },
    {
      name: 'storefront-through-the-sdk',
      severity: 'error',
      comment: 'The storefront is built only on the SDK, as any frontend would be: no server code.',
      from: { path: '^storefront/src' },
      to: { path: '^(service-kit|subgraphs|gateway|scripts|bench|chaos|test)/' },
    },
    {
      name: 'sdk-stands-alone',
      severity: 'error',
      comment: 'The SDK is published to frontends: it must not pull in server code.',
      from: { path: '^sdk/src' },
      to: { path: '^(service-kit|subgraphs|gateway|storefront|scripts|bench|chaos|test)/' },
    },
    {
      name: 'no-source-imports-tooling',
      severity: 'error',
      comment: 'Shipped code never depends on the tests, the bench or the scripts that drive it.',
      from: { path: '^(service-kit|subgraphs/[^/]+|gateway|sdk|storefront)/src' },
      to: { path: '^(test|bench|chaos|scripts)/|/test/' },
    },
    {
      name: 'generated-code-stays-home',
      severity: 'error',
      comment: 'Codegen output belongs to the package it was generated for: a subgraph\'s resolver types to that subgraph, the SDK\'s documents to the SDK.',
      from: { path: '^(subgraphs/[^/]+|sdk|[^/]+)/' },
      to: { path: '__generated__/', pathNot: '^$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|__generated__/.*\\.json)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { conditionNames: ['source', 'import', 'types', 'default'], exportsFields: ['exports'] },
    combinedDependencies: true,
  },
};
