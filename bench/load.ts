import autocannon from 'autocannon';
import { connectionScripts, type Operation, type Script } from './scenarios.js';

export interface LoadOptions {
  url: string;
  operations: Operation[];
  token: string;
  /** Distinct traffic: each connection plays one of these (its own token and ids) instead of `operations` with `token`. */
  scripts?: Script[] | undefined;
  connections: number;
  durationSeconds: number;
  /** Prefix of the idempotency keys of keyed operations (unique per run and target). */
  keyPrefix?: string;
  /** Receives the key of every keyed request answered without errors. */
  placedKeys?: Set<string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Responses received in the run. */
  responses: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest response of the run. */
  maxMs: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** 2xx answers whose body carries GraphQL `errors` (a field failed): load must not cause any. */
  graphqlErrors: number;
}

/**
 * Drives `url` with autocannon: each connection sends `operations` in turn with `token`, for the
 * duration; or, given `scripts`, each connection its own script (connectionScripts), built once
 * per connection so the load generator does no work per request for it.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let graphqlErrors = 0;
  const countErrors = (_status: number, body: string) => {
    // A substring test, not JSON.parse: cheap enough not to slow the load generator down.
    if (body.includes('"errors"')) graphqlErrors++;
  };
  let sent = 0;
  /** autocannon's per-connection context: one request in flight per connection (no pipelining). */
  type KeyContext = { key?: string };
  const keyed = (operation: Operation, headers: Record<string, string>): autocannon.Request => ({
    method: 'POST',
    headers,
    setupRequest: (request, context: KeyContext) => {
      context.key = `${options.keyPrefix ?? 'bench'}-${sent++}`;
      const input = { ...(operation.variables?.input as object), idempotencyKey: context.key };
      return { ...request, body: JSON.stringify({ query: operation.query, variables: { ...operation.variables, input } }) };
    },
    onResponse: (status: number, body: string, context: KeyContext) => {
      countErrors(status, body);
      if (status === 200 && !body.includes('"errors"') && context.key) options.placedKeys?.add(context.key);
    },
  });
  const requestsOf = (script: Script): autocannon.Request[] =>
    script.operations.map((operation) => {
      const headers = {
        'content-type': 'application/json',
        ...(operation.signedIn ? { authorization: `Bearer ${script.token}` } : {}),
      };
      if (operation.keyed) return keyed(operation, headers);
      return { method: 'POST', headers, body: JSON.stringify({ query: operation.query, variables: operation.variables ?? {} }), onResponse: countErrors };
    });
  const perConnection = options.scripts ? connectionScripts(options.scripts, options.connections).map(requestsOf) : undefined;
  let nextConnection = 0;
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationSeconds,
    requests: perConnection?.[0] ?? requestsOf({ token: options.token, operations: options.operations }),
    // Called once per connection as autocannon makes it: connection i gets customer i's requests.
    ...(perConnection ? { setupClient: (client: autocannon.Client) => client.setRequests(perConnection[nextConnection++ % perConnection.length]!) } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    responses: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    non2xx: result.non2xx,
    graphqlErrors,
  };
}
