import { describe, expect } from 'vitest';
import { ProductsDocument } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';

const SHOP = 'https://shop.example';

const it = test.extend('stackOptions', { scope: 'file' }, { gatewayProduction: true, corsOrigins: [SHOP] });

describe('the gateway in production posture', () => {
  it('shows no Sandbox and refuses introspection', async ({ stack }) => {
    const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/sandbox/i);
    const introspection = await graphql(stack.gatewayUrl, '{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    expect(errorCodes(introspection)).toEqual(['BAD_USER_INPUT']);
    expect(introspection.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    expect((await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 1 } })).data?.products.totalCount).toBe(12);
  });

  it('hides field suggestions in validation errors', async ({ stack }) => {
    const response = await graphql(stack.gatewayUrl, '{ products(first: 1) { totalCout } }');
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/Cannot query field "totalCout"/);
    expect(response.errors?.[0]?.message).not.toMatch(/totalCount/);
  });

  it('allows cross-origin calls from CORS_ORIGINS only', async ({ stack }) => {
    const preflight = (origin: string) =>
      fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight(SHOP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    const fromShop = await graphql(stack.gatewayUrl, '{ __typename }', { headers: { origin: SHOP } });
    expect(fromShop.headers.get('access-control-allow-origin')).toBe(SHOP);
    const fromElsewhere = await graphql(stack.gatewayUrl, '{ __typename }', { headers: { origin: 'https://evil.example' } });
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention on: a GET without a preflight-forcing header is refused', async ({ stack }) => {
    const simple = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(simple.status).toBe(400);
  });
});
