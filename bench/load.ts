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
  /**
   * Windows of the run (their seconds add up to the duration), each reported on its own in
   * `windows`: a response counts in the window its request was sent in.
   */
  windows?: readonly { seconds: number }[];
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
  /** One result per window asked for, in order. */
  windows?: LoadResult[];
}

/**
 * Drives `url` with autocannon: each connection sends `operations` in turn with `token`, for the
 * duration; or, given `scripts`, each connection its own script (connectionScripts), built once
 * per connection so the load generator does no work per request for it.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const windows = options.windows?.map((window) => ({ ...window, latencies: [] as number[], errors: 0, non2xx: 0, graphqlErrors: 0 }));
  let startedAt = 0;
  /** The window a request sent `ago` ms before now belongs to. */
  const windowOf = (ago = 0) => {
    if (!windows) return undefined;
    let elapsed = (performance.now() - ago - startedAt) / 1000;
    for (const window of windows) {
      if (elapsed < window.seconds) return window;
      elapsed -= window.seconds;
    }
    return windows.at(-1);
  };
  let graphqlErrors = 0;
  const countErrors = (_status: number, body: string) => {
    // A substring test, not JSON.parse: cheap enough not to slow the load generator down.
    if (!body.includes('"errors"')) return;
    graphqlErrors++;
    const window = windowOf();
    if (window) window.graphqlErrors++;
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
  startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: options.durationSeconds,
        requests: perConnection?.[0] ?? requestsOf({ token: options.token, operations: options.operations }),
        // Called once per connection as autocannon makes it: connection i gets customer i's requests.
        ...(perConnection ? { setupClient: (client: autocannon.Client) => client.setRequests(perConnection[nextConnection++ % perConnection.length]!) } : {}),
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    if (!windows) return;
    instance.on('response', (_client: autocannon.Client, status: number, _bytes: number, responseTime: number) => {
      const window = windowOf(responseTime)!;
      window.latencies.push(responseTime);
      if (status < 200 || status > 299) window.non2xx++;
    });
    instance.on('reqError', () => windowOf()!.errors++);
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
    ...(windows && { windows: windows.map(windowResult) }),
  };
}

/** A window's figures, from the latencies of the responses to the requests sent in it. */
function windowResult({ seconds, latencies, errors, non2xx, graphqlErrors }: { seconds: number; latencies: number[]; errors: number; non2xx: number; graphqlErrors: number }): LoadResult {
  const sorted = latencies.sort((a, b) => a - b);
  const at = (quantile: number) => Math.round(sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)] ?? 0);
  return { requestsPerSecond: sorted.length / seconds, responses: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), errors, non2xx, graphqlErrors };
}
