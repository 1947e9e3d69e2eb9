import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '@shop/service-kit';
import { checkOrderRequest, MAX_ITEMS, MAX_QUANTITY, MAX_TOTAL_CENTS, sameItems, totalFits, type OrderRequest } from '../src/order-input.js';

const A = randomUUID();
const B = randomUUID();

/** The coded error checkOrderRequest throws for `input`; fails the test when it throws nothing. */
function refusal(input: OrderRequest): AppError {
  try {
    checkOrderRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  return expect.fail(`expected ${JSON.stringify(input)} to be refused`);
}

const request = (items: OrderRequest['items'], idempotencyKey = 'key-1'): OrderRequest => ({ items, idempotencyKey });

describe('checkOrderRequest', () => {
  it('accepts quantities from 1 to 1000', () => {
    expect(checkOrderRequest(request([{ productId: A, quantity: 1 }])).items).toEqual([{ productId: A, quantity: 1 }]);
    expect(checkOrderRequest(request([{ productId: A, quantity: MAX_QUANTITY }])).items).toEqual([{ productId: A, quantity: 1000 }]);
  });

  it.each([0, -1, 1001, 2.5])('refuses quantity %s with BAD_USER_INPUT naming the item', (quantity) => {
    const error = refusal(request([{ productId: A, quantity: 1 }, { productId: B, quantity }]));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items.1.quantity' });
  });

  it('refuses an order without items, and one with more than 50', () => {
    expect(refusal(request([])).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    const many = Array.from({ length: MAX_ITEMS + 1 }, () => ({ productId: randomUUID(), quantity: 1 }));
    expect(refusal(request(many)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    expect(checkOrderRequest(request(many.slice(0, MAX_ITEMS))).items).toHaveLength(MAX_ITEMS);
  });

  it('refuses the same product twice, whatever the case of its id', () => {
    const error = refusal(request([{ productId: A, quantity: 1 }, { productId: A.toUpperCase(), quantity: 2 }]));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items.1.productId' });
  });

  it('refuses a product id that is no uuid as BAD_USER_INPUT naming the item, without echoing it', () => {
    const error = refusal(request([{ productId: A, quantity: 1 }, { productId: `teapot${'x'.repeat(10_000)}`, quantity: 1 }]));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'items.1.productId' });
    expect(error.message).not.toContain('teapot');
  });

  it('trims the idempotencyKey and refuses one that is blank or longer than 200 characters', () => {
    expect(checkOrderRequest(request([{ productId: A, quantity: 1 }], '  click-7 ')).idempotencyKey).toBe('click-7');
    expect(refusal(request([{ productId: A, quantity: 1 }], '   ')).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(refusal(request([{ productId: A, quantity: 1 }], 'k'.repeat(201))).extensions).toMatchObject({ field: 'idempotencyKey' });
    expect(checkOrderRequest(request([{ productId: A, quantity: 1 }], 'k'.repeat(200))).idempotencyKey).toHaveLength(200);
  });

  it('spells product ids in lower case, as the database returns them, and drops unknown fields', () => {
    const input = { idempotencyKey: 'k', items: [{ productId: A.toUpperCase(), quantity: 3, note: 'extra' }] };
    expect(checkOrderRequest(input).items).toEqual([{ productId: A, quantity: 3 }]);
  });
});

describe('sameItems', () => {
  it('matches the same products and quantities in any order', () => {
    expect(sameItems([{ productId: A, quantity: 1 }, { productId: B, quantity: 2 }], [{ productId: B, quantity: 2 }, { productId: A, quantity: 1 }])).toBe(true);
  });

  it('tells apart another quantity, another product and a missing item', () => {
    const items = [{ productId: A, quantity: 1 }, { productId: B, quantity: 2 }];
    expect(sameItems(items, [{ productId: A, quantity: 1 }, { productId: B, quantity: 3 }])).toBe(false);
    expect(sameItems(items, [{ productId: A, quantity: 1 }, { productId: randomUUID(), quantity: 2 }])).toBe(false);
    expect(sameItems(items, [{ productId: A, quantity: 1 }])).toBe(false);
  });
});

describe('totalFits', () => {
  const priced = (quantity: number, unitPriceCents: number) => [{ productId: A, quantity, unitPriceCents, currency: 'EUR' }];

  it('accepts a total up to the largest GraphQL Int and refuses one cent more', () => {
    expect(totalFits(priced(1, MAX_TOTAL_CENTS))).toBe(true);
    expect(totalFits([...priced(1, MAX_TOTAL_CENTS - 1), { productId: B, quantity: 1, unitPriceCents: 1, currency: 'EUR' }])).toBe(true);
    expect(totalFits([...priced(1, MAX_TOTAL_CENTS), { productId: B, quantity: 1, unitPriceCents: 1, currency: 'EUR' }])).toBe(false);
  });

  it('counts each unit price times its quantity', () => {
    expect(totalFits(priced(1000, 2_147_483))).toBe(true);
    expect(totalFits(priced(1000, 2_147_484))).toBe(false);
  });
});
