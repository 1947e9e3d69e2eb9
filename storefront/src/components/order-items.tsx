import type { OrderFieldsFragment } from '@shop/sdk';
import { formatMoney, timesQuantity } from '../money.js';
import { links } from '../router.js';
import { ColumnHeads, TotalFoot } from './table-parts.js';

type Line = OrderFieldsFragment['items'][number];
/** An order's line as a page may hold it while its product's details are still coming (read with @defer). */
type LineSoFar = Omit<Line, 'product'> & { product: (Pick<NonNullable<Line['product']>, 'id'> & { name?: string }) | null };

/**
 * An order's lines: the product as it is now (null when products cannot answer; its name still
 * to come while `complete` is false) and the price paid.
 */
export function OrderItems({ order, complete = true }: { order: Pick<OrderFieldsFragment, 'total'> & { items: readonly LineSoFar[] }; complete?: boolean }) {
  return (
    <table class="order-items">
      <ColumnHeads columns={['Product', 'Quantity', 'Unit price', 'Subtotal']} />
      <tbody>
        {order.items.map((item, index) => (
          <tr key={item.product?.id ?? index}>
            <th scope="row">{productCell(item.product, complete)}</th>
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

function productCell(product: LineSoFar['product'], complete: boolean) {
  if (!product || (product.name === undefined && complete)) return <span class="unavailable">Product details unavailable</span>;
  if (product.name === undefined) return <span class="loading">Loading the product…</span>;
  return <a href={links.product(product.id)}>{product.name}</a>;
}
