import type { OrderFieldsFragment } from '@shop/sdk';
import { formatMoney, timesQuantity } from '../money.js';
import { links } from '../router.js';
import { ColumnHeads, TotalFoot } from './table-parts.js';

/** An order's lines: the product as it is now (null when products cannot answer) and the price paid. */
export function OrderItems({ order }: { order: OrderFieldsFragment }) {
  return (
    <table class="order-items">
      <ColumnHeads columns={['Product', 'Quantity', 'Unit price', 'Subtotal']} />
      <tbody>
        {order.items.map((item, index) => (
          <tr key={item.product?.id ?? index}>
            <th scope="row">{item.product ? <a href={links.product(item.product.id)}>{item.product.name}</a> : <span class="unavailable">Product details unavailable</span>}</th>
            <td>{item.quantity}</td>
            <td>{formatMoney(item.unitPrice)}</td>
            <td>{formatMoney(timesQuantity(item.unitPrice, item.quantity))}</td>
          </tr>
        ))}
      </tbody>
      <TotalFoot total={order.total} columnsBefore={3} />
    </table>
  );
}
