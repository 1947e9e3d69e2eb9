import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import type { FederatedSubscription } from './federated-subscription.js';
import { openSubscriptionCounts, type ReleasePlace } from './open-subscription-counts.js';
import { SSE_FRAMING } from './sse-transport.js';
import { endResponse, writeStreamHead } from './streaming-response.js';

/** Who a request comes from, as the subscription bounds count clients (subscription-executors.ts's key). */
export interface ClientIdentity {
  /** `user:<id>` from a verified token, else the same as `address`. */
  client: string;
  /** `address:<addressKey>`: where the request came from. */
  address: string;
}

export interface ReservationBounds {
  /** Event streams reserved (connected or not) per replica at most (SUBSCRIPTIONS_MAX). */
  maxOpen: number;
  /** Event streams reserved per client at most (SUBSCRIPTIONS_PER_CLIENT). */
  maxPerClient: number;
  /** How long a reservation waits for its stream before it is dropped. */
  reservationTimeoutMs: number;
  /** Operations running on one stream at most (subscriptions among them are held to the subscription bounds as well). */
  maxOperations: number;
  heartbeatMs: number;
  /** What may wait unsent on one stream (or, before it connects, for it) at most. */
  maxBufferedBytes: number;
}

/** One operation of a stream: its subscription, once open (a query has none). */
export interface StreamOperation {
  subscription?: FederatedSubscription;
}

/** What an idle stream sends so nothing on the way times it out: distinct connections mode's. */
const HEARTBEAT = SSE_FRAMING.heartbeat;

/**
 * One reservation of GraphQL over SSE's single connection mode: made by a PUT, fulfilled by at
 * most one event stream, on which every operation posted with its token sends its results. What
 * is sent before the stream connects waits for it, within the buffer bound. A reservation no
 * stream fulfils in time is dropped; its stream closing ends it and all its operations, and its
 * token is never usable again (a client reserves anew to reconnect).
 */
export class Reservation {
  readonly token = randomUUID();
  readonly operations = new Map<string, StreamOperation>();
  private response: Response | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly expiry: NodeJS.Timeout;
  private draining = false;
  private closed = false;

  constructor(
    readonly identity: ClientIdentity,
    private readonly bounds: ReservationBounds,
    private readonly onClose: (reservation: Reservation) => void,
  ) {
    this.expiry = setTimeout(() => this.close(), bounds.reservationTimeoutMs);
    this.expiry.unref();
  }

