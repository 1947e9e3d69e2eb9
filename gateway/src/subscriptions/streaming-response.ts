import type { NextFunction, Request, Response } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { ErrorCode } from '@shop/service-kit';
import type { FederatedSubscription } from './federated-subscription.js';
import type { OperationRunner } from './operation-runner.js';
import type { IncrementalFormat, Payload } from '../incremental/payloads.js';

/** How one streaming HTTP transport (GraphQL over SSE, Apollo's multipart) writes what a subscription yields. */
export interface StreamFraming {
  /** The response's content type. */
  contentType: string;
  /** The stream's very first bytes, before any heartbeat or result (Apollo's multipart: its first boundary). */
  start: string;
  /** What an idle stream sends so nothing on the way times it out; also its first bytes. */
  heartbeat: string;
  /** One result: an event of the subscription, or a query's (or a refused subscription's) one answer. */
  event(result: FormattedExecutionResult): string;
  /** The last result of a subscription the gateway ended (or that failed), saying why: some protocols mark it as the transport's own error. */
  closing(result: FormattedExecutionResult): string;
  /** Sent once the stream is over. */
  end: string;
}

/** What a transport that accepts answers in parts (@defer) sends them in. */
export interface PartsTransport {
  format: IncrementalFormat;
  framing: StreamFraming;
}

export interface StreamBounds {
  /** How often the heartbeat is sent while no event is, so proxies keep an idle stream open. */
  heartbeatMs: number;
  /** What may wait unsent for one client at most; past it the client is dropped as a slow consumer. */
  maxBufferedBytes: number;
}

/**
 * Answers one GraphQL request (`body`) over a streaming transport: runs it through Apollo
 * Server's pipeline (operation-runner.ts), then streams a subscription's events in `framing`
 * until it is over, or an answer in parts (@defer, when the transport accepts `parts`) part by
 * part, or sends a query's one answer (or a refusal) as one result and ends. What GraphQL refuses
 * is sent in the stream's own framing, so a client reads the codes instead of retrying an HTTP error.
 */
export async function serveStream(
  run: OperationRunner,
  req: Request,
  res: Response,
  next: NextFunction,
  body: Record<string, unknown>,
  framing: StreamFraming,
  bounds: StreamBounds,
  parts?: PartsTransport,
): Promise<void> {
  try {
    const answer = await run(req, res, body, parts ? { incremental: parts.format } : {});
    if (answer.kind === 'subscription' && res.destroyed) {
      answer.subscription.close();
      return;
    }
    if (answer.kind === 'parts') {
      writeStreamHead(res, parts!.framing.contentType);
      await streamParts(answer.payloads, res, parts!.framing, bounds);
      return;
    }
    writeStreamHead(res, framing.contentType);
    if (answer.kind === 'single') {
      // Apollo Server's answer is JSON already: parsed once, so each framing writes it as it writes an event.
      res.end(framing.start + framing.event(JSON.parse(answer.body) as FormattedExecutionResult) + framing.end);
      return;
    }
    await streamEvents(answer.subscription, res, framing, bounds);
  } catch (error) {
    if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    else next(error);
  }
}

/**
 * Sends an answer's parts as each is ready, then the end; the framing's heartbeat (SSE's) while a
 * slow part is awaited. A client that leaves, or leaves more than `maxBufferedBytes` unread, is
 * cut off: its parts still run to their end (each by its subgraphs' deadline), nothing more is
 * written to it.
 */
async function streamParts(payloads: AsyncGenerator<Payload, void, undefined>, res: Response, framing: StreamFraming, { heartbeatMs, maxBufferedBytes }: StreamBounds): Promise<void> {
  const send = (text: string) => {
    if (res.writableEnded || res.destroyed || text === '') return;
    res.write(text);
    if (res.writableLength > maxBufferedBytes) res.destroy();
  };
  send(framing.start);
  const heartbeat = framing.heartbeat ? setInterval(() => send(framing.heartbeat), heartbeatMs) : undefined;
  try {
    for await (const payload of payloads) send(framing.event(payload));
    send(framing.end);
  } finally {
    clearInterval(heartbeat);
    endResponse(res, heartbeatMs);
  }
}

/**
 * Streams a subscription's events until it is over. A heartbeat goes out first (some browsers
 * deliver nothing of a stream until its first bytes) and every `heartbeatMs`. Nothing waits
 * without bound: a client that leaves more than `maxBufferedBytes` unread is dropped
 * (SLOW_CONSUMER), its subscription closed.
 */
async function streamEvents(subscription: FederatedSubscription, res: Response, framing: StreamFraming, { heartbeatMs, maxBufferedBytes }: StreamBounds): Promise<void> {
  const onClose = () => subscription.close();
  res.on('close', onClose);
  const send = (text: string) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(text);
    // Past the bound the subscription ends; its last event (saying why) and the end still go out.
    if (res.writableLength > maxBufferedBytes) subscription.end('SLOW_CONSUMER');
  };
  send(framing.start + framing.heartbeat);
  const heartbeat = setInterval(() => send(framing.heartbeat), heartbeatMs);
  try {
    for await (const event of subscription.events()) send(subscription.isClosingEvent(event) ? framing.closing(event) : framing.event(event));
    send(framing.end);
  } finally {
    clearInterval(heartbeat);
    res.off('close', onClose);
    endResponse(res, heartbeatMs);
  }
}

/** A streamed response's head: its content type, and nothing on the way (a cache, a buffering proxy) holding its events back. */
export function writeStreamHead(res: Response, contentType: string): void {
  res.writeHead(200, {
    'content-type': contentType,
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // nginx and similar proxies buffer responses unless told not to: events must pass at once.
    'x-accel-buffering': 'no',
  });
}

/** Ends the response; one its client does not read (a slow consumer's) is cut off after `graceMs` rather than held open. */
export function endResponse(res: Response, graceMs: number): void {
  if (res.destroyed) return;
  const cutOff = setTimeout(() => res.destroy(), graceMs);
  cutOff.unref();
  res.once('close', () => clearTimeout(cutOff));
  if (!res.writableEnded) res.end();
}

export type StreamRequest = { body: Record<string, unknown> } | { status: 400 | 415; message: string };

/** The GraphQL request a streaming POST carries: its JSON body (parsed by express.json, within the body limit). */
export function postedRequestOf(req: Request, transport: string): StreamRequest {
  if (!req.is('application/json')) return { status: 415, message: `A ${transport} POST must send its request as JSON` };
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, message: 'The request body must be one GraphQL request, a JSON object' };
  return { body: body as Record<string, unknown> };
}

/** A request refused as a whole (not GraphQL at all, by default BAD_USER_INPUT): an HTTP error with a coded GraphQL error, as /graphql answers one. */
export function refuseRequest(res: Response, { status, message, code = 'BAD_USER_INPUT' }: { status: number; message: string; code?: ErrorCode }): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
