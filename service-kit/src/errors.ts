import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';

/**
 * The error codes of the public API (DESIGN.md §2). Clients switch on these, so they never change.
 * Copied on purpose in sdk/src/errors.ts (SHOP_ERROR_CODES): the SDK ships to browsers and may not
 * import the server kit (sdk-stands-alone in .dependency-cruiser.cjs); sdk/test/client.test.ts
 * keeps the two lists in step: change both.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'INSUFFICIENT_STOCK',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The one base of every error the services raise on purpose: it stamps the code. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.code = code;
  }
}

export class UnauthenticatedError extends AppError {
  /** `httpStatus` only for a request refused as a whole (a bad token); a field's error keeps HTTP 200. */
  constructor(message = 'Not signed in or the token is not valid', httpStatus?: 401) {
    super('UNAUTHENTICATED', message, httpStatus ? { http: { status: httpStatus } } : {});
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, extensions: { productId?: string } = {}) {
    super('NOT_FOUND', message, extensions);
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, field?: string) {
    super('BAD_USER_INPUT', message, field === undefined ? {} : { field });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class InsufficientStockError extends AppError {
  constructor(productId: string) {
    super('INSUFFICIENT_STOCK', `Not enough stock for product ${productId}`, { productId });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'A service this request needs is unavailable; try again shortly', httpStatus?: 503) {
    super('SERVICE_UNAVAILABLE', message, httpStatus ? { http: { status: httpStatus } } : {});
  }
}

/** Too many requests from one client: HTTP 429 with Retry-After, as the whole answer. */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many requests; try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids in the databases; anything else cannot name a row, so lookups skip it. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An id a client sent, as this service's ids are spelled (uuid, lower case); else BAD_USER_INPUT
 * naming `field`. The message does not echo the value: a client chooses its length.
 */
export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`${field} is not a valid id`, field);
  return value.toLowerCase();
}