  get isConnected(): boolean {
    return this.response !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether more waits unsent than the bound allows: the stream is not read fast enough. */
  get isOverBound(): boolean {
    return (this.response ? this.response.writableLength : this.pendingBytes) > this.bounds.maxBufferedBytes;
  }

  /** Fulfils the reservation with its event stream: what waited goes out, then heartbeats. */
  connect(res: Response): void {
    clearTimeout(this.expiry);
    this.response = res;
    res.on('close', () => this.close());
    writeStreamHead(res, SSE_FRAMING.contentType);
    res.write(HEARTBEAT + this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    // Still past the bound one heartbeat later, the client reads nothing: cut off, which ends its operations.
    this.heartbeat = setInterval(() => (this.isOverBound ? res.destroy() : this.send(HEARTBEAT)), this.bounds.heartbeatMs);
    if (this.draining) this.finishIfIdle();
  }

  /** Takes `id` for a new operation; undefined when the stream is over or the id is in use. */
  add(id: string): StreamOperation | undefined {
    if (this.closed || this.draining || this.operations.has(id)) return undefined;
    const operation: StreamOperation = {};
    this.operations.set(id, operation);
    return operation;
  }

  /** Whether `operation` still runs as `id` (not stopped by its client, not ended with the stream). */
  holds(id: string, operation: StreamOperation): boolean {
    return this.operations.get(id) === operation;
  }

  /** Sends one message of `id`'s, if it still runs; past the buffer bound its subscription is dropped (SLOW_CONSUMER), its last event saying so. */
  send(text: string, id?: string, operation?: StreamOperation): void {
    if (this.closed || (operation && id !== undefined && !this.holds(id, operation))) return;
    if (this.response) {
      if (this.response.writableEnded || this.response.destroyed) return;
      this.response.write(text);
    } else {
      this.pending.push(text);
      this.pendingBytes += Buffer.byteLength(text);
    }
    if (this.isOverBound) operation?.subscription?.end('SLOW_CONSUMER');
  }

  /** `id`'s operation is over: it no longer counts against the stream. */
  finish(id: string, operation: StreamOperation): void {
    if (!this.holds(id, operation)) return;
    this.operations.delete(id);
    if (this.draining) this.finishIfIdle();
  }

  /** Its client stops `id` (DELETE): nothing more of it is sent. */
  stop(id: string): void {
    const operation = this.operations.get(id);
    if (!operation) return;
    this.operations.delete(id);
    operation.subscription?.close();
    if (this.draining) this.finishIfIdle();
  }

  /** The gateway stops: every subscription ends with SHUTTING_DOWN (its last event says so), then the stream ends once nothing runs on it. */
  drain(): void {
    this.draining = true;
    for (const operation of this.operations.values()) operation.subscription?.end('SHUTTING_DOWN');
    this.finishIfIdle();
  }

  private finishIfIdle(): void {
    if (this.operations.size > 0) return;
    if (!this.response) {
      this.close();
      return;
    }
    // Once: a client that does not read what is left is cut off a heartbeat later rather than held open.
    if (!this.response.writableEnded) endResponse(this.response, this.bounds.heartbeatMs);
  }

  /** Over: its stream closed, it expired unconnected, or its client was cut off. Every operation on it ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    clearInterval(this.heartbeat);
    const operations = [...this.operations.values()];
    this.operations.clear();
    for (const operation of operations) operation.subscription?.close();
    this.pending = [];
    // A stream that ended by itself has closed; one cut short (expiry, a slow reader) is destroyed.
    if (this.response && !this.response.writableEnded) this.response.destroy();
    this.onClose(this);
  }
}

/** Why a reservation is refused: this client holds its share, or the replica holds all it may. */
export class ReservationRefused extends Error {
  constructor(readonly reason: 'client' | 'replica') {
    super(`reservation refused: ${reason}`);
  }
}

/**
 * The reservations this replica holds, by token, within their bounds. A reservation holds a socket
 * (or will), as a distinct connection's subscription does, so it is bounded as one is: per client
 * (`maxPerClient`) and per replica (`maxOpen`), counted apart from the subscriptions it runs
 * (each of which takes its own place in the subscription bounds when it opens).
 */
export function sseReservations(bounds: ReservationBounds) {
  const byToken = new Map<string, Reservation>();
  const counts = openSubscriptionCounts({ maxOpen: bounds.maxOpen, maxPerClient: bounds.maxPerClient });
  let draining = false;
  return {
    /** A new reservation for `identity`; throws ReservationRefused past a bound (or while draining, as the replica's). */
    reserve(identity: ClientIdentity): Reservation {
      if (draining) throw new ReservationRefused('replica');
      let release: ReleasePlace;
      try {
        release = counts.take(identity.client);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw new ReservationRefused(error.extensions.reason === 'SUBSCRIPTIONS_FULL' ? 'replica' : 'client');
      }
      const reservation = new Reservation(identity, bounds, (closed) => {
        byToken.delete(closed.token);
        release();
      });
      byToken.set(reservation.token, reservation);
      return reservation;
    },
    find(token: string): Reservation | undefined {
      return byToken.get(token);
    },
    /** Ends every stream as the gateway stops: unconnected reservations at once, streams once their operations have sent their last events. */
    drain(): void {
      draining = true;
      for (const reservation of [...byToken.values()]) reservation.drain();
    },
    get size(): number {
      return byToken.size;
    },
  };
}

export type SseReservations = ReturnType<typeof sseReservations>;
