import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { ExecutionPatchResult, ExecutionResult, Response as SseResponse } from 'graphql-sse';
import { formatStreamedError, isSseEventId, type Logger } from '@shop/service-kit';

// What goes over the wire of GraphQL over SSE beyond what graphql-sse writes itself.

/** How graphql-sse prints a `next` event: the data (one JSON line) follows. */
const NEXT_EVENT = 'event: next\ndata: ';

/**
 * A printed message, with the SSE `id:` field when it is a `next` event whose result carries
 * `extensions.eventId`, so an EventSource sends it back as Last-Event-ID when it reconnects.
 * graphql-sse prints no `id:` of its own, so the id is read back from the result it printed.
 */
export function withEventIdField(message: string): string {
  if (!message.startsWith(NEXT_EVENT)) return message;
  try {
    const result = JSON.parse(message.slice(NEXT_EVENT.length)) as { extensions?: { eventId?: unknown } };
    const eventId = result.extensions?.eventId;
    return isSseEventId(eventId) ? `id: ${eventId}\n${message}` : message;
  } catch {
    return message;
  }
}

/**
 * A result's errors as clients may see them: formatted as on /graphql (unexpected ones masked and
 * logged, codes kept, no `http` extension, which Apollo drops there too).
 */
export function formattedResult<Result extends ExecutionResult | ExecutionPatchResult>(result: Result, logger: Logger): Result {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => formatStreamedError(error, logger));
  // The stream prints a GraphQLError as its toJSON(), a formatted error: these stand in for them.
  return { ...result, errors: errors as unknown as GraphQLError[] };
}

/** A request refused before any stream, as JSON GraphQL errors with a code. */
export function refusal(status: number, message: string, code: string): SseResponse {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } },
  ];
}

/** graphql-sse's own refusals (a missing query, an unreadable body) say no code: they are the client's, BAD_USER_INPUT. */
export function withErrorCodes(body: string): string {
  try {
    const answer = JSON.parse(body) as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] };
    if (!Array.isArray(answer.errors)) return body;
    const errors = answer.errors.map((error) => ({ ...error, extensions: { code: 'BAD_USER_INPUT', ...error.extensions } }));
    return JSON.stringify({ ...answer, errors });
  } catch {
    return body;
  }
}

/** Validation errors with the code Apollo gives them (formatError makes them BAD_USER_INPUT). */
export function codedValidationErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map(
    (error) => new GraphQLError(error.message, { nodes: error.nodes ?? null, source: error.source ?? null, positions: error.positions ?? null, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }),
  );
}

/** Whether `res` drained within `timeoutMs`; false as soon as it closes. */
export function drained(res: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    const timer = setTimeout(() => settle(false), timeoutMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
