import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * Pages live in the URL's hash (#/products/<id>): any static server can serve the app, with no
 * fallback route, and every page survives a reload.
 */
export type Route =
  | { page: 'catalogue'; search: string }
  | { page: 'product'; id: string }
  | { page: 'cart' }
  | { page: 'sign-in'; next: string }
  | { page: 'orders' }
  | { page: 'order'; id: string; placed: boolean }
  | { page: 'admin-orders' }
  | { page: 'not-found' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const [first, second, ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (rest.length > 0) return { page: 'not-found' };
  if (first === undefined) return { page: 'catalogue', search: params.get('search') ?? '' };
  if (first === 'products' && second) return { page: 'product', id: second };
  if (first === 'cart' && !second) return { page: 'cart' };
  if (first === 'sign-in' && !second) return { page: 'sign-in', next: params.get('next') ?? links.catalogue() };
  if (first === 'orders' && !second) return { page: 'orders' };
  if (first === 'orders' && second) return { page: 'order', id: second, placed: params.has('placed') };
  if (first === 'admin' && second === 'orders') return { page: 'admin-orders' };
  return { page: 'not-found' };
}

export const links = {
  catalogue: (search = '') => (search ? `#/?search=${encodeURIComponent(search)}` : '#/'),
  product: (id: string) => `#/products/${encodeURIComponent(id)}`,
  cart: () => '#/cart',
  signIn: (next?: string) => (next ? `#/sign-in?next=${encodeURIComponent(next)}` : '#/sign-in'),
  orders: () => '#/orders',
  /** `placed`: just placed, so the page thanks the shopper. */
  order: (id: string, placed = false) => `#/orders/${encodeURIComponent(id)}${placed ? '?placed' : ''}`,
  adminOrders: () => '#/admin/orders',
};

export function navigate(link: string): void {
  location.hash = link;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const navigated = useRef(false);
  useEffect(() => {
    const onChange = () => {
      navigated.current = true;
      setRoute(parseRoute(location.hash));
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  // After a navigation the new page starts at its top, and its heading is what a screen reader
  // announces next (the main region while a page still loads the data its heading shows). Focus
  // moves as the page is put in place, not a frame later: on a busy machine a frame can come after
  // the next keys, which would land in the new page's fields and then lose their focus.
  useLayoutEffect(() => {
    if (!navigated.current) return;
    scrollTo(0, 0);
    (document.querySelector<HTMLElement>('main h1') ?? document.getElementById('main'))?.focus();
  }, [route]);
  return route;
}
