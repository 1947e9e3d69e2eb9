/**
 * A whole checkout through the SDK, against a running shop (`npm start`, then `npm run example`):
 * sign in, browse, order, read the order back across the three services, cancel; then resume the
 * session the way an app does after a restart, from the refresh token it kept, and sign out.
 * SHOP_URL, SHOP_EMAIL and SHOP_PASSWORD point it elsewhere; the defaults are the demo shop's.
 */
import { randomUUID } from 'node:crypto';
import {
  CancelOrderDocument,
  CreateOrderDocument,
  createShopClient,
  MyOrdersDocument,
  OrderDocument,
  ProductsDocument,
  ShopError,
  type MoneyFieldsFragment,
  type ShopSession,
} from '@shop/sdk';

const url = process.env.SHOP_URL ?? 'http://localhost:4000/graphql';
// Where an app would persist the session (localStorage, a keychain): onSession hands over each new one.
const storage: { session: ShopSession | null } = { session: null };
const keep = (session: ShopSession | null) => {
  storage.session = session;
};
const shop = createShopClient({ url, onSession: keep });
const money = ({ amountCents, currency }: MoneyFieldsFragment) => `${(amountCents / 100).toFixed(2)} ${currency}`;

try {
  const { user, accessTokenExpiresAt, refreshTokenExpiresAt } = await shop.login(process.env.SHOP_EMAIL ?? 'alice@example.com', process.env.SHOP_PASSWORD ?? 'alice-password');
  console.log(`1. Signed in at ${url} as ${user.name} <${user.email}> (${user.role})`);
  console.log(`   the access token lasts until ${accessTokenExpiresAt}, the refresh token until ${refreshTokenExpiresAt}`);

  const { products } = await shop.request(ProductsDocument, { first: 5 });
  console.log(`2. The catalogue has ${products.totalCount} products; the first ${products.nodes.length}:`);
  for (const product of products.nodes) console.log(`   - ${product.name}: ${money(product.price)}, ${product.stock} in stock`);

  const basket = products.nodes.filter((product) => product.stock >= 2).slice(0, 2);
  if (basket.length < 2) throw new Error('Fewer than two products of the first page have stock left');
  const { createOrder } = await shop.request(CreateOrderDocument, {
    input: {
      idempotencyKey: randomUUID(),
      items: basket.map((product, index) => ({ productId: product.id, quantity: index + 1 })),
    },
  });
  console.log(`3. Placed order ${createOrder.id}: ${createOrder.status}, total ${money(createOrder.total)}`);

  const { order } = await shop.request(OrderDocument, { id: createOrder.id });
  if (!order) throw new Error(`Order ${createOrder.id} was not found`);
  console.log(`4. Read it back: the order (orders service) of ${order.user?.name ?? '(users unavailable)'} (users service), with:`);
  for (const item of order.items) {
    const product = item.product ? `${item.product.name}, ${item.product.stock} left` : '(products unavailable)';
    console.log(`   - ${item.quantity} × ${money(item.unitPrice)}: ${product} (products service)`);
  }

  const { cancelOrder } = await shop.request(CancelOrderDocument, { id: order.id });
  const history = cancelOrder.statusHistory.map((change) => change.status).join(' → ');
  console.log(`5. Cancelled it: ${cancelOrder.status} (${history}); its stock went back:`);
  for (const item of cancelOrder.items) console.log(`   - ${item.product?.name ?? '(products unavailable)'}: ${item.product?.stock ?? '?'} in stock`);

  // An app started again, with the session it kept but its access token lost (or long expired):
  // the first call is refused, the client renews the session with the refresh token and retries.
  const kept = storage.session;
  if (!kept) throw new Error('onSession was not told of the sign-in');
  const resumed = createShopClient({ url, session: { ...kept, token: 'lost' }, onSession: keep });
  const { me } = await resumed.request(MyOrdersDocument, { first: 1 });
  if (!me || !storage.session || storage.session.refreshToken === kept.refreshToken) throw new Error('The session was not renewed');
  console.log(`6. Resumed the session without its access token: ${me.orders?.totalCount ?? '?'} orders of ${user.name}; the refresh token renewed it and was replaced (the old one is now spent)`);

  // The original client still holds the spent refresh token: using it again would end the session
  // as stolen. Signing out from the resumed client ends it properly, here and on the server.
  await resumed.signOut();
  console.log(`7. Signed out: the session is over on the server, and forgotten here (${resumed.session ? 'still held?' : 'no session held'})`);
} catch (error) {
  if (error instanceof ShopError) console.error(`The shop refused: ${error.code}: ${error.message}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
