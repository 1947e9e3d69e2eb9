import DataLoader from 'dataloader';
import type { OrderReads, OrderWithItems } from '../order-reads.js';
import type { StatusChangeRow } from '../order-rows.js';

/**
 * Reads of one order for one event, shared by every subscription the event reaches at once: reads
 * within a tick go as one statement (`read`, by order ids), and a read of an event's order still
 * running serves that event's other subscribers. Nothing is kept after a read.
 */
function sharedReads<Value>(read: (ids: readonly string[]) => Promise<Map<string, Value>>, missing: Value) {
  const batched = new DataLoader<string, Value>(
    async (ids) => {
      const found = await read(ids);
      return ids.map((id) => found.get(id) ?? missing);
    },
    // What is shared, and for how long, is decided below: nothing outlives its read.
    { cache: false },
  );
  const running = new Map<string, Promise<Value>>();

  return (orderId: string, eventSequence: number): Promise<Value> => {
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

/**
 * The order an event is about, read once for all the subscriptions the event reaches at once (a
 * thousand subscribers of one order cost one statement per event, not a thousand): reads within
 * a tick go as one statement, and a read of an event's order still running serves that event's
 * other subscribers. Nothing is kept after a read: each is made after its event was recorded, so
 * the order is at least as new as the change, and an event replayed later reads the order afresh.
 */
export function sharedOrderLoads(orders: Pick<OrderReads, 'listOrdersWithItemsByIds'>) {
  return sharedReads<OrderWithItems | null>(
    async (ids) => new Map((await orders.listOrdersWithItemsByIds(ids)).map((order) => [order.id, order])),
    null,
  );
}

/**
 * The status history of the order an event is about (every change recorded so far, oldest
 * first), shared as sharedOrderLoads shares the order: one statement per event, however many
 * subscriptions it reaches.
 */
export function sharedStatusHistoryLoads(orders: Pick<OrderReads, 'listStatusHistoryByOrderIds'>) {
  return sharedReads<StatusChangeRow[]>(async (ids) => {
    const histories = new Map<string, StatusChangeRow[]>();
    for (const change of await orders.listStatusHistoryByOrderIds(ids)) {
      let history = histories.get(change.order_id);
      if (!history) histories.set(change.order_id, (history = []));
      history.push(change);
    }
    return histories;
  }, []);
}
