import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import type { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../../test/support/logger.js';
import type { BoundedRateLimitStore } from '../src/bounded-rate-limit-store.js';
import { loadConfig } from '../src/config.js';
import { boundedCache, IN_MEMORY_RATE_LIMITERS, memoryBudget, MiB, objectEntryBytes, oldSpaceLimitBytes, RATE_LIMIT_KEY_BYTES, stringEntryBytes } from '../src/memory-budget.js';
import { persistedDocumentStore } from '../src/persisted-documents.js';
import { createRateLimiters } from '../src/rate-limits.js';
import { ReloadableGateway } from '../src/reloadable-gateway.js';
import { gatewayService } from '../src/service.js';
import { fileSupergraph } from '../src/supergraph-source.js';

const SUPERGRAPH = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));

/** What a cache holds, in its own estimate of heap bytes. */
async function heldBytes<Value extends object | string>(cache: InMemoryLRUCache<Value>, entryBytes: (value: Value, key: string) => number) {
  let bytes = 0;
  for (const key of cache.keys()) bytes += entryBytes((await cache.get(key))!, key);
  return { entries: cache.keys().length, bytes };
}

/** The old generation of a Node started with the gateway's own flags (what npm start gives it; the image passes them in NODE_OPTIONS). */
function gatewayOldSpaceLimit(): number {
  const script = "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))";
  const heapSizeLimit = Number(execFileSync(process.execPath, [...gatewayService.nodeFlags, '-e', script], { encoding: 'utf8' }));
  return oldSpaceLimitBytes({ execArgv: gatewayService.nodeFlags, nodeOptions: undefined, heapSizeLimit });
}

