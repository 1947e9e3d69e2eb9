import { useState } from 'preact/hooks';
import { CancelOrderDocument, OrdersDocument, UpdateOrderStatusDocument, type OrderStatus } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { Notice } from '../components/notice.js';
import { Pager, useCursorPages } from '../components/pager.js';
import { SignInFirst } from '../components/sign-in-first.js';
import { cancellable, STATUS_LABEL, StatusBadge } from '../components/status.js';
import { ColumnHeads } from '../components/table-parts.js';
import { messageFor } from '../messages.js';
import { formatDate, formatMoney } from '../money.js';
import { links } from '../router.js';
import { useQuery } from '../use-query.js';

const PAGE_SIZE = 10;
/** Where an order can go next, forwards (DESIGN: PENDING → PAID → SHIPPED → DELIVERED); cancelling is its own button. */
const NEXT: Partial<Record<OrderStatus, OrderStatus>> = { PENDING: 'PAID', PAID: 'SHIPPED', SHIPPED: 'DELIVERED' };
const STATUSES = Object.keys(STATUS_LABEL) as OrderStatus[];

export function AdminOrdersPage() {
  const { user } = useApp();
  if (!user) return <SignInFirst checking={user === undefined} here={links.adminOrders()} title="All orders" />;
  if (user.role !== 'ADMIN') {
    return (
      <section>
        <h1 tabIndex={-1}>All orders</h1>
        <p>This page is for the shop’s staff.</p>
      </section>
    );
  }
  return <AdminOrders />;
}

function AdminOrders() {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  return (
    <section>
      <h1 tabIndex={-1}>All orders</h1>
      <label for="status-filter">Show</label>{' '}
      <select id="status-filter" value={status} onChange={(event) => setStatus(event.currentTarget.value as OrderStatus | '')}>
        <option value="">All statuses</option>
        {STATUSES.map((value) => (
          <option key={value} value={value}>
            {STATUS_LABEL[value]}
          </option>
        ))}
      </select>
      {/* Keyed: another filter starts again at its first page. */}
      <OrdersTable key={status} status={status || undefined} />
    </section>
  );
}

function OrdersTable({ status }: { status: OrderStatus | undefined }) {
  const { shop } = useApp();
  const pages = useCursorPages();
  const query = useQuery(() => shop.request(OrdersDocument, { first: PAGE_SIZE, after: pages.after, status }), [pages.after]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const change = async (id: string, to: OrderStatus) => {
    setBusy(id);
    setError(undefined);
    try {
      if (to === 'CANCELLED') await shop.request(CancelOrderDocument, { id });
      else await shop.request(UpdateOrderStatusDocument, { id, status: to });
      query.reload();
    } catch (caught) {
      setError(messageFor(caught, { action: to === 'CANCELLED' ? 'cancel' : 'move-status' }));
    } finally {
      setBusy(undefined);
    }
  };
  const orders = query.data?.orders;
  return (
    <>
      <Notice kind="error">{query.error ?? error}</Notice>
      <Notice kind="warning">{query.notice}</Notice>
      {query.loading && !orders && <p class="loading">Loading orders…</p>}
      {orders && (
        <>
          <p class="count">{orders.totalCount} orders</p>
          <table class="admin-orders">
            <ColumnHeads columns={['Placed', 'Customer', 'Total', 'Status', 'Actions']} />
            <tbody>
              {orders.nodes.map((order) => {
                const next = NEXT[order.status];
                const customer = order.user?.name ?? 'unavailable';
                return (
                  <tr key={order.id}>
                    <td>
                      <a href={links.order(order.id)}>{formatDate(order.createdAt)}</a>
                    </td>
                    <td>{order.user ? `${order.user.name} (${order.user.email})` : <span class="unavailable">Customer details unavailable</span>}</td>
                    <td>{formatMoney(order.total)}</td>
                    <td>
                      <StatusBadge status={order.status} />
                    </td>
                    <td>
                      <div class="actions">
                        {next && (
                          <button type="button" disabled={busy === order.id} onClick={() => void change(order.id, next)} aria-label={`Mark the order of ${customer} from ${formatDate(order.createdAt)} as ${STATUS_LABEL[next]}`}>
                            Mark {STATUS_LABEL[next].toLowerCase()}
                          </button>
                        )}
                        {cancellable(order.status) && (
                          <button type="button" class="danger" disabled={busy === order.id} onClick={() => void change(order.id, 'CANCELLED')} aria-label={`Cancel the order of ${customer} from ${formatDate(order.createdAt)}`}>
                            Cancel
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager pages={pages} pageInfo={orders.pageInfo} totalPages={Math.ceil(orders.totalCount / PAGE_SIZE)} />
        </>
      )}
    </>
  );
}
