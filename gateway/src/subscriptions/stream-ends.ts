import { AppError, type ErrorCode } from '@shop/service-kit';

/**
 * Why the gateway ends a subscription before its subgraph does, or refuses one: the client's last
 * event carries one error with a public code (DESIGN.md §2) and the cause as `extensions.reason`,
 * so a client (the SDK) can tell "subscribe again now" from "refresh the token first" from "stop".
 */
export const STREAM_ENDS = {
  /** The gateway serves another supergraph now: subscribe again, at once. */
  SUPERGRAPH_RELOADED: { code: 'SERVICE_UNAVAILABLE', message: 'The gateway now serves another supergraph: subscribe again' },
  /** This replica is stopping: subscribe again (another replica answers). */
  SHUTTING_DOWN: { code: 'SERVICE_UNAVAILABLE', message: 'This gateway is shutting down: subscribe again' },
  /** The subgraph's stream broke off (not completed): subscribe again shortly. */
  SUBGRAPH_STREAM_LOST: { code: 'SERVICE_UNAVAILABLE', message: 'The service behind this subscription stopped answering: subscribe again shortly' },
  /** The token's session ended or the token expired: refresh it, then subscribe again. */
  SESSION_ENDED: { code: 'UNAUTHENTICATED', message: 'This token is no longer valid (its session ended or it expired): refresh it and subscribe again' },
  /**
   * Events came faster than they reached the client (it did not read them, or their joins fell
   * behind), past what may wait for it: SUBSCRIPTION_BUFFER_KB unread, or 100 events not yet joined.
   */
  SLOW_CONSUMER: { code: 'RATE_LIMITED', message: 'Events were not read as fast as they came: this subscription is dropped' },
  /** This client holds as many open subscriptions as it may (SUBSCRIPTIONS_PER_CLIENT). */
  TOO_MANY_SUBSCRIPTIONS: { code: 'RATE_LIMITED', message: 'Too many open subscriptions for this client: close one first' },
  /** This replica holds as many open subscriptions as it may (SUBSCRIPTIONS_MAX). */
  SUBSCRIPTIONS_FULL: { code: 'SERVICE_UNAVAILABLE', message: 'This gateway holds as many subscriptions as it may: try again shortly' },
} as const satisfies Record<string, { code: ErrorCode; message: string }>;

export type StreamEndReason = keyof typeof STREAM_ENDS;

/** The error an ended (or refused) subscription's client gets: its code, and the reason beside it. */
export function streamEndError(reason: StreamEndReason, extensions: Record<string, unknown> = {}): AppError {
  const { code, message } = STREAM_ENDS[reason];
  return new AppError(code, message, { ...extensions, reason });
}
