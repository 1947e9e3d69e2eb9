import type { OrderFieldsFragment } from '@shop/sdk';
import { formatMoney } from '../money.js';
import { links } from '../router.js';

/** An order's lines: the product as it is now (null when products cannot answer) and the price paid. */
export function OrderItems({ order }: { order: OrderFieldsFragment }) {
  return (
    <table class="order-items">
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Quantity</th>
          <th scope="col">Unit price</th>
          <th scope="col">Subtotal</th>
        </tr>
      </thead>
      <tbody>
        {order.items.map((item, index) => (
          <tr key={item.product?.id ?? index}>
            <th scope="row">{item.product ? <a href={links.product(item.product.id)}>{item.product.name}</a> : <span class="unavailable">Product details unavailable</span>}</th>
            <td>{item.quantity}</td>
            <td>{formatMoney(item.unitPrice)}</td>
            <td>{formatMoney({ amountCents: item.unitPrice.amountCents * item.quantity, currency: item.unitPrice.currency })}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td class="total">{formatMoney(order.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
