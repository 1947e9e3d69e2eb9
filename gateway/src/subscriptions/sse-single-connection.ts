import type { Request, RequestHandler, Response } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import { AppError, searchOf, type ErrorCode, type Logger, type RequestInfo } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { FederatedSubscription } from './federated-subscription.js';
import { addressKeyOf, clientKeyOf } from './open-subscription-counts.js';
import type { OperationRunner } from './operation-runner.js';
import { ReservationRefused, sseReservations, type ClientIdentity, type Reservation, type ReservationBounds, type StreamOperation } from './sse-reservations.js';
import { queryStringRequestOf, wantsEventStream } from './sse-transport.js';
import { postedRequestOf, refuseRequest } from './streaming-response.js';

/** The header that carries a reservation's token (graphql-sse's TOKEN_HEADER_KEY); a GET may send it as `?token=` instead (an EventSource sets no header). */
export const TOKEN_HEADER = 'x-graphql-event-stream-token';
/**
 * How long a reservation waits for its stream: graphql-sse's client connects right after its PUT
 * answers, so this is ample, and a client cannot hold reservations (and their places) by never connecting.
 */
export const RESERVATION_TIMEOUT_MS = 30_000;
/** Longest operation id a client may choose (graphql-sse's client sends a 36-character UUID). */
export const MAX_OPERATION_ID_LENGTH = 128;
/**
 * Operations running on one stream at most. Its subscriptions are held to SUBSCRIPTIONS_PER_CLIENT
 * as well (by the executors, as on every transport); the rest are queries and mutations in flight,
 * each an admitted request: this bounds what a client's ids fill in one stream's table.
 */
export const MAX_OPERATIONS_PER_STREAM = 100;

/** GraphQL over SSE's messages in single connection mode: each names its operation. */
const nextMessage = (id: string, payload: FormattedExecutionResult) => `event: next\ndata: ${JSON.stringify({ id, payload })}\n\n`;
const completeMessage = (id: string) => `event: complete\ndata: ${JSON.stringify({ id })}\n\n`;

export interface SingleConnectionOptions {
  bounds: ReservationBounds;
  /** Who sends a request (requestIdentity): a token is used only by whom it was reserved for. */
  identify: (req: Request, res: Response) => Promise<ClientIdentity>;
  logger: Logger;
}

/**
 * GraphQL over SSE's single connection mode (graphql-sse's protocol) on /graphql, ahead of
 * distinct connections mode (sse-transport.ts): a `PUT` reserves a stream (201, the token as
 * text); a `GET` or `POST` that accepts `text/event-stream` and carries the token opens it (404 for
 * a token this replica does not hold for this client, 409 when it is open already); a `POST` (or
 * `GET`) with the token and `extensions.operationId` runs one operation through Apollo Server's
 * pipeline, as distinct mode runs one, and answers 202 while its results go on the stream as
 * `next` `{id, payload}` then `complete` `{id}` (what GraphQL refuses goes there too, so
 * graphql-sse's client, which retries any answer but 202, reads the code instead); a `DELETE`
 * with the token and `?operationId=` stops it (200). Requests without a token pass on.
 *
 * Reservations live in this replica's memory: the PUT, the stream and every operation must reach
 * the same replica (sticky sessions); another replica answers 404.
 */
