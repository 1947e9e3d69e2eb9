import { ServiceUnavailableError, type Database, type Logger } from '@shop/service-kit';
import { coalescingRun } from '../coalescing-run.js';
import { matchesFilter, type OrderEventFeed, type OrderEventFilter, type OrderEventNotice } from './order-event-feed.js';
import { createOrderEventReads } from './order-event-reads.js';

export interface OutboxEventFeedOptions {
  db: Database;
  /** How often the outbox is read for new events besides when an event's NOTIFY wakes it (ORDER_EVENTS_POLL_MS). */
  pollMs: number;
  logger: Logger;
  /** How long a missing sequence holds the tail back (GAP_SETTLE_MS); tests shorten it. */
  gapSettleMs?: number;
}

/** Events read per statement, by the tail and by a resumed subscription catching up. */
const PAGE = 200;
/**
 * How long a missing sequence holds the tail back. Sequences are taken when an event is written and
 * become visible at commit, so on PostgreSQL a later event can be seen before an earlier one; the
 * tail waits for the earlier one rather than pass it (clients resume by sequence, so handing events
 * on out of order could lose one). A sequence still missing after this was never committed (its
 * transaction rolled back): events are written last in their transactions, which commit at once.
 */
const GAP_SETTLE_MS = 3_000;
/** Events one subscription may have waiting unread before it is ended (SERVICE_UNAVAILABLE: resume with `after`). */
const MAX_WAITING = 1_000;

interface Follower {
  filter: OrderEventFilter;
  hand(notice: OrderEventNotice): void;
}

/**
 * Order events for subscriptions from the outbox (`order_events`), for orders without NATS (a
 * laptop's `npm start`). One tail per replica reads each new event once (woken by the events'
 * NOTIFY, and every `pollMs`) and hands it to the subscriptions it matches, in sequence order; it
 * reads nothing while nobody follows. A subscription resuming from `after` first reads what it
 * missed, page by page as it is consumed, then takes over from the tail: each event once, in order.
 * Event ids are `order_events.seq`.
 */
export function createOutboxEventFeed(options: OutboxEventFeedOptions): OrderEventFeed {
  const { logger, gapSettleMs = GAP_SETTLE_MS } = options;
  const reads = createOrderEventReads(options.db);
  const followers = new Set<Follower>();
  /** Every event up to this sequence has been handed on (or passed as never committed); undefined while nobody follows. */
  let tailedTo: number | undefined;
  let starting: Promise<number> | undefined;
  let gapSince: number | undefined;
  let gapTimer: NodeJS.Timeout | undefined;
  let failing = false;
  let stopped = false;

  /** Whether the tail may pass the missing sequence after `tailedTo`; if not yet, it reads again when it may. */
  const gapSettled = (): boolean => {
    const now = Date.now();
    gapSince ??= now;
    if (now - gapSince >= gapSettleMs) return true;
    clearTimeout(gapTimer);
    gapTimer = setTimeout(() => tail.run(), gapSettleMs - (now - gapSince));
    gapTimer.unref();
    return false;
  };

  /** Hands `events` on in sequence order, up to a gap not yet settled; whether all of them went. */
  const handOn = (events: OrderEventNotice[]): boolean => {
    for (const event of events) {
      if (tailedTo === undefined) return false;
      if (event.sequence !== tailedTo + 1 && !gapSettled()) return false;
      gapSince = undefined;
      tailedTo = event.sequence;
      for (const follower of followers) if (matchesFilter(follower.filter, event)) follower.hand(event);
    }
    return true;
  };

  const tail = coalescingRun(async () => {
    try {
      while (tailedTo !== undefined && followers.size > 0 && !stopped) {
        const events = await reads.listEventsAfter(tailedTo, PAGE);
        if (!handOn(events) || events.length < PAGE) break;
      }
      if (failing) logger.info('subscriptions read the order events again');
      failing = false;
    } catch (error) {
      // Followers keep waiting: the next wake or poll reads again, and they get every event then.
      if (!failing) logger.warn({ err: error }, 'cannot read order events for subscriptions; trying again');
      failing = true;
    }
  });
  const poll = setInterval(() => tail.run(), options.pollMs);
  poll.unref();

  /** Where the tail is when nobody followed: the newest event, read once nothing else reads. */
  const start = async (): Promise<number> => {
    try {
      await tail.idle();
      const at = await reads.lastSequence();
      // Everyone left meanwhile: the next follower reads the position afresh.
      if (followers.size > 0) tailedTo = at;
      gapSince = undefined;
      return at;
    } finally {
      starting = undefined;
    }
  };

  /** Adds `follower` to the tail; resolves with the sequence from which the tail hands it events. */
  const join = async (follower: Follower): Promise<number> => {
    followers.add(follower);
    // Already tailing: joined now, with nothing handed on between joining and reading the position.
    if (tailedTo !== undefined) return tailedTo;
    starting ??= start();
    try {
      return await starting;
    } catch (error) {
      leave(follower);
      throw error;
    }
  };

  const leave = (follower: Follower): void => {
    followers.delete(follower);
    if (followers.size > 0) return;
    tailedTo = undefined;
    clearTimeout(gapTimer);
  };

  return {
    wake: () => tail.run(),

    async follow(filter, after, signal) {
      if (stopped) throw new ServiceUnavailableError('Orders is stopping; subscribe again');
      const waiting: OrderEventNotice[] = [];
      let wakeReader: (() => void) | undefined;
      let overflowed = false;
      const follower: Follower = {
        filter,
        hand(notice) {
          if (waiting.length < MAX_WAITING) waiting.push(notice);
          else overflowed = true;
          wakeReader?.();
        },
      };
      const joinedAt = await join(follower);
      // Let go on abort, whether or not the events were ever read (an unread generator runs no finally).
      const release = () => {
        leave(follower);
        wakeReader?.();
      };
      if (signal.aborted) release();
      else signal.addEventListener('abort', release, { once: true });

      // A function, not the property: it changes while the generator is suspended.
      const ended = () => signal.aborted;

      async function* events(): AsyncGenerator<OrderEventNotice, void> {
        let last = after ?? joinedAt;
        // Catching up on what was recorded before joining the tail, a page at a time as it is read.
        while (last < joinedAt && !ended()) {
          const page = await reads.listMatchingEvents(filter, last, joinedAt, PAGE);
          for (const notice of page) {
            last = notice.sequence;
            yield notice;
            if (ended()) return;
          }
          if (page.length < PAGE) last = joinedAt;
        }
        while (!ended()) {
          if (overflowed) throw new ServiceUnavailableError(`More than ${MAX_WAITING} events waited unread; subscribe again with after`);
          const notice = waiting.shift();
          if (notice === undefined) {
            await new Promise<void>((resolve) => (wakeReader = resolve));
            wakeReader = undefined;
          } else if (notice.sequence > last) {
            last = notice.sequence;
            yield notice;
          }
        }
      }
      return events();
    },

    async stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(gapTimer);
      await tail.idle();
    },
  };
}
