import { randomUUID } from 'node:crypto';
import { graphql, type GraphQLResponse } from './graphql.js';

export const CREATE_ORDER = `mutation ($input: CreateOrderInput!) {
  createOrder(input: $input) {
    id status
    total { amountCents currency }
    items { quantity unitPrice { amountCents currency } product { id name stock } }
    statusHistory { status at }
  }
}`;

export interface Item {
  productId: string;
  quantity: number;
}

export function createOrder(gatewayUrl: string, token: string, items: Item[], idempotencyKey: string = randomUUID()): Promise<GraphQLResponse> {
  return graphql(gatewayUrl, CREATE_ORDER, { token, variables: { input: { items, idempotencyKey } } });
}

/** Creates a product through the API (as an admin) and returns its id. */
export async function createProduct(
  gatewayUrl: string,
  adminToken: string,
  fields: { stock: number; priceCents?: number; currency?: string; name?: string },
): Promise<string> {
  const response = await graphql(gatewayUrl, 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
    token: adminToken,
    variables: {
      input: { name: fields.name ?? `Product ${randomUUID()}`, description: '', priceCents: fields.priceCents ?? 1000, currency: fields.currency ?? 'EUR', stock: fields.stock },
    },
  });
  if (!response.data?.createProduct) throw new Error(`createProduct failed: ${JSON.stringify(response.errors)}`);
  return (response.data.createProduct as { id: string }).id;
}

export async function stockOf(gatewayUrl: string, productId: string): Promise<number> {
  // no-cache: the current stock, not the gateway's cached answer for anonymous catalogue reads.
  const response = await graphql(gatewayUrl, 'query ($id: ID!) { product(id: $id) { stock } }', {
    variables: { id: productId },
    headers: { 'cache-control': 'no-cache' },
  });
  return (response.data as { product: { stock: number } }).product.stock;
}

/** Registers a new customer and returns their token. */
export async function newCustomer(gatewayUrl: string): Promise<string> {
  const response = await graphql(gatewayUrl, 'mutation ($input: RegisterInput!) { register(input: $input) { token } }', {
    variables: { input: { email: `customer-${randomUUID()}@example.com`, password: 'customer-password', name: 'Customer' } },
  });
  return (response.data as { register: { token: string } }).register.token;
}
