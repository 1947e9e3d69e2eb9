import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@shop/service-kit';
import { createShopClient, MeDocument, SHOP_ERROR_CODES, ShopError } from '../src/index.js';

const ME = { me: { id: '1', email: 'a@example.com', name: 'A', role: 'CUSTOMER', createdAt: '2026-01-01T00:00:00.000Z' } };
const json = (body: unknown, init: ResponseInit = {}) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init });

describe('createShopClient', () => {
  it('sends the text where the server does not know the hash, and the hash alone otherwise', async () => {
    const bodies: Record<string, unknown>[] = [];
    const client = createShopClient({
      url: 'http://shop.test/graphql',
      fetch: async (_url, init) => {
        const body = JSON.parse(init?.body as string) as Record<string, unknown>;
        bodies.push(body);
        return 'query' in body ? json({ data: ME }) : json({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
      },
    });
    expect(await client.request(MeDocument)).toEqual(ME);
    expect(bodies).toEqual([
      { extensions: { persistedQuery: { version: 1, sha256Hash: MeDocument.__meta__?.hash as string } } },
      { query: MeDocument.toString() },
    ]);
  });

  it('sends the token it was given, and turns RATE_LIMITED into a ShopError with Retry-After', async () => {
    let authorization: string | null = null;
    const client = createShopClient({
      url: 'http://shop.test/graphql',
      token: 't0ken',
      persistedDocuments: false,
      fetch: async (_url, init) => {
        authorization = new Headers(init?.headers).get('authorization');
        return json({ errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } }] }, { status: 429, headers: { 'retry-after': '7' } });
      },
    });
    const error = await client.request(MeDocument).catch((thrown: unknown) => thrown);
    expect(authorization).toBe('Bearer t0ken');
    expect(error).toBeInstanceOf(ShopError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 7 });
  });

  it('keeps a code it does not know as serverCode', async () => {
    const client = createShopClient({
      url: 'http://shop.test/graphql',
      fetch: async () => json({ errors: [{ message: 'Odd', extensions: { code: 'SOMETHING_NEW' } }] }),
    });
    const error = (await client.request(MeDocument).catch((thrown: unknown) => thrown)) as ShopError;
    expect(error.errors[0]).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', serverCode: 'SOMETHING_NEW' });
  });

  // SHOP_ERROR_CODES copies service-kit's ERROR_CODES because the SDK may not import the server kit: this keeps the copy true.
  it('knows every error code the services produce, and beyond them only the persisted-document protocol’s', () => {
    expect(SHOP_ERROR_CODES).toEqual(expect.arrayContaining([...ERROR_CODES]));
    const serviceCodes: readonly string[] = ERROR_CODES;
    expect(SHOP_ERROR_CODES.filter((code) => !serviceCodes.includes(code))).toEqual(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_IN_LIST']);
  });
});
