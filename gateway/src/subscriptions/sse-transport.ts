import type { Request, RequestHandler, Response } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import { searchOf } from '@shop/service-kit';
import type { FederatedSubscription } from './federated-subscription.js';
import type { OperationRunner } from './operation-runner.js';
import { eventIdOf } from './event-execution.js';

export interface SseOptions {
  /** How often a comment line is sent while no event is, so proxies keep an idle stream open. */
  heartbeatMs: number;
  /** What may wait unsent for one client at most; past it the client is dropped as a slow consumer. */
  maxBufferedBytes: number;
}

/** Whether a request asks for GraphQL over SSE: it prefers text/event-stream to JSON. */
export function wantsEventStream(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'POST') && req.accepts(['application/graphql-response+json', 'application/json', 'text/event-stream']) === 'text/event-stream';
}

/** One message of GraphQL over SSE (graphql-sse's framing): `next` with a result, `complete` with none. */
const nextMessage = (json: string) => `event: next\ndata: ${json}\n\n`;
/** A subscription's event; its id (eventIdOf: one safe on a line of its own) in the SSE `id:` field, which an EventSource sends back as Last-Event-ID. */
const eventMessage = (result: FormattedExecutionResult) => {
  const eventId = eventIdOf(result);
  return `${eventId === undefined ? '' : `id: ${eventId}\n`}${nextMessage(JSON.stringify(result))}`;
};
const COMPLETE_MESSAGE = 'event: complete\ndata:\n\n';
/** A comment: what an idle stream sends so nothing on the way times it out. */
const HEARTBEAT = ':\n\n';

/**
 * GraphQL over Server-Sent Events, distinct connections mode (graphql-sse's protocol, GET with
 * the request in the query string or POST with it as JSON, `Accept: text/event-stream`), on
 * /graphql beside Apollo Server, which answers every other request. Every operation is run
 * through Apollo Server's pipeline (operation-runner.ts); a subscription streams each event as a
 * `next` until it completes, a query or mutation sends its one answer so. What GraphQL refuses
 * (a syntax or validation error, declared authorization, a bound) is sent the same way, a `next`
 * with the errors and then `complete`, so a client (graphql-sse's) reads the codes instead of
 * retrying an HTTP error; only a request that is not GraphQL at all gets an HTTP error.
 *
 * A heartbeat goes out every `heartbeatMs`. Nothing waits without bound: a client that leaves
 * more than `maxBufferedBytes` unread is dropped (SLOW_CONSUMER), its subscription closed.
 */
export function graphqlOverSse(run: OperationRunner, options: SseOptions): RequestHandler {
  return async (req, res, next) => {
    if (!wantsEventStream(req)) {
      next();
      return;
    }
    try {
      const request = requestOf(req);
      if ('status' in request) {
        res.status(request.status).json({ errors: [{ message: request.message, extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
      const answer = await run(req, res, request.body);
      if (answer.kind === 'subscription' && res.destroyed) {
        answer.subscription.close();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to: events must pass at once.
        'x-accel-buffering': 'no',
      });
      if (answer.kind === 'single') {
        res.end(nextMessage(answer.body) + COMPLETE_MESSAGE);
        return;
      }
      await streamEvents(answer.subscription, res, options);
    } catch (error) {
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else next(error);
    }
  };
}

async function streamEvents(subscription: FederatedSubscription, res: Response, { heartbeatMs, maxBufferedBytes }: SseOptions): Promise<void> {
  const onClose = () => subscription.close();
  res.on('close', onClose);
  const send = (text: string) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(text);
    // Past the bound the subscription ends; its last event (saying why) and `complete` still go out.
    if (res.writableLength > maxBufferedBytes) subscription.end('SLOW_CONSUMER');
  };
  // Some browsers deliver nothing of a stream until its first bytes: the stream starts with a heartbeat.
  send(HEARTBEAT);
  const heartbeat = setInterval(() => send(HEARTBEAT), heartbeatMs);
  try {
    for await (const event of subscription.events()) send(eventMessage(event));
    send(COMPLETE_MESSAGE);
  } finally {
    clearInterval(heartbeat);
    res.off('close', onClose);
    endResponse(res, heartbeatMs);
  }
}

/** Ends the response; one its client does not read (a slow consumer's) is cut off after `graceMs` rather than held open. */
function endResponse(res: Response, graceMs: number): void {
  if (res.destroyed) return;
  const cutOff = setTimeout(() => res.destroy(), graceMs);
  cutOff.unref();
  res.once('close', () => clearTimeout(cutOff));
  if (!res.writableEnded) res.end();
}

type SseRequest = { body: Record<string, unknown> } | { status: 400 | 415; message: string };

/**
 * The GraphQL request a GraphQL over SSE request carries, as a JSON body for Apollo Server: a
 * POST's body (parsed by express.json, within the body limit), or a GET's query string (read as
 * graphqlEndpoint hands it to Apollo: service-kit's searchOf, one URLSearchParams).
 */
function requestOf(req: Request): SseRequest {
  if (req.method === 'POST') {
    if (!req.is('application/json')) return { status: 415, message: 'A GraphQL over SSE POST must send its request as JSON' };
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, message: 'The request body must be one GraphQL request, a JSON object' };
    return { body: body as Record<string, unknown> };
  }
  const params = new URLSearchParams(searchOf(req));
  const body: Record<string, unknown> = {};
  for (const name of ['query', 'operationName', 'variables', 'extensions']) {
    const values = params.getAll(name);
    if (values.length > 1) return { status: 400, message: `The '${name}' parameter may be given only once` };
    const [value] = values;
    if (value === undefined) continue;
    if (name === 'query' || name === 'operationName') {
      body[name] = value;
      continue;
    }
    try {
      body[name] = JSON.parse(value) as unknown;
    } catch {
      return { status: 400, message: `The '${name}' parameter must be JSON` };
    }
  }
  return { body };
}
