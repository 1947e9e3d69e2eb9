import { useRef, useState } from 'preact/hooks';
import { CreateOrderDocument, ProductDocument, ShopError } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { Notice } from '../components/notice.js';
import { ColumnHeads, TotalFoot } from '../components/table-parts.js';
import { messageFor } from '../messages.js';
import { formatMoney, timesQuantity } from '../money.js';
import { links, navigate } from '../router.js';

/** The cart and its checkout. */
export function CartPage() {
  const { shop, user, cart } = useApp();
  const { lines } = cart.cart;
  const [error, setError] = useState<string>();
  /** Stock now, of the products an order was refused for (INSUFFICIENT_STOCK), to show beside their lines. */
  const [stockNow, setStockNow] = useState<ReadonlyMap<string, number>>(new Map());
  const [placing, setPlacing] = useState(false);
  // Set in the click itself: a second click in the same frame, before the re-render disables the button, sends nothing.
  const placingNow = useRef(false);

  const checkout = async () => {
    if (placingNow.current || lines.length === 0) return;
    placingNow.current = true;
    setPlacing(true);
    setError(undefined);
    try {
      const idempotencyKey = cart.checkoutKey();
      const items = lines.map(({ productId, quantity }) => ({ productId, quantity }));
      const { createOrder } = await shop.request(CreateOrderDocument, { input: { items, idempotencyKey } });
      cart.clear();
      navigate(links.order(createOrder.id, true));
    } catch (caught) {
      setError(messageFor(caught, { action: 'checkout', productNames: new Map(lines.map((line) => [line.productId, line.name])) }));
      if (caught instanceof ShopError && caught.code === 'INSUFFICIENT_STOCK' && caught.productId !== undefined) {
        const productId = caught.productId;
        const { product } = await shop.request(ProductDocument, { id: productId }).catch(() => ({ product: null }));
        if (product) setStockNow((known) => new Map([...known, [productId, product.stock]]));
      }
    } finally {
      placingNow.current = false;
      setPlacing(false);
    }
  };

  if (lines.length === 0) {
    return (
      <section>
        <h1 tabIndex={-1}>Your cart</h1>
        <p>
          Your cart is empty. <a href={links.catalogue()}>Browse the catalogue</a>
        </p>
      </section>
    );
  }
  const currency = lines[0]!.price.currency;
  const total = lines.reduce((sum, line) => sum + timesQuantity(line.price, line.quantity).amountCents, 0);
  return (
    <section>
      <h1 tabIndex={-1}>Your cart</h1>
      <table class="cart">
        <ColumnHeads columns={['Product', 'Price', 'Quantity', 'Subtotal', <span class="visually-hidden">Remove</span>]} />
        <tbody>
          {lines.map((line) => {
            const stock = stockNow.get(line.productId);
            return (
              <tr key={line.productId} class={stock !== undefined && stock < line.quantity ? 'short' : undefined}>
                <th scope="row">
                  <a href={links.product(line.productId)}>{line.name}</a>
                  {stock !== undefined && stock < line.quantity && <p class="stock stock-low">{stock === 0 ? 'Out of stock' : `Only ${stock} left`}</p>}
                </th>
                <td>{formatMoney(line.price)}</td>
                <td>
                  <input
                    type="number"
                    min={1}
                    max={1000}
                    value={line.quantity}
                    aria-label={`Quantity of ${line.name}`}
                    onChange={(event) => cart.setQuantity(line.productId, Math.max(1, Math.floor(Number(event.currentTarget.value)) || 1))}
                  />
                </td>
                <td>{formatMoney(timesQuantity(line.price, line.quantity))}</td>
                <td>
                  <button type="button" class="link-button" aria-label={`Remove ${line.name}`} onClick={() => cart.remove(line.productId)}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
        <TotalFoot total={{ amountCents: total, currency }} columnsBefore={3} columnsAfter={1} />
      </table>
      <Notice kind="error">{error}</Notice>
      {user ? (
        <button type="button" class="primary" onClick={() => void checkout()} disabled={placing} aria-busy={placing}>
          {placing ? 'Placing your order…' : 'Place order'}
        </button>
      ) : (
        <p>
          <a class="primary" href={links.signIn(links.cart())}>
            Sign in to check out
          </a>
        </p>
      )}
    </section>
  );
}
