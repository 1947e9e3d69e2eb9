/**
 * The codes a shop server puts in `extensions.code`: the API's own (DESIGN §2) and those of the
 * persisted-document protocol. Request errors (a document that does not parse or validate) arrive
 * as BAD_USER_INPUT. A code the SDK does not know arrives as INTERNAL_SERVER_ERROR, its text kept
 * in `serverCode`.
 *
 * The API's codes are a copy of service-kit's ERROR_CODES, on purpose: the SDK ships to browsers
 * and must not depend on the server kit (the sdk-stands-alone rule in .dependency-cruiser.cjs).
 * sdk/test/client.test.ts keeps the two lists in step.
 */
export const SHOP_ERROR_CODES = [
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
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_LIST',
] as const;

export type ShopErrorCode = (typeof SHOP_ERROR_CODES)[number];

/** One error of a GraphQL response, as the server sent it, with its code typed. */
export interface ShopGraphQLError {
  message: string;
  code: ShopErrorCode;
  /** The code as sent, when it is not one of SHOP_ERROR_CODES. */
  serverCode?: string;
  /** Where in the result the error belongs, for a field that could not be resolved. */
  path?: readonly (string | number)[];
  /** The input field at fault (BAD_USER_INPUT). */
  field?: string;
  /** The product at fault (INSUFFICIENT_STOCK, NOT_FOUND in createOrder). */
  productId?: string;
  /** Why the server ended a subscription (SUPERGRAPH_RELOADED, SESSION_ENDED, SLOW_CONSUMER, …), beside its code. */
  reason?: string;
}

/**
 * The server answered, with errors. `code`, `field` and `productId` are the first error's; all
 * errors are in `errors`, and any partial result in `data` (with one service down, a query still
 * answers what the others can, with SERVICE_UNAVAILABLE on the missing paths).
 */
export class ShopError extends Error {
  override readonly name = 'ShopError';
  readonly code: ShopErrorCode;
  readonly field?: string;
  readonly productId?: string;

  constructor(
    readonly errors: readonly ShopGraphQLError[],
    readonly data: unknown,
    /** The HTTP status of the answer (200 for most GraphQL errors). */
    readonly status: number,
    /** Seconds to wait before retrying, from `Retry-After` (RATE_LIMITED). */
    readonly retryAfterSeconds?: number,
  ) {
    const [first] = errors;
    super(first?.message ?? 'The server answered with an error');
    this.code = first?.code ?? 'INTERNAL_SERVER_ERROR';
    if (first?.field !== undefined) this.field = first.field;
    if (first?.productId !== undefined) this.productId = first.productId;
  }
}

/** The server could not be reached, or its answer was not a GraphQL response (a proxy's error page, say). */
export class ShopNetworkError extends Error {
  override readonly name = 'ShopNetworkError';

  constructor(
    message: string,
    /** The HTTP status, when an answer arrived. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const isShopErrorCode = (code: unknown): code is ShopErrorCode => (SHOP_ERROR_CODES as readonly unknown[]).includes(code);

/** An error of a response body, typed; whatever the server sent that is not a string is left out. */
export function toShopGraphQLError(raw: unknown): ShopGraphQLError {
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const extensions = (typeof error.extensions === 'object' && error.extensions !== null ? error.extensions : {}) as Record<string, unknown>;
  const code = extensions.code;
  return {
    message: typeof error.message === 'string' ? error.message : 'Unknown error',
    code: isShopErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR',
    ...(typeof code === 'string' && !isShopErrorCode(code) ? { serverCode: code } : {}),
    ...(Array.isArray(error.path) ? { path: error.path as (string | number)[] } : {}),
    ...(typeof extensions.field === 'string' ? { field: extensions.field } : {}),
    ...(typeof extensions.productId === 'string' ? { productId: extensions.productId } : {}),
    ...(typeof extensions.reason === 'string' ? { reason: extensions.reason } : {}),
  };
}
