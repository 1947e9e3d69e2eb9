import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { FederatedSubscription } from '../../src/subscriptions/federated-subscription.js';
import { apolloMultipart } from '../../src/subscriptions/multipart-transport.js';
import type { OperationAnswer, OperationRunner } from '../../src/subscriptions/operation-runner.js';

const APOLLO_CLIENT_ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json';
/** Apollo Router's framing: the stream opens with a boundary, each part ends with one, `--` closes the last. */
const START = '\r\n--graphql';
const part = (json: unknown) => `\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(json)}\r\n--graphql`;
const HEARTBEAT = part({});
const END = '--\r\n';

/**
 * A multipart body read as Apollo Client's readMultipartBody reads it: messages split at CRLF
 * `--graphql`, each message's JSON after its blank line (none in the preamble before the first
 * boundary), empty `{}` (heartbeats) skipped.
 */
function readAsApolloClient(body: string): unknown[] {
  return body
    .split('\r\n--graphql')
    .slice(0, -1)
    .filter((message) => message.includes('\r\n\r\n'))
    .map((message) => JSON.parse(message.slice(message.indexOf('\r\n\r\n'))) as Record<string, unknown>)
    .filter((result) => Object.keys(result).length > 0);
}

/** A subscription stand-in: waits `delayMs`, yields its events, then (when given) the gateway's closing word. */
function scriptedSubscription(events: FormattedExecutionResult[], closing?: FormattedExecutionResult, delayMs = 0) {
  const ended: string[] = [];
  return {
    ended,
    async *events(): AsyncGenerator<FormattedExecutionResult> {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      yield* events;
      if (closing) yield closing;
    },
    end: (reason: string) => ended.push(reason),
    close: () => ended.push('client_closed'),
    isClosingEvent: (result: FormattedExecutionResult) => result === closing,
  };
}

