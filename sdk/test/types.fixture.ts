/**
 * Compiled by types.test.ts: each @ts-expect-error marks a misuse the SDK's types must reject.
 * If one of them compiles, its directive is unused and the compilation fails.
 */
import { createShopClient, CreateOrderDocument, MeDocument, OrderDocument, ProductsDocument, ShopError } from '@shop/sdk';

const client = createShopClient({ url: 'http://localhost:4000/graphql' });

export async function misuses(): Promise<void> {
  // Right: variables and result typed from the document alone.
  const { order } = await client.request(OrderDocument, { id: 'o-1' });
  const cents: number | undefined = order?.total.amountCents;
  const productName: string | undefined = order?.items[0]?.product?.name;
  await client.request(MeDocument);
  await client.request(ProductsDocument);
  await client.request(ProductsDocument, { first: 10, search: 'cup' });

  // @ts-expect-error a required variable is missing
  await client.request(OrderDocument, {});
  // @ts-expect-error the variables are missing altogether
  await client.request(OrderDocument);
  // @ts-expect-error a variable of the wrong type
  await client.request(OrderDocument, { id: true });
  // @ts-expect-error a variable the operation does not declare
  await client.request(ProductsDocument, { first: 10, colour: 'red' });
  // @ts-expect-error an input field of the wrong type
  await client.request(CreateOrderDocument, { input: { idempotencyKey: 'k', items: [{ productId: 'p', quantity: '2' }] } });

  // @ts-expect-error a field the operation does not select
  void order?.items[0]?.product?.sku;
  // @ts-expect-error a cross-service field may be null (its service down), so it needs a check
  void order?.user.name;
  // @ts-expect-error a status that does not exist
  const shipped: typeof order extends { status: infer S } | null | undefined ? S : never = 'LOST';

  try {
    await client.login('a@example.com', 'secret');
  } catch (error) {
    if (error instanceof ShopError) {
      // @ts-expect-error an error code the API does not have
      if (error.code === 'TEAPOT') return;
    }
  }
  void cents;
  void productName;
  void shipped;
}
