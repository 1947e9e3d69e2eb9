import { describe, expect } from 'vitest';
import { openDatabase } from '@shop/service-kit';
import type { Stack } from '../support/stack.js';
import { it } from '../support/fixtures.js';
import { graphql } from '../support/graphql.js';
import { createProduct, stockOf } from '../support/checkout.js';
import { startOrdersProcess } from '../support/orders-process.js';
import { startProductsProxy, type HoldMode } from '../support/products-proxy.js';
import { seededServiceData } from '../support/databases.js';
import { stockLedger } from '../../scripts/stock-ledger.js';
import { eventually } from '../support/poll.js';

// Asked of orders itself, not the gateway: the documents hold to orders' own schema (the SDK's also select users' and products' fields).
const ALICE_ORDERS = '{ orders(first: 100) { totalCount edges { node { id status items { quantity product { id } } } } } }';
type AliceOrders = { orders: { totalCount: number } };

/**
 * orders killed with SIGKILL in the middle of placing an order, then started again: its
 * reconciler must leave products holding exactly the stock of live orders.
 */
describe('orders killed while placing an order', () => {
  /** An orders database of its own for one scenario: PostgreSQL with TEST_DATABASE_URL, else PGlite on disk. */
  async function ordersStore(): Promise<{ env: Record<string, string>; open: () => ReturnType<typeof openDatabase>; drop: () => Promise<void> }> {
    const data = await seededServiceData('orders');
    return { env: data.env, open: () => openDatabase({ url: data.env.DATABASE_URL, dataDir: data.env.DATA_DIR }), drop: () => data.drop() };
  }

  /** orders with a reconciler that finishes what a killed one left within seconds. */
  const startOrders = (stack: Stack, env: Record<string, string>, productsUrl: string) =>
    startOrdersProcess(stack, { ...env, PRODUCTS_URL: productsUrl, PRODUCTS_TIMEOUT_MS: '500', RECONCILE_AFTER_MS: '1500', RECONCILE_INTERVAL_MS: '300' });

  const scenarios: [HoldMode, string][] = [
    ['after-reserve', 'confirms the order whose stock products holds'],
    ['before-reserve', 'fails the order products never reserved, and a late reserve takes nothing'],
  ];

  it.for(scenarios)('killed %s: the restarted service %s', async ([mode], { shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const store = await ordersStore();
    const proxy = await startProductsProxy(stack.urls.products, mode);
    try {
      const first = await startOrders(stack, store.env, proxy.url);
      const before = (await graphql<AliceOrders>(first.url, ALICE_ORDERS, { token: alice })).data!.orders.totalCount;
      const placing = graphql(first.url, 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }', {
        token: alice,
        variables: { input: { items: [{ productId, quantity: 3 }], idempotencyKey: `crash-${mode}` } },
      }).catch((error: unknown) => error);
      await proxy.held;
      first.process.child.kill('SIGKILL');
      await placing;
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(mode === 'after-reserve' ? 7 : 10);

      const second = await startOrders(stack, store.env, stack.urls.products);
      try {
        if (mode === 'after-reserve') {
          await eventually(async () => (await graphql<AliceOrders>(second.url, ALICE_ORDERS, { token: alice })).data!.orders.totalCount === before + 1, 'the order is confirmed', { timeoutMs: 20_000, intervalMs: 200 });
          expect(await stockOf(stack.gatewayUrl, productId)).toBe(7);
        } else {
          await eventually(async () => second.process.output().includes('"msg":"reconciled orders"'), 'the attempt is reconciled', { timeoutMs: 20_000, intervalMs: 200 });
          expect((await graphql<AliceOrders>(second.url, ALICE_ORDERS, { token: alice })).data!.orders.totalCount).toBe(before);
          expect(JSON.parse(await proxy.deliverLate()).data.reserveStock.status).toBe('RELEASED');
          expect(await stockOf(stack.gatewayUrl, productId)).toBe(10);
        }
      } finally {
        expect(await second.process.stop()).toBe(0);
      }
      const ordersDb = await store.open();
      try {
        // The order placed by the reconciler after the kill is announced once, as any other.
        const [confirmed] = await ordersDb.query<{ id: string }>(`SELECT id FROM orders WHERE idempotency_key = $1 AND status = 'PENDING'`, [`crash-${mode}`]);
        const events = confirmed ? await ordersDb.query<{ type: string }>('SELECT type FROM order_events WHERE order_id = $1', [confirmed.id]) : [];
        expect(events.map((event) => event.type)).toEqual(mode === 'after-reserve' ? ['order.placed'] : []);
        // Each scenario has its own orders database; products' other products belong to other scenarios.
        const ledger = await stockLedger({ products: stack.dbs.products, orders: ordersDb });
        const { reserved, ordered } = ledger.get(productId)!;
        expect({ reserved, ordered }).toEqual(mode === 'after-reserve' ? { reserved: 3, ordered: 3 } : { reserved: 0, ordered: 0 });
      } finally {
        await ordersDb.close();
      }
    } finally {
      await proxy.close();
      await store.drop();
    }
  });
});

/**
 * The outbox's promise, tested by breaking in: orders is killed after it changed an order's status
 * and before it wrote the event (held there by a lock the test takes on the events table). Both
 * are one transaction, so neither is left: the order keeps its status and no event appears. Only
 * PostgreSQL lets a test hold a lock while orders runs (PGlite is one process's own database).
 */
describe('orders killed between an order\'s change and its event', () => {
  it.skipIf(!process.env.TEST_DATABASE_URL)('keeps neither the change nor the event (PostgreSQL: TEST_DATABASE_URL)', async ({ shop: { stack, admin } }) => {
    const data = await seededServiceData('orders');
    const db = await openDatabase({ url: data.env.DATABASE_URL, dataDir: data.env.DATA_DIR });
    try {
      const { process: orders, url } = await startOrdersProcess(stack, data.env);
      const [pending] = await db.query<{ id: string }>(`SELECT id FROM orders WHERE status = 'PENDING' ORDER BY seq LIMIT 1`);
      await db.transaction(async (tx) => {
        await tx.query('LOCK TABLE order_events IN EXCLUSIVE MODE');
        const moving = graphql(url, 'mutation ($id: ID!) { updateOrderStatus(id: $id, status: PAID) { id } }', {
          token: admin,
          variables: { id: pending!.id },
        }).catch((error: unknown) => error);
        // Until orders' insert of the event waits on the lock: the status is changed, the event not yet written.
        await eventually(async () => {
          const [waiting] = await db.query<{ count: number }>(
            `SELECT count(*)::int AS count FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO order_events%'`,
          );
          return waiting!.count > 0;
        }, "orders' insert of the event waits on the lock", { timeoutMs: 20_000 });
        orders.child.kill('SIGKILL');
        await moving;
        await orders.exited(10_000);
      });
      const [order] = await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [pending!.id]);
      expect(order!.status).toBe('PENDING');
      expect(await db.query('SELECT type FROM order_events WHERE order_id = $1', [pending!.id])).toEqual([]);
      expect((await db.query<{ status: string }>('SELECT status FROM order_status_history WHERE order_id = $1', [pending!.id])).map((row) => row.status)).toEqual(['PENDING']);
    } finally {
      await db.close();
      await data.drop();
    }
  });
});
