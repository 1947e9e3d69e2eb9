import { useEffect, useState } from 'preact/hooks';
import { MeDocument, type ShopClient, type UserFieldsFragment } from '@shop/sdk';
import { AppContext } from './app-context.js';
import { useCart } from './cart.js';
import { Layout } from './components/layout.js';
import { NotFound } from './components/not-found.js';
import { AdminOrdersPage } from './pages/admin-orders.js';
import { CartPage } from './pages/cart.js';
import { CataloguePage } from './pages/catalogue.js';
import { MyOrdersPage } from './pages/my-orders.js';
import { OrderPage } from './pages/order.js';
import { ProductPage } from './pages/product.js';
import { SignInPage } from './pages/sign-in.js';
import { links, useRoute, type Route } from './router.js';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalogue':
      return <CataloguePage key={route.search} search={route.search} />;
    case 'product':
      return <ProductPage key={route.id} id={route.id} />;
    case 'cart':
      return <CartPage />;
    case 'sign-in':
      return <SignInPage next={route.next} />;
    case 'orders':
      return <MyOrdersPage />;
    case 'order':
      return <OrderPage key={route.id} id={route.id} placed={route.placed} />;
    case 'admin-orders':
      return <AdminOrdersPage />;
    case 'not-found':
      return (
        <NotFound title="Page not found">
          <a href={links.catalogue()}>Back to the catalogue</a>
        </NotFound>
      );
  }
}

export function App({ shop, sessionEvents }: { shop: ShopClient; sessionEvents: EventTarget }) {
  const [user, setUser] = useState<UserFieldsFragment | null | undefined>(shop.session ? undefined : null);
  const cart = useCart();
  const route = useRoute();
  useEffect(() => {
    // Who the held session is (and whether it still holds) decides the menu and the pages.
    const whoAmI = () => {
      shop.request(MeDocument).then(
        ({ me }) => setUser(me),
        () => setUser(null),
      );
    };
    const signedOut = () => setUser(null);
    sessionEvents.addEventListener('signed-out', signedOut);
    sessionEvents.addEventListener('session-replaced', whoAmI);
    if (shop.session) whoAmI();
    return () => {
      sessionEvents.removeEventListener('signed-out', signedOut);
      sessionEvents.removeEventListener('session-replaced', whoAmI);
    };
  }, [shop, sessionEvents]);
  return (
    <AppContext.Provider value={{ shop, user, setUser, cart }}>
      <Layout route={route}>
        <Page route={route} />
      </Layout>
    </AppContext.Provider>
  );
}
