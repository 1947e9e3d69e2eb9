import { useState } from 'preact/hooks';
import { ProductsDocument } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { Notice } from '../components/notice.js';
import { Pager, useCursorPages } from '../components/pager.js';
import { StockLabel } from '../components/stock.js';
import { formatMoney } from '../money.js';
import { links, navigate } from '../router.js';
import { useQuery } from '../use-query.js';

export const PAGE_SIZE = 8;

/** The catalogue, searchable and paged. Mounted anew for each search (keyed by it), so paging restarts. */
export function CataloguePage({ search }: { search: string }) {
  const { shop, cart } = useApp();
  const pages = useCursorPages();
  const [added, setAdded] = useState('');
  const query = useQuery(() => shop.request(ProductsDocument, { first: PAGE_SIZE, after: pages.after, search: search || undefined }), [search, pages.after]);
  const products = query.data?.products;
  const onSearch = (event: SubmitEvent) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget as HTMLFormElement).get('search');
    navigate(links.catalogue(typeof value === 'string' ? value.trim() : ''));
  };
  return (
    <section>
      <h1 tabIndex={-1}>{search ? `Products matching “${search}”` : 'Catalogue'}</h1>
      <form class="search" role="search" onSubmit={onSearch}>
        <label for="search">Search products</label>
        <input id="search" name="search" type="search" defaultValue={search} placeholder="mug, lamp, …" />
        <button type="submit">Search</button>
      </form>
      <Notice kind="error">{query.error}</Notice>
      <Notice kind="success">{added}</Notice>
      {products && (
        <>
          <p class="count" aria-live="polite">
            {products.totalCount === 0 ? 'No products found.' : `${products.totalCount} ${products.totalCount === 1 ? 'product' : 'products'}`}
          </p>
          <ul class="products" aria-busy={query.loading}>
            {products.nodes.map((product) => (
              <li class="product-card" key={product.id}>
                <h2>
                  <a href={links.product(product.id)}>{product.name}</a>
                </h2>
                <p class="description">{product.description}</p>
                <p class="price">{formatMoney(product.price)}</p>
                <StockLabel stock={product.stock} />
                <button
                  type="button"
                  disabled={product.stock <= 0}
                  aria-label={`Add ${product.name} to cart`}
                  onClick={() => {
                    cart.add({ productId: product.id, name: product.name, price: product.price, quantity: 1 });
                    setAdded(`Added “${product.name}” to your cart.`);
                  }}
                >
                  Add to cart
                </button>
              </li>
            ))}
          </ul>
          <Pager pages={pages} pageInfo={products.pageInfo} totalPages={Math.ceil(products.totalCount / PAGE_SIZE)} />
        </>
      )}
      {query.loading && !products && <p class="loading">Loading products…</p>}
    </section>
  );
}
