import { ConflictError, ForbiddenError, isSelfOrAdmin, NotFoundError, requireAdmin, requireViewer, type Logger, type Viewer } from '@shop/service-kit';
import type { OrderRow, OrderStatus } from './order-rows.js';
import type { StatusMoves } from './status-moves.js';
import type { ProductsClient } from './products-client.js';
import { releaseStockOrDefer } from './stock-release.js';

/** Where each status may go next (DESIGN.md §2); everything else is CONFLICT. */
export const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export interface LifecycleOptions {
  orders: StatusMoves;
  products: ProductsClient;
}

/** Status changes after placing: admins move orders along; owners and admins cancel, which gives the stock back. */
export function createOrderLifecycle({ orders, products }: LifecycleOptions) {
  async function move(orderId: string, to: OrderStatus): Promise<OrderRow> {
    const from = (Object.keys(NEXT_STATUSES) as OrderStatus[]).filter((status) => NEXT_STATUSES[status].includes(to));
    const moved = await orders.moveOrder(orderId, from, to);
    if (moved) return moved;
    const current = await visibleOrder(orderId);
    throw new ConflictError(`An order cannot go from ${current.status} to ${to}`);
  }

  async function visibleOrder(orderId: string): Promise<{ status: string; user_id: string }> {
    const order = await orders.findStoredOrder(orderId);
    if (!order || order.status === 'PLACING' || order.status === 'FAILED') throw new NotFoundError(`No order ${orderId}`);
    return order;
  }

  /** Gives a cancelled order's stock back; if products cannot be told now, the order stays marked for the reconciler. */
  const releaseStock = (orderId: string, logger: Logger) =>
    releaseStockOrDefer(products, orderId, () => orders.markStockReleased(orderId), logger);

  return {
    async updateStatus(viewer: Viewer | null, orderId: string, to: OrderStatus, logger: Logger): Promise<OrderRow> {
      requireAdmin(viewer);
      const order = await move(orderId, to);
      if (to === 'CANCELLED') await releaseStock(orderId, logger);
      return order;
    },

    async cancel(viewer: Viewer | null, orderId: string, logger: Logger): Promise<OrderRow> {
      const signedIn = requireViewer(viewer);
      const current = await visibleOrder(orderId);
      if (!isSelfOrAdmin(signedIn, current.user_id)) throw new ForbiddenError('Only its owner or an admin may cancel an order');
      const cancelled = await move(orderId, 'CANCELLED');
      await releaseStock(orderId, logger);
      return cancelled;
    },
  };
}

export type OrderLifecycle = ReturnType<typeof createOrderLifecycle>;
