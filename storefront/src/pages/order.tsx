import { useState } from 'preact/hooks';
import { CancelOrderDocument, OrderPageDocument, OrderUpdatedDocument, type OrderFieldsFragment } from '@shop/sdk';
import { useApp } from '../app-context.js';
import { LiveIndicator } from '../components/live-indicator.js';
import { NotFound } from '../components/not-found.js';
import { Notice } from '../components/notice.js';
import { OrderItems } from '../components/order-items.js';
import { SignInFirst } from '../components/sign-in-first.js';
import { cancellable, STATUS_LABEL, StatusBadge } from '../components/status.js';
import { messageFor } from '../messages.js';
import { formatDate } from '../money.js';
import { later, withChange } from '../order-updates.js';
import { readPartsById } from '../read-by-id.js';
import { links } from '../router.js';
import { useLive } from '../use-live.js';
import { useParts } from '../use-parts.js';

export function OrderPage({ id, placed }: { id: string; placed: boolean }) {
  const { user } = useApp();
  if (!user) return <SignInFirst checking={user === undefined} here={links.order(id)} title="Order" />;
  return <Order id={id} placed={placed} />;
}

function Order({ id, placed }: { id: string; placed: boolean }) {
  const { shop } = useApp();
  // In parts: the order at once, each product's details as products answers.
  const query = useParts(() => readPartsById(shop.requestInParts(OrderPageDocument, { id }), { order: null }), [id]);
  /** The order as the latest change left it (a live event, or the cancel's answer), over the one read. */
  const [changed, setChanged] = useState<OrderFieldsFragment>();
  const change = (next: OrderFieldsFragment) => setChanged((current) => later(current, next));
  // Opened with the read, not after it: a change made while the read is under way is not missed.
  const live = useLive(
    () => shop.subscribe(OrderUpdatedDocument, { id }),
    ({ orderUpdated }) => change(orderUpdated),
    [id],
  );
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (query.error) return <Notice kind="error">{query.error}</Notice>;
  if (!query.data) return <p class="loading">Loading the order…</p>;
  if (!query.data.order) {
    return (
      <NotFound title="Order not found">
        <a href={links.orders()}>Back to my orders</a>
      </NotFound>
    );
  }
  const order = withChange(query.data.order, changed);
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      change((await shop.request(CancelOrderDocument, { id })).cancelOrder);
      setConfirming(false);
    } catch (caught) {
      setError(messageFor(caught, { action: 'cancel' }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="order-page">
      <p>
        <a href={links.orders()}>← My orders</a>
      </p>
      <h1 tabIndex={-1}>Order of {formatDate(order.createdAt)}</h1>
      {placed && !changed && <Notice kind="success">Thank you! Your order is placed.</Notice>}
      <Notice kind="warning">{query.notice}</Notice>
      <p>
        Status: <StatusBadge status={order.status} /> <LiveIndicator live={live.live} what="Changes to this order" />
      </p>
      <OrderItems order={order} complete={query.complete} />
      <h2>History</h2>
      <ol class="history">
        {order.statusHistory.map((entry) => (
          <li key={`${entry.status}-${entry.at}`}>
            <time dateTime={entry.at}>{formatDate(entry.at)}</time> {STATUS_LABEL[entry.status]}
          </li>
        ))}
      </ol>
      <Notice kind="error">{error ?? live.error}</Notice>
      {cancellable(order.status) &&
        (confirming ? (
          <div class="confirm" role="group" aria-label="Cancel this order?">
            <span>Cancel this order? Its items go back in stock.</span>
            <button type="button" class="danger" onClick={() => void cancel()} disabled={busy}>
              Yes, cancel it
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Cancel order
          </button>
        ))}
    </article>
  );
}
