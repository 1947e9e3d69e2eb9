import { DependencyUnavailable, isBreakerRejection, type CircuitBreaker } from './circuit-breaker.js';
import { AppError, isErrorCode, ServiceUnavailableError } from './errors.js';
import { REQUEST_ID_HEADER } from './http-service.js';
import type { Logger } from './logger.js';
import { currentRequestId } from './request-scope.js';
import { beneath } from './service-url.js';
import { callMetrics, type CallOutcome } from './metrics.js';

/** One error of another service's GraphQL answer, as it arrived. */
export interface RemoteGraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface ServiceClientOptions {
  /** The other service by name, in log lines and in the default SERVICE_UNAVAILABLE message. */
  service: string;
  /** Its base URL (`<NAME>_URL`); calls go to its /graphql. */
  url: string;
  /** Longest one call may take, answer body included; then it is aborted. */
  timeoutMs: number;
  /** Headers every call carries, such as the service credential. */
  headers?: Record<string, string>;
  /** When set, every call runs through it and an open breaker fails the call at once. */
  breaker?: CircuitBreaker;
  /**
   * Which of the other service's errors are its verdict on the request, passed on to our caller
   * as an AppError with the same code (only errors with a public code qualify). Any other error
   * is the call failing: SERVICE_UNAVAILABLE. By default every public code except those that say
   * the other service itself failed.
   */
  isVerdict?: (error: RemoteGraphQLError) => boolean;
  /** What our caller reads when the other service cannot serve. */
  unavailableMessage?: string;
  /** For calls made without a request's own logger. */
  logger?: Logger;
}

/** What one call sends beside its document. */
export interface ServiceCall<TVariables extends Record<string, unknown>> {
  variables?: TVariables;
  /** The caller's own token, for operations the other service must judge as that user. */
  authorization?: string;
  /** The request's logger; else the client's. */
  logger?: Logger;
  /** Names the operation in the log line of a failed call. */
  operation?: string;
}

export interface ServiceClient {
  /**
   * POSTs `document` to the other service and resolves with its `data`. Rejects with the other
   * service's verdict as an AppError, or with SERVICE_UNAVAILABLE when it is refused, reset,
   * timed out, answers 5xx or no GraphQL, answers an error that is no verdict, or its breaker is open.
   */
  request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(document: string, call?: ServiceCall<TVariables>): Promise<TData>;
}

/** Codes that say the other service failed rather than judged the request: for our caller, it is unavailable. */
const FAILURE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);

/** The default verdicts: any public code that is not the other service failing. */
export function isRemoteVerdict(error: RemoteGraphQLError): boolean {
  const code = error.extensions?.code;
  return isErrorCode(code) && !FAILURE_CODES.has(code);
}

interface GraphQLAnswer {
  data?: unknown;
  errors?: RemoteGraphQLError[];
}

/**
 * A GraphQL client from one service to another over HTTP (Node's fetch, itself undici, keeping
 * connections alive): each call has a deadline, optionally a circuit breaker, and the headers
 * the project forwards. Only the two outcomes our own callers can act on come out: the other
 * service's verdict, or SERVICE_UNAVAILABLE with a message that names no host or socket.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const { service, timeoutMs, breaker } = options;
  const endpoint = beneath(options.url, 'graphql');
  const isVerdict = options.isVerdict ?? isRemoteVerdict;
  const unavailableMessage = options.unavailableMessage ?? `The ${service} service is unavailable; try again shortly`;
  const recordCall = callMetrics('service');

  async function send(document: string, call: ServiceCall<Record<string, unknown>>): Promise<unknown> {
    const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json' };
    if (call.authorization) headers.authorization = call.authorization;
    // The request this call serves, so both services' log lines carry one id.
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    let status: number;
    let body: string;
    try {
      // One signal for headers and body: a service that trickles its answer is cut off too.
      const response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: document, variables: call.variables ?? {} }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new DependencyUnavailable(service, timedOut ? `gave no answer within ${timeoutMs} ms` : 'gave no answer', { cause: error });
    }
    return dataOf(status, body);
  }

  /** Sorts an HTTP answer into data, a verdict (AppError) or the service being unavailable. */
  function dataOf(status: number, body: string): unknown {
    if (status >= 500) throw new DependencyUnavailable(service, `answered HTTP ${status}`);
    const answer = parseAnswer(body);
    // A 4xx that is not GraphQL (a proxy's page, a wrong route) proves the host is up, though unusable.
    if (!answer) throw new DependencyUnavailable(service, `answered HTTP ${status} with a body that is not GraphQL`, { countsAgainstBreaker: status < 300 });
    const errors = answer.errors ?? [];
    for (const error of errors) {
      const { code, ...extensions } = error.extensions ?? {};
      // Only a public code can reach our caller, whatever isVerdict accepts.
      if (isErrorCode(code) && isVerdict(error)) throw new AppError(code, error.message, extensions);
    }
    if (errors.length > 0) {
      const reasons = errors.map((error) => `${typeof error.extensions?.code === 'string' ? error.extensions.code : 'uncoded'}: ${error.message}`).join('; ');
      throw new DependencyUnavailable(service, `answered HTTP ${status} with errors (${reasons})`);
    }
    if (status >= 300) throw new DependencyUnavailable(service, `answered HTTP ${status} without errors`, { countsAgainstBreaker: false });
    if (answer.data === undefined || answer.data === null) throw new DependencyUnavailable(service, 'answered without data');
    return answer.data;
  }

  return {
    async request<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(document: string, call: ServiceCall<TVariables> = {}): Promise<TData> {
      const startedAt = performance.now();
      try {
        const data = breaker ? await breaker.run(() => send(document, call)) : await send(document, call);
        recordCall(service, 'success', startedAt);
        // The document fixes the shape of `data`; the caller names it, as a generated TypedDocumentNode would.
        return data as TData;
      } catch (error) {
        recordCall(service, outcomeOf(error), startedAt);
        if (error instanceof AppError) throw error;
        const logger = call.logger ?? options.logger;
        const fields = { service, ...(call.operation ? { operation: call.operation } : {}) };
        // An open breaker logged its opening once; each call it refuses is not news.
        if (isBreakerRejection(error)) logger?.debug(fields, `${service} call refused: circuit breaker open`);
        else logger?.warn({ ...fields, err: error }, `${service} call failed`);
        throw new ServiceUnavailableError(unavailableMessage);
      }
    },
  };
}

/** A verdict is the other service answering with errors; a refusal by the breaker was never tried. */
function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof AppError) return 'error';
  return isBreakerRejection(error) ? 'rejected' : 'unavailable';
}

function parseAnswer(body: string): GraphQLAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const { errors } = parsed as { errors?: unknown };
    if (errors !== undefined && !Array.isArray(errors)) return undefined;
    // Errors checked as far as we read them: a message (else a placeholder) and optional extensions.
    return {
      data: (parsed as { data?: unknown }).data,
      ...(errors && { errors: errors.map(toRemoteError) }),
    };
  } catch {
    return undefined;
  }
}

function toRemoteError(error: unknown): RemoteGraphQLError {
  const { message, extensions } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; extensions?: unknown };
  return {
    message: typeof message === 'string' ? message : 'error without a message',
    ...(typeof extensions === 'object' && extensions !== null && !Array.isArray(extensions) ? { extensions: extensions as Record<string, unknown> } : {}),
  };
}
