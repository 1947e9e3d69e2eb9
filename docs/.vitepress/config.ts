import { withMermaid } from 'vitepress-plugin-mermaid';

/**
 * The docs site (`npm run docs` serves it, `npm run docs:build` builds it into .vitepress/dist).
 * Pages link to each other as relative `.md` files, so the same links work on GitHub; the build
 * fails on a link to a page that does not exist. Links to http://localhost:… are the examples'
 * addresses (a running `npm start`), not pages, so they alone are let through.
 */
export default withMermaid({
  title: 'Shop supergraph',
  description: 'A federated GraphQL backend for online shops: users, products and orders behind one Apollo Federation 2 gateway.',
  lang: 'en-GB',
  ignoreDeadLinks: 'localhostLinks',
  lastUpdated: false,
  themeConfig: {
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    nav: [
      { text: 'Use the API', link: '/use/' },
      { text: 'Extend it', link: '/extend/architecture' },
      { text: 'Run it', link: '/run/configuration' },
      { text: 'Performance', link: '/performance/' },
    ],
    sidebar: [
      {
        text: 'Use the API',
        items: [
          { text: 'First queries in Sandbox', link: '/use/' },
          { text: 'Placing orders', link: '/use/orders' },
          { text: 'The client SDK', link: '/use/sdk' },
          { text: 'Errors and codes', link: '/use/errors' },
          { text: 'Persisted documents', link: '/use/persisted-documents' },
          { text: 'Order events and webhooks', link: '/use/events' },
          { text: 'Subscriptions', link: '/use/subscriptions' },
          { text: '@defer', link: '/use/defer' },
          { text: 'The storefront', link: '/use/storefront' },
          { text: 'API reference', link: '/use/api-reference' },
        ],
      },
      {
        text: 'Extend it',
        items: [
          { text: 'Architecture', link: '/extend/architecture' },
          { text: 'Who may read what', link: '/extend/authorization' },
          { text: 'Checkout and the order lifecycle', link: '/extend/checkout' },
          { text: 'Working on the code', link: '/extend/developing' },
          { text: 'Add a subgraph (tutorial)', link: '/extend/adding-a-subgraph' },
          { text: 'Move a field between subgraphs', link: '/extend/progressive-override' },
          { text: 'Costs in the schema', link: '/extend/demand-control' },
          { text: 'Contracts between the services', link: '/extend/contracts' },
          { text: "The public API's compatibility", link: '/extend/api-compatibility' },
          { text: 'Tests', link: '/extend/tests' },
          { text: 'Dependencies and why', link: '/extend/dependencies' },
        ],
      },
      {
        text: 'Run it',
        items: [
          { text: 'Configuration', link: '/run/configuration' },
          { text: 'Configuration reference', link: '/run/configuration-reference' },
          { text: 'Deploying: Docker and Compose', link: '/run/deploying' },
          { text: 'Deploying: Kubernetes', link: '/run/kubernetes' },
          { text: 'Operations and observability', link: '/run/observability' },
          { text: 'When a service is down', link: '/run/failures' },
          { text: 'Chaos runs', link: '/run/chaos' },
          { text: 'Caching', link: '/run/caching' },
          { text: 'Routing and live reload', link: '/run/routing' },
          { text: 'Scaling', link: '/run/scaling' },
          { text: 'Security', link: '/run/security' },
        ],
      },
      {
        text: 'Performance',
        items: [
          { text: "The benchmark's method", link: '/performance/' },
          { text: 'Latest results', link: '/performance/latest' },
          { text: 'Earlier runs and what each change bought', link: '/performance/history' },
          { text: 'Start-up, memory and the test suite', link: '/performance/footprint' },
        ],
      },
    ],
  },
});
