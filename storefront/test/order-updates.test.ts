import { describe, expect, it } from 'vitest';
import type { OrderFieldsFragment, OrderStatus } from '@shop/sdk';
import { later, withChange } from '../src/order-updates.js';

const CUP = { id: 'p1', name: 'Espresso cup', description: 'A cup', stock: 5 };
const euros = (amountCents: number) => ({ amountCents, currency: 'EUR' });

/** Order o1 after the statuses given, each a minute after the one before. */
function order(statuses: OrderStatus[], product: typeof CUP | null = CUP): OrderFieldsFragment {
  const at = (minute: number) => `2026-12-07T10:0${minute}:00.000Z`;
  return {
    id: 'o1',
    status: statuses.at(-1)!,
    createdAt: at(0),
    updatedAt: at(statuses.length - 1),
    total: euros(1200),
    items: [{ quantity: 1, unitPrice: euros(1200), product }],
    statusHistory: statuses.map((status, minute) => ({ status, at: at(minute) })),
  };
}

describe('an order and its changes', () => {
  it('shows a later change over the order read', () => {
    expect(withChange(order(['PENDING']), order(['PENDING', 'PAID', 'SHIPPED'])).status).toBe('SHIPPED');
    expect(withChange(order(['PENDING']), undefined).status).toBe('PENDING');
  });

  it('keeps the read when the change is older (a read answered after the event), or of another order', () => {
    expect(withChange(order(['PENDING', 'PAID']), order(['PENDING'])).status).toBe('PAID');
    expect(withChange(order(['PENDING']), { ...order(['PENDING', 'PAID']), id: 'o2' }).status).toBe('PENDING');
  });

  it("keeps the read's products when the change came while products was down", () => {
    const shown = withChange(order(['PENDING']), order(['PENDING', 'CANCELLED'], null));
    expect(shown.status).toBe('CANCELLED');
    expect(shown.items[0]!.product).toEqual(CUP);
  });

  it('keeps the latest of the changes, whichever arrives last', () => {
    const shipped = order(['PENDING', 'PAID', 'SHIPPED']);
    expect(later(undefined, shipped)).toBe(shipped);
    expect(later(shipped, order(['PENDING', 'PAID'])).status).toBe('SHIPPED');
    expect(later(order(['PENDING', 'PAID']), shipped).status).toBe('SHIPPED');
  });
});
