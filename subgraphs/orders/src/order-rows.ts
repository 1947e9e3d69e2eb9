/**
 * The shapes of orders' rows and statuses. Imports nothing from this subgraph: codegen's mappers
 * point here, and the generated resolver types are imported by the code that uses these rows, so
 * anything this module imported back would close a cycle.
 */

/**
 * The statuses clients see: the schema's enum OrderStatus, spelled out here rather than imported
 * from the generated types (that import was the cycle). test/order-rows.test.ts checks they agree.
 */
export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/** Also the states clients never see: PLACING (intent written, stock not yet confirmed) and FAILED. */
export type StoredOrderStatus = OrderStatus | 'PLACING' | 'FAILED';

/** An order as clients may see it: placed, priced, in a public status. */
export interface OrderRow {
  id: string;
  seq: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

/** An order in any state; PLACING and FAILED orders have no total yet. */
export interface StoredOrderRow extends Omit<OrderRow, 'status' | 'total_cents' | 'currency'> {
  status: StoredOrderStatus;
  total_cents: number | null;
  currency: string | null;
  idempotency_key: string | null;
}

export interface StatusChangeRow {
  order_id: string;
  status: OrderStatus;
  changed_at: Date;
}

export interface OrderItemRow {
  order_id: string;
  position: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

/** A line as products priced it when the stock was reserved. */
export interface PricedItem {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  currency: string;
}

/** A line as the client asked for it, before products priced it. */
export interface WantedItem {
  productId: string;
  quantity: number;
}
