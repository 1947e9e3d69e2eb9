import type { OrderStatus } from '@shop/sdk';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Pending payment',
  PAID: 'Paid',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};

/** A shopper may cancel while the order is PENDING or PAID (DESIGN: order status). */
export const cancellable = (status: OrderStatus) => status === 'PENDING' || status === 'PAID';

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span class={`status status-${status.toLowerCase()}`}>{STATUS_LABEL[status]}</span>;
}
