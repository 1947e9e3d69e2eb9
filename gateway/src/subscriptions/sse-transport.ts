import type { Request, RequestHandler } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import { searchOf } from '@shop/service-kit';
import type { OperationRunner } from './operation-runner.js';
import { eventIdOf } from './event-execution.js';
import { postedRequestOf, refuseRequest, serveStream, type PartsTransport, type StreamBounds, type StreamFraming, type StreamRequest } from './streaming-response.js';

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

/** GraphQL over SSE's framing (graphql-sse's): each result a `next`, a comment for a heartbeat, `complete` at the end. */
export const SSE_FRAMING: StreamFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  start: '',
  heartbeat: HEARTBEAT,
  event: eventMessage,
  // The protocol has no error of its own after the stream opened: the reason is a `next` like any result.
  closing: eventMessage,
  end: COMPLETE_MESSAGE,
};

/** An answer in parts (@defer) over SSE: each part a `next`, in Apollo's deferSpec=20220824 shape (as graphql-yoga sends them). */
const SSE_PARTS: PartsTransport = { format: 'deferSpec=20220824', framing: SSE_FRAMING };

/**
 * GraphQL over Server-Sent Events, distinct connections mode (graphql-sse's protocol, GET with
 * the request in the query string or POST with it as JSON, `Accept: text/event-stream`), on
 * /graphql beside Apollo Server, which answers every other request. Every operation is run
 * through Apollo Server's pipeline (streaming-response.ts, operation-runner.ts); a subscription
 * streams each event as a `next` until it completes, a query or mutation sends its one answer
 * so, or its parts one `next` each when it defers fragments. What GraphQL refuses (a syntax or validation error, declared authorization, a bound) is
 * sent the same way, a `next` with the errors and then `complete`, so a client (graphql-sse's)
 * reads the codes instead of retrying an HTTP error; only a request that is not GraphQL at all
 * gets an HTTP error. Heartbeats and the slow-consumer bound are streaming-response.ts's.
 *
 * An EventSource that reconnects sends the last event's id as `Last-Event-ID`: the header goes
 * with the rest of the request to the subgraph's stream (federated-subscription.ts), which resumes
 * after it.
 */
export function graphqlOverSse(run: OperationRunner, bounds: StreamBounds): RequestHandler {
  return async (req, res, next) => {
    if (!wantsEventStream(req)) {
      next();
      return;
    }
    const request = req.method === 'POST' ? postedRequestOf(req, 'GraphQL over SSE') : queryStringRequestOf(req);
    if ('status' in request) {
      refuseRequest(res, request);
      return;
    }
    await serveStream(run, req, res, next, request.body, SSE_FRAMING, bounds, SSE_PARTS);
  };
}

/**
 * The GraphQL request a GET carries in its query string, as a JSON body for Apollo Server (read
 * as graphqlEndpoint hands it to Apollo: service-kit's searchOf, one URLSearchParams).
 */
export function queryStringRequestOf(req: Request): StreamRequest {
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
