import type { Request, RequestHandler } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { OperationRunner } from './operation-runner.js';
import { postedRequestOf, refuseRequest, serveStream, type StreamBounds, type StreamFraming } from './streaming-response.js';

/** Apollo's protocol has a heartbeat every 5 s; a shorter configured one (SUBSCRIPTION_HEARTBEAT_SECONDS) is kept. */
const MULTIPART_HEARTBEAT_MS = 5_000;

/**
 * Whether a request asks for Apollo's multipart subscriptions: a POST whose Accept lists
 * `multipart/mixed` with `subscriptionSpec=1.0` (quoted or not, with or without a boundary, with
 * `application/json` beside it as Apollo Client sends it). `multipart/mixed` for @defer
 * (`deferSpec=…`) is not this: @apollo/gateway does not execute @defer, Apollo Server answers it.
 */
export function wantsMultipartSubscription(req: Request): boolean {
  if (req.method !== 'POST') return false;
  return (req.get('accept') ?? '').split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim());
    if (type.toLowerCase() !== 'multipart/mixed') return false;
    const values = new Map(
      params.map((param) => {
        const equals = param.indexOf('=');
        return [param.slice(0, equals).trim().toLowerCase(), param.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1')];
      }),
    );
    return values.get('subscriptionspec') === '1.0' && Number(values.get('q') ?? '1') > 0;
  });
}

/**
 * One part of the response: its JSON content type, the JSON, then the boundary that ends it. The
 * boundary goes after each part, not before (the stream opens with one): a client (Apollo
 * Client's, which reads a part once the next boundary arrives) has each event as it is sent,
 * rather than at the next heartbeat. Apollo Router frames its parts so.
 */
const part = (json: string) => `\r\ncontent-type: application/json\r\n\r\n${json}\r\n--graphql`;

/**
 * Apollo's multipart framing: each result a part `{"payload": result}`, an empty `{}` part for a
 * heartbeat, the gateway's reason for ending a subscription as a transport-level error
 * (`{"payload": null, "errors": […]}`, which Apollo Client reports as protocol errors rather than
 * as the subscription's data), and the closing boundary's `--` at the end.
 */
export const MULTIPART_FRAMING: StreamFraming = {
  contentType: 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
  start: '\r\n--graphql',
  heartbeat: part('{}'),
  event: (result) => part(JSON.stringify({ payload: result })),
  closing: ({ errors }: FormattedExecutionResult) => part(JSON.stringify({ payload: null, errors: errors ?? [] })),
  end: '--\r\n',
};

/**
 * Apollo's multipart HTTP subscriptions (what Apollo Client and Apollo Sandbox speak over HTTP):
 * a POST of the usual JSON to /graphql with `Accept: multipart/mixed;subscriptionSpec=1.0`,
 * answered with a multipart body of one part per event until the subscription ends. Everything
 * else is GraphQL over SSE's (streaming-response.ts): Apollo Server's pipeline, the bounds, the
 * slow-consumer drop. A query sent so gets its answer as one part; a refused subscription (a
 * validation error, declared authorization, a bound) its errors as one part's payload, as Apollo
 * Server would have answered them.
 */
export function apolloMultipart(run: OperationRunner, bounds: StreamBounds): RequestHandler {
  const multipartBounds = { ...bounds, heartbeatMs: Math.min(bounds.heartbeatMs, MULTIPART_HEARTBEAT_MS) };
  return async (req, res, next) => {
    if (!wantsMultipartSubscription(req)) {
      next();
      return;
    }
    const request = postedRequestOf(req, 'multipart subscription');
    if ('status' in request) {
      refuseRequest(res, request);
      return;
    }
    await serveStream(run, req, res, next, request.body, MULTIPART_FRAMING, multipartBounds);
  };
}
