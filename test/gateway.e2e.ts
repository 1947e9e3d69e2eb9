import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, vi } from 'vitest';
import { SUPERGRAPH_FILE } from '../scripts/supergraph.js';
import { ProductsDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';

describe('the gateway', () => {
  it('shows Apollo Sandbox to a browser on GET /graphql, and sends / there', async ({ shop: { stack } }) => {
    const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/sandbox/i);
    const root = await fetch(`${stack.gatewayUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
  });

  it('answers queries over GET, and refuses a GET that could be a cross-site request (CSRF prevention)', async ({ shop: { stack } }) => {
    const query = encodeURIComponent('{ products(first: 1) { totalCount } }');
    const preflighted = await fetch(`${stack.gatewayUrl}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await preflighted.json()) as { data: { products: { totalCount: number } } }).data.products.totalCount).toBe(12);
    // No ETag: nothing revalidates GraphQL answers with one, and computing it hashed every response.
    expect(preflighted.headers.get('etag')).toBeNull();
    const simple = await fetch(`${stack.gatewayUrl}/graphql?query=${query}`);
    expect(simple.status).toBe(400);
  });

  it('refuses a body that is not JSON with BAD_USER_INPUT, and keeps serving', async ({ shop: { stack } }) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect((await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 1 } })).data?.products.totalCount).toBe(12);
  });

  it('reports GraphQL validation errors as BAD_USER_INPUT', async ({ shop: { stack } }) => {
    const response = await graphql(stack.gatewayUrl, '{ products(first: 1) { nonsense } }');
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('is ready while every subgraph answers, says which supergraph it serves (not where from), and names the subgraph it cannot reach', async ({ shop: { stack } }) => {
    expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
    const served = { hash: createHash('sha256').update(await readFile(SUPERGRAPH_FILE)).digest('hex') };
    const ready = await fetch(`${stack.gatewayUrl}/ready`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body).toMatchObject({ status: 'ready', supergraph: served });
    expect(JSON.stringify(body)).not.toContain(SUPERGRAPH_FILE);
    await stack.stopSubgraph('products');
    // Its verdict is cached for a second (READINESS_CACHE_MS).
    await vi.waitFor(async () => expect((await fetch(`${stack.gatewayUrl}/ready`)).status).toBe(503), { timeout: 5_000, interval: 200 });
    const unready = await fetch(`${stack.gatewayUrl}/ready`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ status: 'unavailable', problems: ['products: unreachable'], supergraph: served });
    expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
  });

  it('gives SERVICE_UNAVAILABLE, not a network message, when a subgraph is down', async ({ shop: { stack } }) => {
    await stack.stopSubgraph('products');
    // no-cache: an earlier test's answer may still be in the gateway's cache for anonymous reads.
    const response = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 1 }, headers: { 'cache-control': 'no-cache' } });
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed/);
  });
});
