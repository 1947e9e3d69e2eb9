import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_CREDENTIAL_HEADER } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { startStandInService, type StandInService } from '../../../service-kit/test/support/stand-in-service.js';
import { createProductsClient, type ProductsClient } from '../src/products-client.js';

const RESERVED = {
  status: 'RESERVED',
  items: [{ productId: 'p-1', quantity: 2, unitPrice: { amountCents: 1250, currency: 'EUR' } }],
};
const refusal = (code: string, extensions: Record<string, unknown> = {}) => ({ data: null, errors: [{ message: `refused: ${code}`, extensions: { code, ...extensions } }] });

/** A stand-in for products that records what it was sent and answers as told. */
describe("orders' client to products", () => {
  let products: StandInService;
  let client: ProductsClient;
  /** What products answers from now on (always HTTP 200, as GraphQL over HTTP answers). */
  const answer = (body: unknown) => products.behave({ status: 200, body });
  const received = () => products.received as { headers: Record<string, unknown>; body: { variables: Record<string, unknown> } }[];
  beforeAll(async () => {
    products = await startStandInService();
  });
  beforeEach(() => {
    products.received.length = 0;
    client?.close();
    client = createProductsClient({
      url: products.url,
      serviceCredential: 'service-secret',
      timeoutMs: 1_000,
      breaker: { resetTimeoutMs: 60_000, errorThresholdPercentage: 50, volumeThreshold: 3 },
      logger: testLogger('orders'),
    });
  });
  afterAll(async () => {
    client.close();
    await products.stop();
  });

  it('reserves with the service credential and reads the reservation at its prices', async () => {
    answer({ data: { reserveStock: RESERVED } });
    const reservation = await client.reserveStock('order-1', [{ productId: 'p-1', quantity: 2 }]);
    expect(reservation).toEqual({ status: 'RESERVED', items: [{ productId: 'p-1', quantity: 2, unitPriceCents: 1250, currency: 'EUR' }] });
    expect(received()[0]!.headers[SERVICE_CREDENTIAL_HEADER]).toBe('service-secret');
    expect(received()[0]!.body.variables).toEqual({ orderId: 'order-1', items: [{ productId: 'p-1', quantity: 2 }] });
    answer({ data: { stockReservation: null } });
    expect(await client.findReservation('order-2')).toBeNull();
  });

  it("passes products' verdicts on the order to the client, and the breaker stays closed", async () => {
    answer(refusal('INSUFFICIENT_STOCK', { productId: 'p-1' }));
    for (let call = 0; call < 4; call++) {
      await expect(client.reserveStock('order-1', [{ productId: 'p-1', quantity: 2 }])).rejects.toMatchObject({
        extensions: { code: 'INSUFFICIENT_STOCK', productId: 'p-1' },
      });
    }
    answer(refusal('BAD_USER_INPUT', { field: 'items' }));
    await expect(client.reserveStock('order-1', [])).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'items' } });
    answer(refusal('NOT_FOUND', { productId: 'p-9' }));
    await expect(client.reserveStock('order-1', [{ productId: 'p-9', quantity: 1 }])).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND', productId: 'p-9' } });
    expect(client.breakerState()).toBe('closed');
  });

  it('treats any other refusal (a bad credential, a schema mismatch) as products failing: SERVICE_UNAVAILABLE, counted by the breaker', async () => {
    answer(refusal('UNAUTHENTICATED'));
    await expect(client.releaseStock('order-1')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    answer(refusal('BAD_USER_INPUT', { field: 'orderId' }));
    await expect(client.releaseStock('order-1')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    await expect(client.releaseStock('order-1')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(client.breakerState()).toBe('open');
    await expect(client.releaseStock('order-1')).rejects.toMatchObject({ message: 'The products service is unavailable; try again shortly' });
    expect(received()).toHaveLength(3);
  });
});
