import { useState } from 'preact/hooks';
import { ProductDocument } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { NotFound } from '../components/not-found.js';
import { Notice } from '../components/notice.js';
import { StockLabel } from '../components/stock.js';
import { formatMoney } from '../money.js';
import { readById } from '../read-by-id.js';
import { links } from '../router.js';
import { useQuery } from '../use-query.js';

export function ProductPage({ id }: { id: string }) {
  const { shop, cart } = useApp();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState('');
  const query = useQuery(() => readById(shop.request(ProductDocument, { id }), { product: null }), [id]);
  if (query.error) return <Notice kind="error">{query.error}</Notice>;
  if (!query.data) return <p class="loading">Loading the product…</p>;
  const { product } = query.data;
  if (!product) {
    return (
      <NotFound title="Product not found">
        It may have been removed. <a href={links.catalogue()}>Back to the catalogue</a>
      </NotFound>
    );
  }
  const onAdd = (event: SubmitEvent) => {
    event.preventDefault();
    cart.add({ productId: product.id, name: product.name, price: product.price, quantity });
    setAdded(`Added ${quantity} × “${product.name}” to your cart.`);
  };
  return (
    <article class="product-page">
      <p>
        <a href={links.catalogue()}>← Catalogue</a>
      </p>
      <h1 tabIndex={-1}>{product.name}</h1>
      <p class="description">{product.description}</p>
      <p class="price">{formatMoney(product.price)}</p>
      <p>
        <StockLabel stock={product.stock} />
      </p>
      <form class="add" onSubmit={onAdd}>
        <label for="quantity">Quantity</label>
        <input
          id="quantity"
          type="number"
          min={1}
          max={Math.max(1, product.stock)}
          value={quantity}
          onInput={(event) => setQuantity(Math.max(1, Math.floor(Number(event.currentTarget.value)) || 1))}
        />
        <button type="submit" disabled={product.stock <= 0}>
          Add to cart
        </button>
      </form>
      <Notice kind="success">
        {added && (
          <>
            {added} <a href={links.cart()}>Go to cart</a>
          </>
        )}
      </Notice>
    </article>
  );
}
