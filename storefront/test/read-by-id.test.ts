import { describe, expect, it } from 'vitest';
import { ShopError, ShopNetworkError, type ShopGraphQLError } from '@shop/sdk';
import { readById } from '../src/read-by-id.js';

/** A ShopError as the SDK makes it from the server's answer to `product(id: …)`. */
const refusal = (error: Omit<ShopGraphQLError, 'message'>) => new ShopError([{ message: 'id is not a valid id', path: ['product'], ...error }], { product: null }, 200);
/** The answer to `product(id: …)`, as the page reads it. */
type ProductAnswer = { product: { id: string } | null };
const UNKNOWN: ProductAnswer = { product: null };

describe('readById', () => {
  it('answers an id the shop refuses as malformed (BAD_USER_INPUT on id) as an unknown one, so the page shows its "not found"', async () => {
    await expect(readById(Promise.reject(refusal({ code: 'BAD_USER_INPUT', field: 'id' })), UNKNOWN)).resolves.toBe(UNKNOWN);
  });

  it('passes every other answer through: the thing found, another field at fault, other codes, an unreachable shop', async () => {
    const found = { product: { id: 'p1' } };
    await expect(readById<ProductAnswer>(Promise.resolve(found), UNKNOWN)).resolves.toBe(found);
    for (const error of [
      refusal({ code: 'BAD_USER_INPUT', field: 'first' }),
      refusal({ code: 'BAD_USER_INPUT' }),
      refusal({ code: 'NOT_FOUND', field: 'id' }),
      refusal({ code: 'SERVICE_UNAVAILABLE' }),
      new ShopNetworkError('Could not reach the shop'),
    ]) {
      await expect(readById(Promise.reject(error), UNKNOWN)).rejects.toBe(error);
    }
  });
});