describe("the gateway's memory budget", () => {
  it('fits its default budgets, every store counted, in half the old generation the gateway runs with (96 MiB of 192)', () => {
    const oldSpace = gatewayOldSpaceLimit();
    expect(oldSpace).toBe(192 * MiB);
    const config = loadConfig({}, oldSpace);
    const lines = memoryBudget(config);
    expect(lines.map((line) => line.setting)).toEqual([
      'RESPONSE_CACHE_MB',
      'ENTITY_CACHE_MB',
      undefined,
      'PERSISTED_QUERIES_CACHE_MB',
      'DOCUMENT_CACHE_MB',
      'QUERY_PLAN_CACHE_MB',
      'RATE_LIMIT_MEMORY_KEYS',
      'SESSION_REVOCATIONS_MAX',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(lines.reduce((sum, line) => sum + line.bytes, 0)).toBeLessThanOrEqual(96 * MiB);
  });

  it('reads the old generation from --max-old-space-size (the command line over NODE_OPTIONS), else V8’s limit less its young generation', () => {
    const heapSizeLimit = 4144 * MiB;
    expect(oldSpaceLimitBytes({ execArgv: [], nodeOptions: '--max-old-space-size=192 --max-semi-space-size=16', heapSizeLimit })).toBe(192 * MiB);
    expect(oldSpaceLimitBytes({ execArgv: ['--max_old_space_size', '512'], nodeOptions: '--max-old-space-size=192', heapSizeLimit })).toBe(512 * MiB);
    // No flag: heap_size_limit holds three semi-spaces (16 MiB each by default) beside the old generation.
    expect(oldSpaceLimitBytes({ execArgv: [], nodeOptions: undefined, heapSizeLimit })).toBe(4096 * MiB);
    expect(oldSpaceLimitBytes({ execArgv: ['--max-semi-space-size=32'], nodeOptions: '', heapSizeLimit })).toBe(4048 * MiB);
  });

  it('refuses a configuration whose budgets add up to more than half the old generation, naming them', () => {
    expect(() => loadConfig({ RESPONSE_CACHE_MB: '64', DOCUMENT_CACHE_MB: '32' }, 192 * MiB)).toThrow(
      /memory budgets: .* may take .* \(RESPONSE_CACHE_MB 64 MiB, ENTITY_CACHE_MB 16 MiB, .*DOCUMENT_CACHE_MB 32 MiB.*\), more than half of this gateway's old-generation heap \(192 MiB, so at most 96 MiB\)/,
    );
    // The same settings with a heap twice as large are fine; persisted queries registered at run time cost nothing when only listed documents are served.
    expect(() => loadConfig({ RESPONSE_CACHE_MB: '64', DOCUMENT_CACHE_MB: '32' }, 384 * MiB)).not.toThrow();
    expect(memoryBudget(loadConfig({ PERSISTED_DOCUMENTS_ONLY: 'true' })).find((line) => line.setting === 'PERSISTED_QUERIES_CACHE_MB')?.bytes).toBe(0);
  });

  it('refuses more open subscriptions than the heap holds beside full caches, naming the heap that would hold them', () => {
    // The defaults just fit production's heap: 1,000 subscriptions at 32 KiB, ~96 MiB of caches, 64 MiB at rest.
    expect(() => loadConfig({}, 192 * MiB)).not.toThrow();
    expect(() => loadConfig({ SUBSCRIPTIONS_MAX: '5000' }, 192 * MiB)).toThrow(/SUBSCRIPTIONS_MAX: 5000 open subscriptions hold up to 156\.3 MiB .*; lower SUBSCRIPTIONS_MAX or give Node --max-old-space-size=320/);
    expect(() => loadConfig({ SUBSCRIPTIONS_MAX: '5000' }, 320 * MiB)).not.toThrow();
    // Caches made smaller leave the room to subscriptions.
    expect(() => loadConfig({ SUBSCRIPTIONS_MAX: '2000', RESPONSE_CACHE_MB: '0', ENTITY_CACHE_MB: '8' }, 192 * MiB)).not.toThrow();
  });

  it('keeps cached answers (the response cache) within their bytes, however many arrive', async () => {
    const cache = boundedCache<string>(MiB, stringEntryBytes);
    for (let index = 0; index < 2_000; index += 1) await cache.set(`fqc:${index}`, JSON.stringify({ data: { product: { id: index, name: 'é'.repeat(1000) } } }));
    const held = await heldBytes(cache, stringEntryBytes);
    expect(held.bytes).toBeLessThanOrEqual(MiB);
    expect(held.entries).toBeLessThan(2_000);
    expect(await cache.get('fqc:1999')).toBeDefined();
  });

  it('keeps the documents clients register by hash (automatic persisted queries) within PERSISTED_QUERIES_CACHE_MB', async () => {
    const store = persistedDocumentStore(new Map([['listed', '{ listed }']]), { onlyListed: false, registeredBytes: MiB });
    const registered = Array.from({ length: 2_000 }, (_, index) => [`hash-${index}`, `{ product(id: "${index}") { ${'name '.repeat(200)}} }`] as const);
    for (const [hash, document] of registered) await store.set(hash, document);
    let kept = 0;
    let bytes = 0;
    for (const [hash, document] of registered) {
      if ((await store.get(hash)) === undefined) continue;
      kept += 1;
      bytes += stringEntryBytes(document, hash);
    }
    expect(bytes).toBeLessThanOrEqual(MiB);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(2_000);
    expect(await store.get('listed')).toBe('{ listed }');
    // 0: none registered at all.
    const none = persistedDocumentStore(new Map(), { onlyListed: false, registeredBytes: 0 });
    await none.set('hash-0', '{ a }');
    expect(await none.get('hash-0')).toBeUndefined();
  });

  it("keeps Apollo's parsed documents and @apollo/gateway's query plans within their bytes under distinct documents", async () => {
    const { logger } = capturingLogger();
    const budget = 256 * 1024;
    const gateway = new ReloadableGateway({
      source: fileSupergraph(SUPERGRAPH),
      overrides: { endpoints: {}, bases: {} },
      dataSource: () => ({ process: async () => ({ data: null, errors: [{ message: 'not asked in this test' }] }) }),
      logger,
      queryPlanCacheBytes: budget,
    });
    const documentStore = boundedCache<DocumentNode>(budget, objectEntryBytes);
    const server = new ApolloServer({ gateway, documentStore, logger });
    await server.start();
    try {
      const distinct = 400;
      for (let index = 0; index < distinct; index += 1) {
        await server.executeOperation({ query: `{ p${index}: product(id: "${index}") { id name description price { amountCents currency } } }` });
      }
      const documents = await heldBytes(documentStore, objectEntryBytes);
      expect(documents.bytes).toBeLessThanOrEqual(budget);
      expect(documents.entries).toBeLessThan(distinct);
      // @apollo/gateway keeps its plan store private; it is the cache given to it (reloadable-gateway.ts).
      const served = (gateway as unknown as { current: { gateway: { queryPlanStore: InMemoryLRUCache<object> } } }).current.gateway;
      const plans = await heldBytes(served.queryPlanStore, objectEntryBytes);
      expect(plans.entries).toBeGreaterThan(0);
      expect(plans.entries).toBeLessThan(distinct);
      expect(plans.bytes).toBeLessThanOrEqual(budget);
    } finally {
      await server.stop();
    }
  });

  it('gives every in-memory limiter a store of its own, each bounded by RATE_LIMIT_MEMORY_KEYS and counted in the budget', async () => {
    const allowance = { points: 10, durationSeconds: 300 };
    const limiters = createRateLimiters(
      { requests: allowance, loginAddresses: allowance, logins: allowance, loginAccounts: allowance, registrations: allowance, keyPrefix: 'test', memoryKeysPerLimiter: 1_000 },
      capturingLogger().logger,
    );
    const inMemory = [limiters.requests, limiters.loginAddresses, limiters.logins, limiters.loginAccounts, limiters.registrations];
    for (let index = 0; index < 1_500; index += 1) for (const limiter of inMemory) await limiter.consume(`${'k'.repeat(500)}-${index}`).catch(() => undefined);
    // rate-limiter-flexible's memory limiter keeps its store in this undeclared field (see bounded-rate-limit-store.ts).
    const stores = inMemory.map((limiter) => (limiter as unknown as { _memoryStorage: BoundedRateLimitStore })._memoryStorage);
    expect(new Set(stores).size).toBe(IN_MEMORY_RATE_LIMITERS);
    for (const store of stores) expect(store.size).toBe(1_000);
    const line = memoryBudget(loadConfig({ RATE_LIMIT_MEMORY_KEYS: '1000' })).find((budget) => budget.setting === 'RATE_LIMIT_MEMORY_KEYS');
    expect(line?.bytes).toBe(IN_MEMORY_RATE_LIMITERS * 1_000 * RATE_LIMIT_KEY_BYTES);
    await limiters.close();
  });
});
