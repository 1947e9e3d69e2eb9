import DataLoader from 'dataloader';
import { loaderById, loaderOfLists } from '@shop/service-kit';
import type { OrderPage, OrderReads, UserOrdersPageKey } from './order-reads.js';
import type { WebhookStore } from './webhook-store.js';

/** Built per request: one statement per batch of lookups, nothing cached across requests. */
export function createLoaders(orders: OrderReads, webhooks: WebhookStore) {
  const itemsByOrderId = loaderOfLists((ids) => orders.listItemsByOrderIds(ids), (item) => item.order_id);
  return {
    // An order read by id comes with its items: Order.items then asks no second statement.
    orderById: loaderById(async (ids) => {
      const found = await orders.listOrdersWithItemsByIds(ids);
      for (const order of found) itemsByOrderId.prime(order.id, order.items);
      return found;
    }),
    itemsByOrderId,
    statusHistoryByOrderId: loaderOfLists((ids) => orders.listStatusHistoryByOrderIds(ids), (change) => change.order_id),
    ordersPageByUser: new DataLoader<UserOrdersPageKey, OrderPage, string>(
      (keys) => orders.listOrdersPagesByUsers(keys),
      { cacheKeyFn: (key) => `${key.userId}:${key.limit}:${key.after ?? ''}` },
    ),
    webhookById: loaderById((ids) => webhooks.listWebhooksByIds(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
