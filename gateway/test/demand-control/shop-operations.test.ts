import { readFile } from 'node:fs/promises';
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import { compileCostFormula } from '../../src/demand-control/cost-formula.js';
import { readCostSchema } from '../../src/demand-control/cost-schema.js';
import { estimatedCost } from '../../src/demand-control/estimated-cost.js';
import { sdkOperations } from '../../../scripts/query-plan-budget.js';
import { SUPERGRAPH_FILE } from '../../../scripts/supergraph.js';
import { costing } from './costing.js';

const load = async () => ({
  costs: readCostSchema(Supergraph.build(await readFile(SUPERGRAPH_FILE, 'utf8'), { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES }).schema),
  operations: await sdkOperations(),
});

/** The variables that change an SDK operation's cost, as a typical request sends them (the rest cost nothing). */
const TYPICAL_VARIABLES: Record<string, Record<string, unknown>> = {
  CreateOrder: { input: { idempotencyKey: 'k', items: [{ productId: 'p1', quantity: 1 }] } },
  CreateProduct: { input: { name: 'Tea', description: 'Green', priceCents: 450, currency: 'EUR', stock: 3 } },
  UpdateProduct: { input: { stock: 2 } },
  Register: { input: { email: 'a@example.com', password: 'correct horse', name: 'A' } },
  UpdateMe: { input: { name: 'B' } },
  CreateWebhook: { events: ['ORDER_PLACED'] },
};

describe("the shop's own operations", () => {
  it('estimates each SDK persisted operation (at its default page size of 20)', async () => {
    const { costs, operations } = await load();
    const estimates = Object.fromEntries(
      Object.entries(operations)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, document]) => [name, estimatedCost(compileCostFormula(costs, parse(document), name, { defaultListSize: 10 }), TYPICAL_VARIABLES[name])]),
    );
    // An order reads up to 50 items (createOrder's cap) and 4 status changes: 157 for one, ~3,100 for a page of 20.
    expect(estimates).toEqual({
      CancelOrder: 166,
      ChangePassword: 111,
      CreateOrder: 187,
      CreateProduct: 13,
      CreateWebhook: 12,
      DeleteMe: 60,
      DeleteUser: 10,
      DeleteWebhook: 10,
      DisableWebhook: 11,
      EnableWebhook: 11,
      Login: 61,
      Me: 1,
      MyOrders: 3123,
      MyOrderUpdates: 156,
      Order: 157,
      OrderPage: 157,
      Orders: 3142,
      OrderUpdated: 157,
      Product: 2,
      Products: 42,
      RedeliverWebhookDelivery: 13,
      RefreshSession: 12,
      Register: 62,
      RotateWebhookSecret: 12,
      SetUserRole: 11,
      SignOut: 10,
      SignOutEverywhere: 10,
      UpdateMe: 12,
      UpdateOrderStatus: 166,
      UpdateProduct: 13,
      User: 1,
      Users: 22,
      WebhookDeliveries: 62,
      Webhooks: 22,
    });
  });

  it('bounds every list the SDK reads in the schema itself: no estimate depends on the default list size', async () => {
    const { costs, operations } = await load();
    for (const [name, document] of Object.entries(operations)) {
      const at = (defaultListSize: number) => estimatedCost(compileCostFormula(costs, parse(document), name, { defaultListSize }), TYPICAL_VARIABLES[name]);
      expect(at(1), name).toBe(at(1000));
    }
  });

  it('prices a page of 100 orders with their items at 1 + 100 × (1 order + 50 items × (1 + 1 product)) = 10,101', async () => {
    const { costs } = await load();
    expect(costing(costs)('{ orders(first: 100) { nodes { items { product { name } } } } }').estimated).toBe(10_101);
  });

  it('weighs an email change by the password it checks, and a search by its scan', async () => {
    const { costs, operations } = await load();
    const cost = costing(costs);
    expect(cost(operations.UpdateMe!, { input: { email: 'b@example.com', currentPassword: 'secret' } }).estimated - cost(operations.UpdateMe!, { input: { name: 'B' } }).estimated).toBe(50);
    expect(cost(operations.Products!, { search: 'tea' }).estimated - cost(operations.Products!).estimated).toBe(5);
  });

  it('measures the actual cost of an Orders page as returned', async () => {
    const { costs, operations } = await load();
    const order = {
      id: 'o1', user: { id: 'u1' }, status: 'PAID', total: { amountCents: 1, currency: 'EUR' },
      items: [{ product: { id: 'p1' }, quantity: 1, unitPrice: { amountCents: 1, currency: 'EUR' } }],
      statusHistory: [{ status: 'PENDING' }, { status: 'PAID' }],
    };
    const { actual } = costing(costs)(operations.Orders!);
    // orders (1) + pageInfo (1) + 2 × (order 1 + user 1 + total 1 + 1 item × (1 + product 1 + unitPrice 1) + 2 status changes).
    expect(actual({ orders: { nodes: [order, order], pageInfo: { hasNextPage: false }, totalCount: 2 } })).toBe(2 + 2 * (3 + 3 + 2));
  });
});
