import { ForbiddenError, isSelfOrAdmin, requireViewer, type Viewer } from '@shop/service-kit';
import type { OrderRow } from './order-rows.js';

/** An order is readable by its owner and by admins; null (unknown) stays null. */
export function readableOrder(viewer: Viewer | null, order: OrderRow | null): OrderRow | null {
  const signedIn = requireViewer(viewer);
  if (order && !isSelfOrAdmin(signedIn, order.user_id)) throw new ForbiddenError('This order belongs to someone else');
  return order;
}
