import CircuitBreaker from 'opossum';
import { AppError, isErrorCode, SERVICE_CREDENTIAL_HEADER, ServiceUnavailableError, type Logger } from '@shop/service-kit';
import type { PricedItem, WantedItem } from './orders-repository.js';

/** What products holds for an order: its reservation, at the prices of the moment. */
export interface Reservation {
  status: 'RESERVED' | 'RELEASED';
  items: PricedItem[];
}

export interface ProductsClientOptions {
  /** The products service's base URL (PRODUCTS_URL). */
  url: string;
  serviceCredential: string;
  timeoutMs: number;
  breaker: { resetTimeoutMs: number; errorThresholdPercentage: number; volumeThreshold: number };
  logger: Logger;
}

/**
 * Refusals products decides on the merits of the order: passed on to the client, and no sign that
 * products is failing. Any other error (a schema mismatch, a bad credential) is ours: SERVICE_UNAVAILABLE.
 */
function isVerdict(error: { extensions?: Record<string, unknown> }): boolean {
  const { code, field } = error.extensions ?? {};
  return code === 'INSUFFICIENT_STOCK' || code === 'NOT_FOUND' || (code === 'BAD_USER_INPUT' && field === 'items');
}

const RESERVATION = 'status items { productId quantity unitPrice { amountCents currency } }';
const RESERVE = `mutation ($orderId: ID!, $items: [StockItemInput!]!) { reserveStock(orderId: $orderId, items: $items) { ${RESERVATION} } }`;
const RELEASE = `mutation ($orderId: ID!) { releaseStock(orderId: $orderId) { ${RESERVATION} } }`;
const FIND = `query ($orderId: ID!) { stockReservation(orderId: $orderId) { ${RESERVATION} } }`;

interface WireReservation {
  status: Reservation['status'];
  items: { productId: string; quantity: number; unitPrice: { amountCents: number; currency: string } }[];
}

interface GraphQLAnswer {
  data?: Record<string, WireReservation | null> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * orders -> products over GraphQL, to products' internal stock operations, with the service
 * credential, a timeout and a circuit breaker. A timeout, a refused connection, an error answer
 * or an open breaker is SERVICE_UNAVAILABLE; products' verdicts (INSUFFICIENT_STOCK, NOT_FOUND,
 * BAD_USER_INPUT) pass through with their productId or field.
 */
export function createProductsClient(options: ProductsClientOptions) {
  const endpoint = new URL('/graphql', options.url).href;

  async function post(query: string, variables: Record<string, unknown>): Promise<GraphQLAnswer> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SERVICE_CREDENTIAL_HEADER]: options.serviceCredential },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const answer = (await response.json().catch(() => ({}))) as GraphQLAnswer;
    const verdict = answer.errors?.find(isVerdict);
    const { code, ...extensions } = verdict?.extensions ?? {};
    if (verdict && isErrorCode(code)) throw new AppError(code, verdict.message, extensions);
    if (!response.ok || answer.errors?.length || !answer.data) {
      throw new Error(`products answered HTTP ${response.status}: ${JSON.stringify(answer.errors ?? null)}`);
    }
    return answer;
  }

  const breaker = new CircuitBreaker(post, {
    timeout: false, // the fetch has its own timeout
    resetTimeout: options.breaker.resetTimeoutMs,
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    volumeThreshold: options.breaker.volumeThreshold,
    errorFilter: (error: unknown) => error instanceof AppError,
  });
  breaker.on('open', () => options.logger.warn('products circuit breaker opened: calls fail fast until it half-opens'));
  breaker.on('halfOpen', () => options.logger.info('products circuit breaker half-open: trying one call'));
  breaker.on('close', () => options.logger.info('products circuit breaker closed'));

  async function call(query: string, variables: Record<string, unknown>, field: string): Promise<WireReservation | null> {
    try {
      const answer = await breaker.fire(query, variables);
      return answer.data?.[field] ?? null;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (!breaker.opened) options.logger.warn({ err: error, operation: field }, 'products call failed');
      throw new ServiceUnavailableError('The products service is unavailable; try again shortly');
    }
  }

  return {
    async reserveStock(orderId: string, items: readonly WantedItem[]): Promise<Reservation> {
      return toReservation((await call(RESERVE, { orderId, items }, 'reserveStock'))!);
    },
    async releaseStock(orderId: string): Promise<Reservation> {
      return toReservation((await call(RELEASE, { orderId }, 'releaseStock'))!);
    },
    /** Null when products never heard of the order. */
    async findReservation(orderId: string): Promise<Reservation | null> {
      const found = await call(FIND, { orderId }, 'stockReservation');
      return found && toReservation(found);
    },
    /** closed | open | halfOpen, for logs and tests. */
    breakerState: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    close: () => breaker.shutdown(),
  };
}

export type ProductsClient = ReturnType<typeof createProductsClient>;

function toReservation(wire: WireReservation): Reservation {
  return {
    status: wire.status,
    items: wire.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPriceCents: item.unitPrice.amountCents,
      currency: item.unitPrice.currency,
    })),
  };
}
