import { describe, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { DEMO_PRODUCTS } from '@shop/service-kit';
import { createShopClient, ProductDocument, ProductsDocument } from '@shop/sdk';
import type { Stack } from './support/stack.js';
import { test } from './support/fixtures.js';
import { ALICE } from './support/graphql.js';

const AD_HOC = '{ products(first: 1) { totalCount } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** POSTs a raw GraphQL-over-HTTP body, as any client could. */
async function post(stack: Stack, body: Record<string, unknown>) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, ...json, codes: (json.errors ?? []).map((error) => error.extensions?.code) };
}

const byHash = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

/** `stack` as by default; `secondStack` serves only the SDK's documents. */
const it = test.extend('secondStackOptions', { scope: 'file' }, { persistedDocumentsOnly: true });

describe('persisted documents', () => {
  describe('by default', () => {
    it('serves the SDK documents by hash and still takes ad-hoc documents, as text or registered by hash', async ({ stack }) => {
      expect((await post(stack, { ...byHash(ProductDocument.__meta__!.hash as string), variables: { id: DEMO_PRODUCTS[0]!.id } })).data).toEqual({
        product: expect.objectContaining({ name: DEMO_PRODUCTS[0]!.name }),
      });
      expect((await post(stack, { query: AD_HOC })).data).toEqual({ products: { totalCount: expect.any(Number) } });
      const hash = sha256(AD_HOC);
      expect((await post(stack, byHash(hash))).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect((await post(stack, { ...byHash(hash), query: AD_HOC })).errors).toBeUndefined();
      expect((await post(stack, byHash(hash))).data).toEqual({ products: { totalCount: expect.any(Number) } });
    });
  });

  describe('with PERSISTED_DOCUMENTS_ONLY', () => {
    it('refuses a document that is not in the manifest, as text, by hash or registered, with PERSISTED_QUERY_NOT_IN_LIST', async ({ secondStack: stack }) => {
      const asText = await post(stack, { query: AD_HOC });
      expect(asText).toMatchObject({ status: 400, codes: ['PERSISTED_QUERY_NOT_IN_LIST'] });
      expect(asText.data).toBeUndefined();
      expect((await post(stack, byHash(sha256(AD_HOC)))).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect((await post(stack, { ...byHash(sha256(AD_HOC)), query: AD_HOC })).codes).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
      expect((await post(stack, byHash(sha256(AD_HOC)))).codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect((await post(stack, { query: '{ __schema { types { name } } }' })).codes).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    });

    it('refuses an unlisted document in a GET whose query string pads it behind a thousand parameters', async ({ secondStack: stack }) => {
      const padding = Array.from({ length: 1000 }, (_, index) => `p${index}=`).join('&');
      const response = await fetch(`${stack.gatewayUrl}/graphql?${padding}&query=${encodeURIComponent(AD_HOC)}`, { headers: { 'apollo-require-preflight': 'true' } });
      const json = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      expect(response.status).toBe(400);
      expect(json.data).toBeUndefined();
      expect(json.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    });

    it('serves the SDK unchanged', async ({ secondStack: stack }) => {
      const client = createShopClient({ url: `${stack.gatewayUrl}/graphql` });
      await client.login(ALICE.email, ALICE.password);
      const page = await client.request(ProductsDocument, { first: 3 });
      expect(page.products.nodes).toHaveLength(3);
    });
  });
});
