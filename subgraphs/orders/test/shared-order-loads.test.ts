import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OrderWithItems } from '../src/order-reads.js';
import { sharedOrderLoads } from '../src/subscriptions/shared-order-loads.js';

/** Order reads that count their statements and answer with the status the order has at that moment. */
function countedReads() {
  const statements: string[][] = [];
  const state = { status: 'PAID' as OrderWithItems['status'] };
  return {
    statements,
    state,
    async listOrdersWithItemsByIds(ids: readonly string[]): Promise<OrderWithItems[]> {
      statements.push([...ids]);
      return [...new Set(ids)].map((id) => ({ id, seq: '1', user_id: randomUUID(), status: state.status, total_cents: 0, currency: 'EUR', created_at: new Date(), updated_at: new Date(), items: [] }));
    },
  };
}

describe('the order reads subscriptions share', () => {
  it('reads an event\'s order once for every subscription it reaches at once, and afresh for a later read', async () => {
    const reads = countedReads();
    const orderAfter = sharedOrderLoads(reads);
    const [one, other] = [randomUUID(), randomUUID()];

    const delivered = await Promise.all([orderAfter(one, 7), orderAfter(one, 7), orderAfter(other, 8), orderAfter(one, 7)]);
    expect(reads.statements).toHaveLength(1);
    expect(delivered.map((order) => order?.id)).toEqual([one, one, other, one]);

    // The same event replayed later (a client resuming) reads the order as it is then.
    reads.state.status = 'SHIPPED';
    expect((await orderAfter(one, 7))?.status).toBe('SHIPPED');
    expect(reads.statements).toHaveLength(2);
  });
});
