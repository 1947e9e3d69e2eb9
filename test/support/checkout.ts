import { randomUUID } from 'node:crypto';
import { CreateOrderDocument, CreateProductDocument, ProductDocument, RegisterDocument, type CreateOrderMutation, type OrderItemInput } from '@shop/sdk';
import { graphql, type GraphQLResponse } from './graphql.js';

export type Item = OrderItemInput;

/** Places an order through the gateway, as the SDK's CreateOrder does; the key is fresh unless given. */
export function createOrder(gatewayUrl: string, token: string, items: Item[], idempotencyKey: string = randomUUID()): Promise<GraphQLResponse<CreateOrderMutation>> {
  return graphql(gatewayUrl, CreateOrderDocument, { token, variables: { input: { items, idempotencyKey } } });
}

/** Creates a product through the API (as an admin) and returns its id. */
export async function createProduct(
  gatewayUrl: string,
  adminToken: string,
  fields: { stock: number; priceCents?: number; currency?: string; name?: string },
): Promise<string> {
  const response = await graphql(gatewayUrl, CreateProductDocument, {
    token: adminToken,
    variables: {
      input: { name: fields.name ?? `Product ${randomUUID()}`, description: '', priceCents: fields.priceCents ?? 1000, currency: fields.currency ?? 'EUR', stock: fields.stock },
    },
  });
  if (!response.data?.createProduct) throw new Error(`createProduct failed: ${JSON.stringify(response.errors)}`);
  return response.data.createProduct.id;
}

export async function stockOf(gatewayUrl: string, productId: string): Promise<number> {
  // no-cache: the current stock, not the gateway's cached answer for anonymous catalogue reads.
  const response = await graphql(gatewayUrl, ProductDocument, {
    variables: { id: productId },
    headers: { 'cache-control': 'no-cache' },
  });
  const product = response.data?.product;
  if (!product) throw new Error(`no product ${productId}: ${JSON.stringify(response.errors)}`);
  return product.stock;
}

/** Registers a new customer and returns their token. */
export async function newCustomer(gatewayUrl: string): Promise<string> {
  const response = await graphql(gatewayUrl, RegisterDocument, {
    variables: { input: { email: `customer-${randomUUID()}@example.com`, password: 'customer-password', name: 'Customer' } },
  });
  if (!response.data?.register) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  return response.data.register.token;
}
