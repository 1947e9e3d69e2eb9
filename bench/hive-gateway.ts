/**
 * The "hive" and "hive-rust" columns: Hive Gateway's runtime (@graphql-hive/gateway-runtime, what
 * the `hive-gateway` CLI serves) on node:http, serving the supergraph at SUPERGRAPH_PATH on PORT
 * with its defaults. With HIVE_ROUTER_RUNTIME=true (the variable the CLI reads for the same
 * thing), it plans and executes with Hive Router's Rust query planner instead of its JavaScript
 * one: `unifiedGraphHandler` from @graphql-hive/router-runtime, a native addon shipped inside that
 * npm package. The one addition, as for stock: the client's Authorization header is propagated
 * to the subgraphs, which verify the token themselves.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

const rust = process.env.HIVE_ROUTER_RUNTIME === 'true';
const gateway = createGatewayRuntime({
  supergraph: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8'),
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
  ...(rust ? { unifiedGraphHandler: (await import('@graphql-hive/router-runtime')).unifiedGraphHandler } : {}),
});
// The runtime answers its own errors; should its promise still fail, the request is logged and cut off.
const server = createServer((req, res) => void gateway(req, res).catch((error: unknown) => {
  console.error(error);
  res.destroy();
}));
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`hive gateway (${rust ? 'Rust query planner' : 'JavaScript query planner'}) listening on port ${process.env.PORT}`),
);
const stop = () => {
  server.close(() => void Promise.resolve(gateway.dispose()).then(() => process.exit(0)));
  server.closeIdleConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
