import { useEffect, useRef, useState } from 'preact/hooks';
import type { ShopSubscription } from '@shop/sdk';
import { follow } from './live.js';
import { messageFor } from './messages.js';

export interface LiveState {
  /** Whether the page is following its subscription (the SDK resubscribes by itself meanwhile). */
  live: boolean;
  /** Why it no longer does: a message for the shopper, shown as the page's other errors are. */
  error?: string;
}

/**
 * Follows a subscription of the shop while the page is shown: opened when `deps` say so, closed
 * when they change or the page is left. Only a final error (one the SDK does not resubscribe
 * after) reaches the page.
 */
export function useLive<T>(open: () => ShopSubscription<T>, onEvent: (data: T) => void, deps: readonly unknown[]): LiveState {
  const [state, setState] = useState<LiveState>({ live: false });
  // The page's latest handler, without opening the stream again each render.
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    setState({ live: true });
    return follow(open(), {
      onEvent: (data) => handler.current(data),
      onEnd: (error) => setState(error === undefined ? { live: false } : { live: false, error: messageFor(error, { action: 'load' }) }),
    });
    // `open` is a new closure each render; `deps` say when what it subscribes to has changed.
  }, deps);
  return state;
}