describe('apolloMultipart', () => {
  const servers: Server[] = [];
  let base: string;
  let slowBase: string;
  let answer: () => OperationAnswer = () => ({ kind: 'single', body: '{"data":{"ok":true}}\n' });
  // Typed as the runner's overloads have it: the stand-in answers in parts only when asked to.
  const run = (async () => answer()) as OperationRunner;

  const listen = async (heartbeatMs: number) => {
    const app = express();
    app.use('/graphql', express.json(), apolloMultipart(run, { heartbeatMs, maxBufferedBytes: 16 * 1024 }), (_req, res) => {
      res.status(299).end('passed on');
    });
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  };
  const post = (url: string, accept: string, body = '{"query":"subscription { s }"}', contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { accept, 'content-type': contentType }, body });

  beforeAll(async () => {
    base = await listen(200);
    // Configured far longer than Apollo's 5 s: the multipart heartbeat keeps to 5 s.
    slowBase = await listen(60_000);
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("takes the Accept headers Apollo's clients send, and passes on every other request", async () => {
    for (const accept of [APOLLO_CLIENT_ACCEPT, 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json', 'multipart/mixed;subscriptionSpec="1.0", application/json', 'multipart/mixed; subscriptionSpec=1.0', 'application/json;q=0.9, multipart/mixed;subscriptionSpec=1.0']) {
      const response = await post(base, accept);
      expect(response.status, accept).toBe(200);
      expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    }
    // Answers in parts (@defer), in the shape the client asked for; one with nothing deferred comes as one part.
    for (const [accept, spec] of [
      ['multipart/mixed;deferSpec=20220824, application/json', 'deferSpec=20220824'],
      ['multipart/mixed;incrementalSpec=v0.2,application/json', 'incrementalSpec=v0.2'],
      ['multipart/mixed;deferSpec=20220824;incrementalSpec="v0.2"', 'incrementalSpec=v0.2'],
    ] as const) {
      const response = await post(base, accept);
      expect(response.status, accept).toBe(200);
      expect(response.headers.get('content-type')).toBe(`multipart/mixed;boundary="graphql";${spec}`);
      expect(await response.text()).toBe('\r\n--graphql\r\ncontent-type: application/json\r\n\r\n{"data":{"ok":true}}\r\n--graphql--\r\n');
    }
    expect((await fetch(`${base}?query=%7Bok%7D`, { headers: { accept: 'multipart/mixed;deferSpec=20220824' } })).status).toBe(200);
    for (const accept of ['application/json', 'text/event-stream', 'multipart/mixed', 'multipart/mixed;deferSpec=2020', 'multipart/mixed;subscriptionSpec=1.0;q=0, application/json']) {
      expect((await post(base, accept)).status, accept).toBe(299);
    }
    expect((await fetch(`${base}?query=%7Bok%7D`, { headers: { accept: APOLLO_CLIENT_ACCEPT } })).status).toBe(299);
    const form = await post(base, APOLLO_CLIENT_ACCEPT, 'query=x', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ errors: [{ message: 'A multipart POST must send its request as JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('sends an answer in parts one plain part each (no payload wrapper), then the closing boundary', async () => {
    answer = () => ({
      kind: 'parts',
      payloads: (async function* () {
        yield { data: { order: { id: '1' } }, pending: [{ id: '0', path: ['order'] }], hasNext: true };
        yield { incremental: [{ id: '0', data: { status: 'PAID' } }], completed: [{ id: '0' }], hasNext: false };
      })(),
    });
    try {
      const response = await post(base, 'multipart/mixed;incrementalSpec=v0.2, application/json', '{"query":"{ order { id ... @defer { status } } }"}');
      expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";incrementalSpec=v0.2');
      const part = (json: string) => `\r\ncontent-type: application/json\r\n\r\n${json}\r\n--graphql`;
      expect(await response.text()).toBe(
        `\r\n--graphql${part('{"data":{"order":{"id":"1"}},"pending":[{"id":"0","path":["order"]}],"hasNext":true}')}${part('{"incremental":[{"id":"0","data":{"status":"PAID"}}],"completed":[{"id":"0"}],"hasNext":false}')}--\r\n`,
      );
    } finally {
      answer = () => ({ kind: 'single', body: '{"data":{"ok":true}}\n' });
    }
  });

  it("sends one answer (a query's, a refusal's) as one part's payload, then the closing boundary", async () => {
    answer = () => ({ kind: 'single', body: '{"errors":[{"message":"no","extensions":{"code":"UNAUTHENTICATED"}}]}\n' });
    expect(await (await post(base, APOLLO_CLIENT_ACCEPT)).text()).toBe(START + part({ payload: { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] } }) + END);
  });

  it("frames each event as a payload part, heartbeats as `{}` parts, the gateway's reason for ending as a transport-level error, then ends", async () => {
    const reason = { errors: [{ message: 'The gateway now serves another supergraph: subscribe again', extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SUPERGRAPH_RELOADED' } }] };
    const events = [{ data: { s: 1 }, extensions: { eventId: '7' } }, { data: { s: null }, errors: [{ message: 'partial', path: ['s'], extensions: { code: 'FORBIDDEN' } }] }];
    answer = () => ({ kind: 'subscription', subscription: scriptedSubscription(events, reason, 500) as unknown as FederatedSubscription });
    const text = await (await post(base, APOLLO_CLIENT_ACCEPT)).text();
    // The first heartbeat at once, then one each 200 ms while the events wait.
    expect(text.startsWith(START + HEARTBEAT + HEARTBEAT + HEARTBEAT)).toBe(true);
    expect(text.replaceAll(HEARTBEAT, '')).toBe(START + part({ payload: events[0] }) + part({ payload: events[1] }) + part({ payload: null, errors: reason.errors }) + END);
    expect(readAsApolloClient(text)).toEqual([{ payload: events[0] }, { payload: events[1] }, { payload: null, errors: reason.errors }]);
  });

  it('ends a subscription the subgraph completed with the closing boundary alone', async () => {
    answer = () => ({ kind: 'subscription', subscription: scriptedSubscription([{ data: { s: 1 } }]) as unknown as FederatedSubscription });
    expect(await (await post(base, APOLLO_CLIENT_ACCEPT)).text()).toBe(START + HEARTBEAT + part({ payload: { data: { s: 1 } } }) + END);
  });

  it('sends a heartbeat at least every 5 s, as the protocol has it, though the configured one is longer', async () => {
    answer = () => ({ kind: 'subscription', subscription: scriptedSubscription([{ data: { s: 1 } }], undefined, 5_500) as unknown as FederatedSubscription });
    expect(await (await post(slowBase, APOLLO_CLIENT_ACCEPT)).text()).toBe(START + HEARTBEAT + HEARTBEAT + part({ payload: { data: { s: 1 } } }) + END);
  }, 10_000);
});