export function sseSingleConnection(run: OperationRunner, options: SingleConnectionOptions) {
  const { bounds, identify, logger } = options;
  const reservations = sseReservations(bounds);

  const reserve = async (req: Request, res: Response): Promise<Refusal | undefined> => {
    if (!req.accepts('text/plain')) return { status: 406, code: 'BAD_USER_INPUT', message: 'A reservation answers its token as text/plain' };
    let reservation: Reservation;
    try {
      reservation = reservations.reserve(await identify(req, res));
    } catch (error) {
      if (!(error instanceof ReservationRefused)) throw error;
      if (error.reason === 'client') return { status: 429, code: 'RATE_LIMITED', message: `This client holds as many reserved event streams as it may (${bounds.maxPerClient}): close one first` };
      return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'This gateway holds as many event streams as it may: try again shortly' };
    }
    res.status(201).type('text/plain').send(reservation.token);
    return undefined;
  };

  const operate = async (reservation: Reservation, req: Request, res: Response): Promise<Refusal | undefined> => {
    const request = req.method === 'POST' ? postedRequestOf(req, 'GraphQL over SSE') : queryStringRequestOf(req);
    if ('status' in request) return { ...request, code: 'BAD_USER_INPUT' };
    const id = operationIdOf(request.body);
    if (id === undefined) return { status: 400, code: 'BAD_USER_INPUT', message: `A request on a reserved event stream names its operation in extensions.operationId: a string of 1 to ${MAX_OPERATION_ID_LENGTH} characters` };
    if (reservation.operations.has(id)) return { status: 409, code: 'CONFLICT', message: 'An operation with this id runs on this stream already' };
    if (reservation.operations.size >= bounds.maxOperations) return { status: 429, code: 'RATE_LIMITED', message: `This stream runs as many operations as it may (${bounds.maxOperations})` };
    if (reservation.isOverBound) return { status: 429, code: 'RATE_LIMITED', message: 'This stream is not read as fast as its events come' };
    const operation = reservation.add(id);
    if (!operation) return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'This event stream is closing: reserve another' };
    let answer;
    try {
      answer = await run(req, res, request.body);
    } catch (error) {
      reservation.finish(id, operation);
      throw error;
    }
    if (!reservation.holds(id, operation)) {
      // Stopped (DELETE) or its stream gone while it was being answered: nothing of it is sent.
      if (answer.kind === 'subscription') answer.subscription.close();
      res.status(204).end();
      return undefined;
    }
    res.status(202).end();
    if (answer.kind === 'single') {
      reservation.send(nextMessage(id, JSON.parse(answer.body) as FormattedExecutionResult), id, operation);
      reservation.send(completeMessage(id), id, operation);
      reservation.finish(id, operation);
      return undefined;
    }
    operation.subscription = answer.subscription;
    void deliver(reservation, id, operation, answer.subscription);
    return undefined;
  };

  /** A subscription's events on its stream until it is over (or stopped: then nothing more is sent, `send` checks). */
  const deliver = async (reservation: Reservation, id: string, operation: StreamOperation, subscription: FederatedSubscription) => {
    try {
      for await (const event of subscription.events()) reservation.send(nextMessage(id, event), id, operation);
      reservation.send(completeMessage(id), id, operation);
    } catch (error) {
      logger.warn({ err: error }, 'a subscription on a single-connection event stream failed');
    } finally {
      subscription.close();
      reservation.finish(id, operation);
    }
  };

  /** Answers a request with a reservation's token; a refusal to send as an HTTP error, or none when answered. */
  const answer = async (req: Request, res: Response, reservation: Reservation): Promise<Refusal | undefined> => {
    if (wantsEventStream(req)) {
      if (reservation.isConnected) return { status: 409, code: 'CONFLICT', message: 'This event stream is open already' };
      reservation.connect(res);
      return undefined;
    }
    if (req.method === 'DELETE') {
      const id = new URLSearchParams(searchOf(req)).get('operationId');
      if (!id) return { status: 400, code: 'BAD_USER_INPUT', message: "A DELETE names the operation to stop in its 'operationId' parameter" };
      reservation.stop(id);
      res.status(200).end();
      return undefined;
    }
    if (req.method === 'GET' || req.method === 'POST') return operate(reservation, req, res);
    res.set('allow', 'GET, POST, PUT, DELETE');
    return { status: 405, code: 'BAD_USER_INPUT', message: 'A reserved event stream takes GET, POST and DELETE' };
  };

  const handler: RequestHandler = async (req, res, next) => {
    try {
      let refusal: Refusal | undefined;
      if (req.method === 'PUT') refusal = await reserve(req, res);
      else {
        const token = tokenOf(req);
        if (token === undefined) {
          next();
          return;
        }
        const reservation = reservations.find(token);
        const allowed = reservation !== undefined && mayUse(reservation.identity, await identify(req, res), wantsEventStream(req));
        // Checked after the identity (awaited), within which the reservation may have expired.
        refusal =
          allowed && !reservation.isClosed
            ? await answer(req, res, reservation)
            : { status: 404, code: 'NOT_FOUND', message: 'No event stream is reserved with this token here: reserve one with PUT' };
      }
      if (refusal) refuseRequest(res, refusal);
    } catch (error) {
      // A bad token on a reservation's request: refused as /graphql refuses it.
      if (error instanceof AppError && error.code === 'UNAUTHENTICATED') refuseRequest(res, { status: 401, code: error.code, message: error.message });
      else next(error);
    }
  };

  return {
    handler,
    /** Ends every stream as the gateway stops (after its subscriptions have said SHUTTING_DOWN); refuses new reservations. */
    drain: (): void => reservations.drain(),
    /** Reservations held now, connected or not. */
    get reservations(): number {
      return reservations.size;
    },
  };
}

/**
 * Whether `requester` may use a reservation made by `reserver`: the same client (user, else
 * address). A browser's EventSource sends no Authorization header, so a stream may also be
 * opened without a token from the address that reserved it; its operations still need the reserver's.
 */
function mayUse(reserver: ClientIdentity, requester: ClientIdentity, opensStream: boolean): boolean {
  if (requester.client === reserver.client) return true;
  return opensStream && requester.client === requester.address && requester.address === reserver.address;
}

/** The reservation token a request carries: the header, else (a GET's only way from an EventSource) `?token=`. */
function tokenOf(req: Request): string | undefined {
  return req.get(TOKEN_HEADER) ?? new URLSearchParams(searchOf(req)).get('token') ?? undefined;
}

/** `extensions.operationId`, within its bound. */
function operationIdOf(body: Record<string, unknown>): string | undefined {
  const { extensions } = body;
  const id = typeof extensions === 'object' && extensions !== null ? (extensions as { operationId?: unknown }).operationId : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_OPERATION_ID_LENGTH ? id : undefined;
}

/** A request refused as a whole (refuseRequest). */
interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Who a request comes from, as the gateway's context says (its verified token's user, its address) and as the subscription bounds key clients. */
export function requestIdentity(context: (request: RequestInfo) => Promise<GatewayContext>, logger: Logger) {
  return async (req: Request, res: Response): Promise<ClientIdentity> => {
    const requestId = String(res.locals.requestId);
    const gatewayContext = await context({ req, requestId, logger: logger.child({ requestId }) });
    return { client: clientKeyOf(gatewayContext), address: addressKeyOf(gatewayContext.clientAddress) };
  };
}

export type SingleConnection = ReturnType<typeof sseSingleConnection>;
