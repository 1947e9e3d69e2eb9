import { describe, expect, it } from 'vitest';
import { loadBenchConfig, MIN_CUSTOMERS } from '../config.js';
import { orderProducts } from '../customers.js';
import { readFileSync } from 'node:fs';
import { connectionScripts, createOrderScenario, distinctScenarios as scenariosOf, documentsByOperationName, SCENARIOS, targetsOf, type Customer, type Script, type Target } from '../scenarios.js';
import { GATEWAYS } from '../stack.js';

const customers: Customer[] = Array.from({ length: 20 }, (_, c) => ({
  id: `user-${c}`,
  token: `token-${c}`,
  orderIds: Array.from({ length: 5 }, (_, o) => `order-${c}-${o}`),
}));
const productIds = Array.from({ length: 8 }, (_, p) => `product-${p}`);
const manifest = JSON.parse(readFileSync(new URL('../../sdk/src/__generated__/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>;
const sdkDocuments = documentsByOperationName(manifest);
const distinctScenarios = (of: Customer[], products: string[]) => scenariosOf(of, products, sdkDocuments);

/** What goes on the wire for one operation of a script: its token and its body. */
const wire = (script: Script, index: number) => {
  const operation = script.operations[index]!;
  return `${operation.signedIn ? script.token : ''} ${JSON.stringify({ query: operation.query, variables: operation.variables })}`;
};

describe('bench scenarios', () => {
  it('give each customer of canonical-distinct its own token and its own orders, one canonical query per order', () => {
    const [canonical] = distinctScenarios(customers, productIds);
    expect(canonical).toMatchObject({ name: 'canonical-distinct', traffic: 'distinct' });
    expect(canonical!.scripts).toHaveLength(20);
    canonical!.scripts!.forEach((script, c) => {
      expect(script.token).toBe(`token-${c}`);
      expect(script.operations.map((operation) => operation.variables)).toEqual(customers[c]!.orderIds.map((id) => ({ id })));
      expect(script.operations.every((operation) => operation.signedIn && operation.query.includes('order(id: $id)'))).toBe(true);
    });
  });

  it('send the mixed reads signed in with the customer token, its own orders, and product ids rotating from a point of its own', () => {
    const mixed = distinctScenarios(customers, productIds)[1]!;
    expect(mixed).toMatchObject({ name: 'mixed-distinct', traffic: 'distinct' });
    const first = mixed.scripts![0]!;
    expect(first.operations).toHaveLength(4 * 5);
    expect(first.operations.every((operation) => operation.signedIn)).toBe(true);
    expect(first.operations.filter((_, i) => i % 4 === 0).map((operation) => operation.variables)).toEqual(customers[0]!.orderIds.map((id) => ({ id })));
    const productsRead = (script: Script) => script.operations.filter((_, i) => i % 4 === 2).map((operation) => operation.variables?.id);
    expect(productsRead(first)).toEqual(['product-0', 'product-1', 'product-2', 'product-3', 'product-4']);
    expect(productsRead(mixed.scripts![1]!)).toEqual(['product-5', 'product-6', 'product-7', 'product-0', 'product-1']);
  });

  it('start no two connections on the same request, one customer per connection or more connections than customers', () => {
    for (const scenario of distinctScenarios(customers, productIds)) {
      for (const connections of [10, 20, 50]) {
        const scripts = connectionScripts(scenario.scripts!, connections);
        expect(scripts).toHaveLength(connections);
        expect(new Set(scripts.map((script) => wire(script, 0))).size).toBe(connections);
      }
    }
    // The 21st connection plays customer 0 again, one request further on, with the same token.
    const scripts = connectionScripts(distinctScenarios(customers, productIds)[0]!.scripts!, 21);
    expect(scripts[20]!.token).toBe('token-0');
    expect(scripts[20]!.operations.map((operation) => operation.variables?.id)).toEqual(['order-0-1', 'order-0-2', 'order-0-3', 'order-0-4', 'order-0-0']);
  });

  it("send the first minute as the storefront does: the SDK's own documents, word for word, signed in with each customer's token and ids", () => {
    const firstMinute = distinctScenarios(customers, productIds)[2]!;
    expect(firstMinute).toMatchObject({ name: 'first-minute', traffic: 'first-minute' });
    const script = firstMinute.scripts![3]!;
    expect(script.token).toBe('token-3');
    // Texts of the manifest, so our gateway meets documents it planned at start (and other gateways the same text).
    const known = new Set(Object.values(manifest));
    expect(script.operations.every((operation) => operation.signedIn && known.has(operation.query))).toBe(true);
    expect(script.operations.filter((_, i) => i % 4 === 0).map((operation) => operation.variables)).toEqual(customers[3]!.orderIds.map((id) => ({ id })));
    expect(script.operations.slice(0, 4).map((operation) => /query (\w+)/.exec(operation.query)?.[1])).toEqual(['Order', 'Products', 'Product', 'MyOrders']);
    expect(() => scenariosOf(customers, productIds, new Map())).toThrow(/no operation named Order/);
  });

  it('keep the identical-traffic scenarios, labelled as such, without scripts', () => {
    expect(SCENARIOS.map((scenario) => scenario.name)).toEqual(['canonical', 'products-page', 'product-by-id', 'entity-by-key', 'mixed-reads']);
    expect(SCENARIOS.every((scenario) => scenario.traffic === 'identical' && scenario.scripts === undefined)).toBe(true);
  });

  it('refuse to build distinct traffic without customers or products', () => {
    expect(() => distinctScenarios([], productIds)).toThrow();
    expect(() => distinctScenarios(customers, [])).toThrow();
  });

  it("measure our gateway without the declared authorization for canonical-distinct alone, right after ours: a full run's one more measurement", () => {
    const all: Target[] = [...GATEWAYS, 'direct'];
    const everyScenario = [...distinctScenarios(customers, productIds), ...SCENARIOS, createOrderScenario('product-0')];
    const measuringIt = everyScenario.filter((scenario) => targetsOf(scenario, all, all).includes('ours-no-authz'));
    expect(measuringIt.map((scenario) => scenario.name)).toEqual(['canonical-distinct']);
    // Every request of it signed in (each customer reading its own orders): the check runs, and denies nothing.
    expect(measuringIt[0]!.scripts!.every((script) => script.operations.every((operation) => operation.signedIn))).toBe(true);
    expect(targetsOf(measuringIt[0]!, all, all).slice(0, 2)).toEqual(['ours', 'ours-no-authz']);
    expect(targetsOf(measuringIt[0]!, ['ours-no-authz', 'ours'], all)).toEqual(['ours', 'ours-no-authz']);
    expect(targetsOf(measuringIt[0]!, ['ours', 'stock'], all)).toEqual(['ours', 'stock']);
    // A subgraph's own call is measured against the subgraph alone.
    const entityByKey = SCENARIOS.find((scenario) => scenario.name === 'entity-by-key')!;
    expect(targetsOf(entityByKey, all, all)).toEqual(['direct']);
    // The other variants keep their own scenarios.
    expect(everyScenario.filter((scenario) => targetsOf(scenario, all, all).includes('ours-cached')).map((scenario) => scenario.name)).toEqual(['products-page', 'product-by-id']);
  });
});

describe('bench customers', () => {
  it('order 3 different products per order, every product of the catalogue in some order', () => {
    const ordered = customers.flatMap((_, c) => Array.from({ length: 5 }, (__, o) => orderProducts(c, o, 5, productIds)));
    expect(ordered.every((items) => new Set(items).size === 3)).toBe(true);
    expect(new Set(ordered.flat())).toEqual(new Set(productIds));
    expect(new Set(ordered.map((items) => items.join()))).toHaveProperty('size', productIds.length);
    expect(() => orderProducts(0, 0, 5, ['a', 'b'])).toThrow();
  });

  it('are one per connection, at least 20, unless set', () => {
    expect(loadBenchConfig([], {}).customers).toBe(50);
    expect(loadBenchConfig(['--connections', '10'], {}).customers).toBe(MIN_CUSTOMERS);
    expect(loadBenchConfig(['--customers', '30'], { BENCH_CONNECTIONS: '10' }).customers).toBe(30);
    expect(loadBenchConfig([], { BENCH_CUSTOMERS: '64' }).customers).toBe(64);
    expect(() => loadBenchConfig(['--customers', '5'], {})).toThrow(/at least 20/);
  });
});

describe('bench rounds', () => {
  it('are one unless set, by flag or BENCH_ROUNDS', () => {
    expect(loadBenchConfig([], {}).rounds).toBe(1);
    expect(loadBenchConfig(['--rounds', '3'], { BENCH_ROUNDS: '2' }).rounds).toBe(3);
    expect(loadBenchConfig([], { BENCH_ROUNDS: '2' }).rounds).toBe(2);
    expect(() => loadBenchConfig(['--rounds', '0'], {})).toThrow(/rounds must be a whole number/);
  });
});
