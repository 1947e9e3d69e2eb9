import type { Request, RequestHandler } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { OperationRunner } from './operation-runner.js';
import { postedRequestOf, refuseRequest, serveStream, type StreamBounds, type StreamFraming } from './streaming-response.js';
import { queryStringRequestOf } from './sse-transport.js';
import type { IncrementalFormat } from '../incremental/payloads.js';

/** Apollo's protocol has a heartbeat every 5 s; a shorter configured one (SUBSCRIPTION_HEARTBEAT_SECONDS) is kept. */
const MULTIPART_HEARTBEAT_MS = 5_000;

/** What a request's Accept asks of multipart/mixed: Apollo's subscriptions, answers in parts (@defer) in a format, or both. */
export interface MultipartAccept {
  subscriptions: boolean;
  incremental: IncrementalFormat | undefined;
}

/**
 * What a request asks of `multipart/mixed` (quoted parameters or not, with or without a
 * boundary, with `application/json` beside it as Apollo Client sends it): Apollo's multipart
 * subscriptions (`subscriptionSpec=1.0`, a POST), answers in parts (`deferSpec=20220824` or
 * `incrementalSpec=v0.2`, POST or GET), or both; undefined when nothing.
 */
export function multipartAcceptOf(req: Request): MultipartAccept | undefined {
  if (req.method !== 'POST' && req.method !== 'GET') return undefined;
  const accept: MultipartAccept = { subscriptions: false, incremental: undefined };
  for (const range of (req.get('accept') ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim());
    if (type.toLowerCase() !== 'multipart/mixed') continue;
    const values = new Map(
      params.map((param) => {
        const equals = param.indexOf('=');
        return [param.slice(0, equals).trim().toLowerCase(), param.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1')];
      }),
    );
    if (Number(values.get('q') ?? '1') <= 0) continue;
    if (values.get('subscriptionspec') === '1.0' && req.method === 'POST') accept.subscriptions = true;
    if (values.get('incrementalspec') === 'v0.2') accept.incremental = 'incrementalSpec=v0.2';
    else if (values.get('deferspec') === '20220824') accept.incremental ??= 'deferSpec=20220824';
  }
  return accept.subscriptions || accept.incremental ? accept : undefined;
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
 * Apollo's framing of an answer in parts (@defer): each part a plain result (no `payload`
 * wrapper), no heartbeats, the closing boundary's `--` at the end.
 */
export const multipartPartsFraming = (format: IncrementalFormat): StreamFraming => ({
  contentType: `multipart/mixed;boundary="graphql";${format}`,
  start: '\r\n--graphql',
  heartbeat: '',
  event: (result) => part(JSON.stringify(result)),
  closing: (result) => part(JSON.stringify(result)),
  end: '--\r\n',
});
const PARTS_FRAMINGS = { 'deferSpec=20220824': multipartPartsFraming('deferSpec=20220824'), 'incrementalSpec=v0.2': multipartPartsFraming('incrementalSpec=v0.2') } as const;

/**
 * Apollo's multipart HTTP (what Apollo Client and Apollo Sandbox speak over HTTP) on /graphql:
 * subscriptions (`Accept: multipart/mixed;subscriptionSpec=1.0`, a POST), answered with a
 * multipart body of one part per event until the subscription ends, and answers in parts
 * (`deferSpec=20220824` or `incrementalSpec=v0.2`: @defer), one part as each is ready.
 * Everything else is GraphQL over SSE's (streaming-response.ts): Apollo Server's pipeline, the
 * bounds, the slow-consumer drop. An operation with nothing to stream gets its answer as one part;
 * a refused one (a validation error, declared authorization, a bound) its errors so, as Apollo
 * Server would have answered them.
 */
export function apolloMultipart(run: OperationRunner, bounds: StreamBounds): RequestHandler {
  const multipartBounds = { ...bounds, heartbeatMs: Math.min(bounds.heartbeatMs, MULTIPART_HEARTBEAT_MS) };
  return async (req, res, next) => {
    const accept = multipartAcceptOf(req);
    if (!accept) {
      next();
      return;
    }
    const request = req.method === 'GET' ? queryStringRequestOf(req) : postedRequestOf(req, 'multipart');
    if ('status' in request) {
      refuseRequest(res, request);
      return;
    }
    const parts = accept.incremental ? { format: accept.incremental, framing: PARTS_FRAMINGS[accept.incremental] } : undefined;
    await serveStream(run, req, res, next, request.body, accept.subscriptions || !parts ? MULTIPART_FRAMING : parts.framing, multipartBounds, parts);
  };
}
