import DataLoader from 'dataloader';
import type { OrderReads, OrderWithItems } from '../order-reads.js';

/**
 * The order an event is about, read once for all the subscriptions the event reaches at once (a
 * thousand subscribers of one order cost one statement per event, not a thousand): reads within
 * a tick go as one statement, and a read of an event's order still running serves that event's
 * other subscribers. Nothing is kept after a read: each is made after its event was recorded, so
 * the order is at least as new as the change, and an event replayed later reads the order afresh.
 */
export function sharedOrderLoads(orders: Pick<OrderReads, 'listOrdersWithItemsByIds'>) {
  const batched = new DataLoader<string, OrderWithItems | null>(
    async (ids) => {
      const found = new Map((await orders.listOrdersWithItemsByIds(ids)).map((order) => [order.id, order]));
      return ids.map((id) => found.get(id) ?? null);
    },
    // What is shared, and for how long, is decided below: nothing outlives its read.
    { cache: false },
  );
  const running = new Map<string, Promise<OrderWithItems | null>>();

  return (orderId: string, eventSequence: number): Promise<OrderWithItems | null> => {
    const key = `${eventSequence}:${orderId}`;
    let load = running.get(key);
    if (!load) {
      load = batched.load(orderId);
      running.set(key, load);
      const forget = () => running.delete(key);
      load.then(forget, forget);
    }
    return load;
  };
}
