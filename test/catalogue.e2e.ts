import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_PRODUCTS } from '@shop/service-kit';
import { CreateProductDocument, ProductDocument, ProductsDocument, UpdateProductDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { errorCodes, graphql, pick, type GraphQLResponse } from './support/graphql.js';

/** A page as a Relay connection, each product with its cursor: the SDK's Products reads `nodes`, without cursors. */
const PAGE = `query ($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name description price { amountCents currency } stock createdAt updatedAt } }
  }
}`;
interface ProductPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { name: string } }[];
}
const newProduct = { name: 'Test kettle', description: 'For tests', priceCents: 4200, currency: 'EUR', stock: 7 };

describe('the catalogue through the gateway', () => {
  it('pages through every product exactly once, in catalogue order, without a token', async ({ shop: { stack } }) => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response: GraphQLResponse<{ products: ProductPage }> = await graphql(stack.gatewayUrl, PAGE, { variables: { first: 5, after } });
      expect(response.errors).toBeUndefined();
      const { totalCount, pageInfo, edges } = response.data!.products;
      expect(totalCount).toBe(DEMO_PRODUCTS.length);
      seen.push(...edges.map((edge) => edge.node.name));
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(DEMO_PRODUCTS.map((product) => product.name));
  });

  it('gives an empty last page with totalCount and no next page', async ({ shop: { stack } }) => {
    const all = await graphql<{ products: ProductPage }>(stack.gatewayUrl, PAGE, { variables: { first: 100 } });
    const lastCursor = all.data!.products.pageInfo.endCursor;
    const after = await graphql<{ products: ProductPage }>(stack.gatewayUrl, PAGE, { variables: { first: 5, after: lastCursor } });
    expect(after.data!.products).toEqual({ totalCount: DEMO_PRODUCTS.length, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it.for([0, 101, -1])('refuses first: %i as BAD_USER_INPUT naming first', async (first, { shop: { stack } }) => {
    const response = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('first');
  });

  it('refuses a cursor it did not issue as BAD_USER_INPUT naming after', async ({ shop: { stack } }) => {
    const response = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 5, after: 'bm90IGEgY3Vyc29y' } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('after');
  });

  it('searches name and description ignoring case, and treats % and _ literally', async ({ shop: { stack } }) => {
    const beans = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { search: 'BEANS' } });
    expect(beans.data!.products.totalCount).toBe(2);
    for (const wildcard of ['%', '_', '\\']) {
      const response = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { search: wildcard } });
      expect(response.data!.products.totalCount, wildcard).toBe(0);
    }
  });

  it('refuses text with a NUL character as BAD_USER_INPUT, not an internal error', async ({ shop: { stack, admin } }) => {
    const search = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { search: 'cup\u0000' } });
    expect(errorCodes(search)).toEqual(['BAD_USER_INPUT']);
    const create = await graphql(stack.gatewayUrl, CreateProductDocument, { token: admin, variables: { input: { ...newProduct, name: 'Nul\u0000' } } });
    expect(errorCodes(create)).toEqual(['BAD_USER_INPUT']);
  });

  it('finds a product by id, answers null for an unknown id, and refuses one that is no id', async ({ shop: { stack } }) => {
    const known = await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: DEMO_PRODUCTS[0]!.id } });
    expect(pick(known.data!.product!, 'name', 'price')).toEqual({ name: DEMO_PRODUCTS[0]!.name, price: { amountCents: DEMO_PRODUCTS[0]!.priceCents, currency: 'EUR' } });
    expect((await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: randomUUID() } })).data!.product).toBeNull();
    const malformed = await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: 'nope' } });
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.extensions?.field).toBe('id');
  });

  it('lets only admins create and update products', async ({ shop: { stack, alice, admin } }) => {
    expect(errorCodes(await graphql(stack.gatewayUrl, CreateProductDocument, { variables: { input: newProduct } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(stack.gatewayUrl, CreateProductDocument, { token: alice, variables: { input: newProduct } }))).toEqual(['FORBIDDEN']);

    const created = await graphql(stack.gatewayUrl, CreateProductDocument, { token: admin, variables: { input: newProduct } });
    expect(created.data!.createProduct).toMatchObject({ name: 'Test kettle', price: { amountCents: 4200, currency: 'EUR' }, stock: 7 });
    const id = created.data!.createProduct.id;

    const forbidden = await graphql(stack.gatewayUrl, UpdateProductDocument, { token: alice, variables: { id, input: { stock: 0 } } });
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
    const updated = await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id, input: { priceCents: 3900, stock: 3 } } });
    expect(pick(updated.data!.updateProduct, 'id', 'name', 'price', 'stock')).toEqual({ id, name: 'Test kettle', price: { amountCents: 3900, currency: 'EUR' }, stock: 3 });
  });

  it('refuses bad product input as BAD_USER_INPUT naming the field, and an unknown id as NOT_FOUND', async ({ shop: { stack, admin } }) => {
    const bad = await graphql(stack.gatewayUrl, CreateProductDocument, { token: admin, variables: { input: { ...newProduct, currency: 'euro' } } });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0]?.extensions?.field).toBe('currency');
    const negative = await graphql(stack.gatewayUrl, CreateProductDocument, { token: admin, variables: { input: { ...newProduct, stock: -1 } } });
    expect(negative.errors?.[0]?.extensions?.field).toBe('stock');
    const unknown = await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id: randomUUID(), input: { stock: 1 } } });
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
  });
});
