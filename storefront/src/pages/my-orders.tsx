import { useState } from 'preact/hooks';
import { MyOrderUpdatesDocument, MyOrdersDocument, type OrderFieldsFragment } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { LiveIndicator } from '../components/live-indicator.js';
import { Notice } from '../components/notice.js';
import { Pager, useCursorPages } from '../components/pager.js';
import { SignInFirst } from '../components/sign-in-first.js';
import { StatusBadge } from '../components/status.js';
import { formatDate, formatMoney } from '../money.js';
import { later, withChange } from '../order-updates.js';
import { links } from '../router.js';
import { useLive } from '../use-live.js';
import { useQuery } from '../use-query.js';

const PAGE_SIZE = 10;

export function MyOrdersPage() {
  const { user } = useApp();
  if (!user) return <SignInFirst checking={user === undefined} here={links.orders()} title="My orders" />;
  return <MyOrders />;
}

function MyOrders() {
  const { shop } = useApp();
  const pages = useCursorPages();
  const query = useQuery(() => shop.request(MyOrdersDocument, { first: PAGE_SIZE, after: pages.after }), [pages.after]);
  /** Each order as the latest live event left it, by id: shown over its row when it is on this page. */
  const [changes, setChanges] = useState<ReadonlyMap<string, OrderFieldsFragment>>(new Map());
  const live = useLive(
    () => shop.subscribe(MyOrderUpdatesDocument),
    ({ myOrderUpdates: order }) => setChanges((current) => new Map(current).set(order.id, later(current.get(order.id), order))),
    [],
  );
  const orders = query.data?.me?.orders;
  return (
    <section>
      <h1 tabIndex={-1}>My orders</h1>
      <p class="live-line">
        <LiveIndicator live={live.live && !!orders} what="Your orders' statuses" />
      </p>
      <Notice kind="error">{query.error ?? live.error}</Notice>
      <Notice kind="warning">{query.notice}</Notice>
      {query.loading && !query.data && <p class="loading">Loading your orders…</p>}
      {orders?.totalCount === 0 && (
        <p>
          No orders yet. <a href={links.catalogue()}>Browse the catalogue</a>
        </p>
      )}
      {orders && orders.nodes.length > 0 && (
        <>
          <ul class="orders">
            {orders.nodes.map((read) => withChange(read, changes.get(read.id))).map((order) => (
              <li key={order.id} class="order-card">
                <a href={links.order(order.id)}>Order of {formatDate(order.createdAt)}</a>
                <StatusBadge status={order.status} />
                <span class="total">{formatMoney(order.total)}</span>
                <span class="summary">
                  {order.items.map((item) => `${item.quantity} × ${item.product?.name ?? 'product details unavailable'}`).join(', ')}
                </span>
              </li>
            ))}
          </ul>
          <Pager pages={pages} pageInfo={orders.pageInfo} totalPages={Math.ceil(orders.totalCount / PAGE_SIZE)} />
        </>
      )}
    </section>
  );
}
