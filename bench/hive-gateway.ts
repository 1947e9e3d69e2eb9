/**
 * The "hive" column: Hive Gateway's runtime (@graphql-hive/gateway-runtime, what the
 * `hive-gateway` CLI serves) on node:http, serving the supergraph at SUPERGRAPH_PATH on PORT
 * with its defaults. The one addition, as for stock: the client's Authorization header is
 * propagated to the subgraphs, which verify the token themselves.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

const gateway = createGatewayRuntime({
  supergraph: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8'),
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
});
// The runtime answers its own errors; should its promise still fail, the request is logged and cut off.
const server = createServer((req, res) => void gateway(req, res).catch((error: unknown) => {
  console.error(error);
  res.destroy();
}));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`hive gateway listening on port ${process.env.PORT}`));
const stop = () => {
  server.close(() => void Promise.resolve(gateway.dispose()).then(() => process.exit(0)));
  server.closeIdleConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
