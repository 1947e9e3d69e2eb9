import type { OrderFieldsFragment } from '@shop/sdk';

/** What tells two versions of one order apart, whichever read they come from (OrderPage's, with @defer, too). */
type OrderVersion = Pick<OrderFieldsFragment, 'id' | 'statusHistory' | 'updatedAt'>;

/**
 * Whether `candidate` is the order as it is at least as late as `than`: a status is never
 * returned to, so the longer history is the later order; on a tie, the later update.
 */
export function isLater(candidate: OrderVersion, than: OrderVersion): boolean {
  const [mine, theirs] = [candidate.statusHistory.length, than.statusHistory.length];
  return mine !== theirs ? mine > theirs : candidate.updatedAt >= than.updatedAt;
}

/** The later of two versions of one order (`next` when they are as late). */
export function later<T extends OrderFieldsFragment>(current: T | undefined, next: T): T {
  return current === undefined || isLater(next, current) ? next : current;
}

/**
 * The order as read, with a later change over it (a live event, or a mutation's answer). A change
 * answered while products was down has items without their products: the read's items keep them.
 */
export function withChange<T extends OrderVersion & { items: readonly unknown[] }>(read: T, change: OrderFieldsFragment | undefined): T {
  if (change === undefined || change.id !== read.id || !isLater(change, read)) return read;
  return { ...read, ...change, items: change.items.some((item) => !item.product) ? read.items : change.items };
}
