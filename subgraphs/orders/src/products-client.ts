import {
  createCircuitBreaker,
  createServiceClient,
  SERVICE_CREDENTIAL_HEADER,
  type BreakerOptions,
  type BreakerState,
  type Logger,
  type RemoteGraphQLError,
} from '@shop/service-kit';
import type { PricedItem, WantedItem } from './order-rows.js';

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
  breaker: BreakerOptions;
  logger: Logger;
}

/**
 * Refusals products decides on the merits of the order: passed on to the client, and no sign that
 * products is failing. Any other error (a schema mismatch, a bad credential) is ours: SERVICE_UNAVAILABLE.
 */
function isVerdict(error: RemoteGraphQLError): boolean {
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

/**
 * orders -> products over GraphQL, to products' internal stock operations, with the service
 * credential, a timeout and a circuit breaker. A timeout, a refused connection, an error answer
 * or an open breaker is SERVICE_UNAVAILABLE; products' verdicts (INSUFFICIENT_STOCK, NOT_FOUND,
 * BAD_USER_INPUT) pass through with their productId or field.
 */
export function createProductsClient(options: ProductsClientOptions) {
  const breaker = createCircuitBreaker({ ...options.breaker, name: 'products', logger: options.logger });
  const products = createServiceClient({
    service: 'products',
    url: options.url,
    timeoutMs: options.timeoutMs,
    headers: { [SERVICE_CREDENTIAL_HEADER]: options.serviceCredential },
    breaker,
    isVerdict,
    logger: options.logger,
  });

  async function call<Field extends string>(document: string, variables: { orderId: string; items?: readonly WantedItem[] }, operation: Field) {
    const data = await products.request<Record<Field, WireReservation | null>>(document, { variables, operation });
    return data[operation];
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
    breakerState: (): BreakerState => breaker.state(),
    close: (): void => breaker.close(),
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
