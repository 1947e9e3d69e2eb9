import type { ShopSubscription } from '@shop/sdk';

export interface FollowHandlers<T> {
  /** Each event's data, in order. */
  onEvent: (data: T) => void;
  /** The stream ended by itself: `error` when it ended with one the SDK gives up on (its resubscriptions are its own). */
  onEnd: (error?: unknown) => void;
}

/**
 * Reads `subscription` until it ends, handing each event to `onEvent`. The function returned stops
 * it: the stream is closed, and nothing more (no event, no end) is handed on after.
 */
export function follow<T>(subscription: ShopSubscription<T>, { onEvent, onEnd }: FollowHandlers<T>): () => void {
  const stop = new AbortController();
  /** Whether the page stopped following (a function: it changes across awaits). */
  const stopped = () => stop.signal.aborted;
  void (async () => {
    try {
      for await (const data of subscription) {
        if (stopped()) break;
        onEvent(data);
      }
      if (!stopped()) onEnd();
    } catch (error) {
      if (!stopped()) onEnd(error);
    }
  })();
  return () => {
    stop.abort();
    void subscription.close();
  };
}
