import type { ComponentChildren } from 'preact';
import { useApp } from '../app-context.js';
import { cartSize } from '../cart.js';
import { links, navigate, type Route } from '../router.js';

const SECTION_OF: Partial<Record<Route['page'], string>> = {
  catalogue: links.catalogue(),
  product: links.catalogue(),
  cart: links.cart(),
  orders: links.orders(),
  order: links.orders(),
  'admin-orders': links.adminOrders(),
  'sign-in': links.signIn(),
};

export function Layout({ route, children }: { route: Route; children: ComponentChildren }) {
  const { shop, user, setUser, cart } = useApp();
  const current = SECTION_OF[route.page];
  const link = (href: string, label: ComponentChildren) => (
    <a href={href} aria-current={current === href ? 'page' : undefined}>
      {label}
    </a>
  );
  const signOut = () => {
    // The SDK forgets the session at once; ending it on the server may finish later, or fail offline.
    void shop.signOut().catch(() => undefined);
    setUser(null);
    navigate(links.catalogue());
  };
  const items = cartSize(cart.cart);
  return (
    <>
      {/* A button, not a link to #main: the hash is the page's address here. */}
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="site-header">
        <a class="brand" href={links.catalogue()}>
          Shop
        </a>
        <nav aria-label="Main">
          {link(links.catalogue(), 'Catalogue')}
          {link(links.cart(), <>Cart{items > 0 && <span class="badge" aria-label={`${items} items`}>{items}</span>}</>)}
          {user && link(links.orders(), 'My orders')}
          {user?.role === 'ADMIN' && link(links.adminOrders(), 'All orders')}
        </nav>
        <div class="account">
          {user ? (
            <>
              <span class="who">{user.name}</span>
              <button type="button" class="link-button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : user === null ? (
            link(links.signIn(), 'Sign in')
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
