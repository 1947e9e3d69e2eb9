import { BadUserInputError, requireUuid } from '@shop/service-kit';
import type { PricedItem, WantedItem } from './order-rows.js';

export const MAX_ITEMS = 50;
/** Totals are GraphQL Ints (and int4 in the database). */
export const MAX_TOTAL_CENTS = 2_147_483_647;
export const MAX_QUANTITY = 1000;
const MAX_KEY_LENGTH = 200;

export interface OrderRequest {
  items: WantedItem[];
  idempotencyKey: string;
}

/** Checks a createOrder input against DESIGN.md §2; BAD_USER_INPUT names the first bad field. */
export function checkOrderRequest(input: OrderRequest): OrderRequest {
  const idempotencyKey = input.idempotencyKey.trim();
  if (idempotencyKey.length < 1 || idempotencyKey.length > MAX_KEY_LENGTH) {
    throw new BadUserInputError(`idempotencyKey must have 1 to ${MAX_KEY_LENGTH} characters`, 'idempotencyKey');
  }
  const { items } = input;
  if (items.length < 1 || items.length > MAX_ITEMS) throw new BadUserInputError(`An order has 1 to ${MAX_ITEMS} items`, 'items');
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw new BadUserInputError(`quantity must be between 1 and ${MAX_QUANTITY}`, `items.${index}.quantity`);
    }
    // Ids are uuids, which PostgreSQL returns in lower case: one spelling everywhere.
    const productId = requireUuid(item.productId, `items.${index}.productId`);
    if (seen.has(productId)) throw new BadUserInputError('Each product may appear once in an order', `items.${index}.productId`);
    seen.add(productId);
  });
  return { idempotencyKey, items: items.map(({ productId, quantity }) => ({ productId: productId.toLowerCase(), quantity })) };
}

/** Whether two requests ask for the same products in the same quantities (order of items aside). */
export function sameItems(a: readonly WantedItem[], b: readonly WantedItem[]): boolean {
  const key = (items: readonly WantedItem[]) =>
    items
      .map((item) => `${item.productId}:${item.quantity}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** Whether an order of these priced items has a total the API can carry. */
export function totalFits(items: readonly PricedItem[]): boolean {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0) <= MAX_TOTAL_CENTS;
}
