import { buildOperationContext } from '@apollo/gateway';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { trace } from '@opentelemetry/api';
import { getVariableValues } from 'graphql/execution/values.js';
import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { DependencyUnavailable, ServiceUnavailableError, type Logger } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { forwardedHeaders } from '../subgraph-data-source.js';
import { committedAtOf, eventIdOf, executeEvent, type EventExecution } from './event-execution.js';
import { formatEvent } from './event-format.js';
import type { ReleasePlace } from './open-subscription-counts.js';
import { streamEndError, type StreamEndReason } from './stream-ends.js';
import { SubgraphRefusal, type SubgraphStream, type SubgraphStreams } from './subgraph-stream.js';
import { subscriptionPlannerOf } from './subscription-planner.js';
import type { SubscriptionMetrics } from './subscription-metrics.js';

const tracer = trace.getTracer('@shop/gateway');

/**
 * The event a reconnecting client resumes after: the `Last-Event-ID` an EventSource sends back
 * (the id of the last event it got, from the SSE `id:` field), passed to the subgraph's stream,
 * which resumes after it when the operation gives no cursor argument (as orders does). Only an id
 * of the shape the gateway sends (eventIdOf) is passed on.
 */
function resumptionHeaders(request: GatewayGraphQLRequestContext['request']): Record<string, string> {
  const lastEventId = request.http?.headers.get('last-event-id') ?? undefined;
  return eventIdOf({ extensions: { eventId: lastEventId } }) === undefined ? {} : { 'last-event-id': lastEventId! };
}

/**
 * What an open subscription keeps of its request for its events: all of it but Apollo Server's
 * response and metrics, whose accessors hold Apollo's whole request (its headers, body and
 * response), kilobytes that thousands of idle subscriptions would keep for nothing. The context
 * object stays the same: the executors find the subscription, and declared authorization its
 * outcome, by it.
 */
function heldForEvents(requestContext: GatewayGraphQLRequestContext<GatewayContext>): GatewayGraphQLRequestContext<GatewayContext> {
  return { ...requestContext, response: { http: { headers: new Headers() } }, metrics: {} };
}

/** Why a subscription is over: a stream-end reason, the subgraph completed it, the client left, or it failed. */
type Finish = StreamEndReason | 'complete' | 'client_closed' | 'failed';

export interface FederatedSubscriptionDeps {
  /** The served supergraph behind a schema (reloadable-gateway.ts). */
  federationOf: (schema: GatewayGraphQLRequestContext['schema']) => FederatedSupergraph | undefined;
  streams: SubgraphStreams;
  metrics: SubscriptionMetrics;
  /** Its place among the open subscriptions, given back when it is over. */
  release: ReleasePlace;
  /** Told once it is open (so reloads, shutdown and ended sessions can end it) and once it is over. */
  onOpen: (subscription: FederatedSubscription, federation: FederatedSupergraph) => void;
  onFinish: (subscription: FederatedSubscription) => void;
}

/**
 * One client's subscription through the gateway, run by the gateway's executors (see
 * subscription-executors.ts): `step` is the innermost executor for it, called through declared
 * authorization like any operation: first to open it (plan, check the variables, open the primary
 * subscription on its subgraph), then once per event (the rest of the plan); `events` calls the
 * executor chain once per event and yields each answer formatted for the client, then, when the
 * gateway ended it, the error saying why. Its client's transport reads `events` and calls `close`
 * when the client goes away.
 */
export class FederatedSubscription {
  private stream: SubgraphStream | undefined;
  private execution: EventExecution | undefined;
  private finish: Finish | undefined;
  /** When the event being answered reached the gateway (performance.now()). */
  private lastReceivedAt: number | undefined;
  /** When the change the event being answered announces was committed (ms since the epoch), if its subgraph said. */
  private lastCommittedAt: number | undefined;
  /** The last result, when the gateway ended it (or it failed): the gateway's own word, not an event. */
  private closingEvent: FormattedExecutionResult | undefined;

  constructor(
    /** The request as Apollo Server handed it to the gateway's executor: each event runs it again (once open, its heldForEvents copy). */
    private requestContext: GatewayGraphQLRequestContext<GatewayContext>,
    /** The executor chain beneath the one that opened it (declared authorization, then `step`). */
    private readonly execute: GatewayExecutor,
    private readonly deps: FederatedSubscriptionDeps,
  ) {}

  /** The token it was opened with, checked again while it is open (session-watch.ts). */
  get authorization(): string | undefined {
    return this.requestContext.context.authorization;
  }

  get isOpen(): boolean {
    return this.stream !== undefined && this.finish === undefined;
  }

  private get logger(): Logger {
    return this.requestContext.context.logger;
  }

  /** The innermost executor for this subscription: opens it on its first call, answers its next event on every later one. */
  step(requestContext: GatewayGraphQLRequestContext<GatewayContext>): Promise<GatewayExecutionResult> {
    return this.execution ? this.nextEvent() : this.open(requestContext);
  }

  /** The answers to its events, for its client, until it is over; the last says why when the gateway ended it. */
  async *events(): AsyncGenerator<FormattedExecutionResult, void, undefined> {
    try {
      while (this.finish === undefined) {
        let result: GatewayExecutionResult;
        try {
          // The whole chain, as for a query: declared authorization completes each event against the client's document.
          result = await this.execute(this.requestContext);
        } catch (error) {
          // Masked and logged once, with the request's logger, as any unexpected error is; the subscription is over.
          this.end('failed');
          yield this.closing({ errors: [error instanceof GraphQLError ? error : new GraphQLError('subscription event failed', { originalError: error instanceof Error ? error : undefined })] });
          return;
        }
        const { lastReceivedAt: startedAt, lastCommittedAt: committedAt } = this;
        if (result.data !== undefined || result.errors) {
          yield formatEvent(result, this.logger);
          this.deps.metrics.events.inc({ outcome: result.errors ? 'error' : 'data' });
          if (startedAt !== undefined) this.deps.metrics.eventSeconds.observe((performance.now() - startedAt) / 1000);
          // Wall clocks of two hosts: a commit that seems to come after its delivery is skew, counted as 0.
          if (committedAt !== undefined) this.deps.metrics.commitToDeliverySeconds.observe(Math.max(0, Date.now() - committedAt) / 1000);
        }
      }
      const { finish } = this;
      if (finish !== 'complete' && finish !== 'client_closed' && finish !== 'failed') yield this.closing({ errors: [streamEndError(finish)] });
    } finally {
      // A transport that stops reading (its client left) ends it here too.
      this.end('client_closed');
    }
  }

  /**
   * Whether `result` (one `events` yielded) is the gateway's word on why it ended the subscription
   * rather than an event of it: a transport whose protocol tells the two apart (Apollo's multipart
   * sends the first as a transport-level error) asks.
   */
  isClosingEvent(result: FormattedExecutionResult): boolean {
    return result === this.closingEvent;
  }

  private closing(result: GatewayExecutionResult): FormattedExecutionResult {
    this.closingEvent = formatEvent(result, this.logger);
    return this.closingEvent;
  }

  /** Ends it for `reason` (a reload, shutdown, an ended session, a slow consumer): the client's last event says why. Only the first reason counts. */
  end(reason: Finish): void {
    if (this.finish !== undefined) return;
    this.finish = reason;
    this.stream?.close();
    this.deps.release();
    if (this.execution) {
      this.deps.metrics.active.dec();
      this.deps.metrics.ended.inc({ reason });
      this.deps.onFinish(this);
    }
  }

  /** Its client left: nothing more is sent. */
  close(): void {
    this.end('client_closed');
  }

  private async open(requestContext: GatewayGraphQLRequestContext<GatewayContext>): Promise<GatewayExecutionResult> {
    const { context, schema, document, request, queryHash } = requestContext;
    const federation = this.deps.federationOf(schema);
    // Apollo Server hands back the schema it was given; anything else is a bug to see, not to paper over.
    if (!federation) throw new Error('a subscription arrived on a schema no loaded supergraph made');
    try {
      const planner = subscriptionPlannerOf(federation);
      const plan = planner.plan(document, request.operationName, queryHash, federation.overrideLabelsOn(context));
      const operationContext = buildOperationContext({ schema, operationDocument: document, ...(request.operationName ? { operationName: request.operationName } : {}) });
      // Apollo Server leaves variables to the gateway's executor; @apollo/gateway checks them as this does.
      const { errors } = getVariableValues(schema, operationContext.operation.variableDefinitions ?? [], request.variables ?? {});
      if (errors) return { errors };
      const subgraph = plan.primary.serviceName;
      const url = federation.subgraphs.get(subgraph);
      if (!url) throw new Error(`the supergraph routes no subgraph ${subgraph}`);
      const variables = Object.fromEntries((plan.primary.variableUsages ?? []).filter((name) => request.variables?.[name] !== undefined).map((name) => [name, request.variables?.[name]]));
      const stream = await this.deps.streams.open({ subgraph, url, headers: { ...forwardedHeaders(context), ...resumptionHeaders(request) }, query: plan.primary.operation, variables, operationName: plan.primary.operationName });
      // A reload or a shutdown may have come while it opened.
      if (this.finish !== undefined || federation.retired.aborted) {
        stream.close();
        return { errors: [streamEndError(federation.retired.reason === 'stopped' ? 'SHUTTING_DOWN' : 'SUPERGRAPH_RELOADED')] };
      }
      this.stream = stream;
      const held = heldForEvents(requestContext);
      // The chain may have handed `step` the request it was given, or a copy of its own (declared authorization's, with the authorized document).
      this.requestContext = requestContext === this.requestContext ? held : heldForEvents(this.requestContext);
      this.execution = { plan, planner, dataSources: federation.dataSources, requestContext: held, operationContext };
      this.deps.metrics.active.inc();
      this.deps.onOpen(this, federation);
      return {};
    } catch (error) {
      if (error instanceof SubgraphRefusal) {
        return { errors: error.errors.map((refusal) => new GraphQLError(refusal.message, { ...(refusal.path ? { path: refusal.path } : {}), extensions: { ...refusal.extensions, serviceName: error.subgraph } })) };
      }
      if (error instanceof DependencyUnavailable) {
        this.logger.warn({ reason: error.message, err: error.cause }, 'subgraph unavailable: subscription refused with SERVICE_UNAVAILABLE');
        return { errors: [new ServiceUnavailableError()] };
      }
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
  }

  private async nextEvent(): Promise<GatewayExecutionResult> {
    const { execution, stream } = this;
    if (!execution || !stream || this.finish !== undefined) return {};
    const event = await stream.next();
    switch (event.kind) {
      case 'result': {
        this.lastReceivedAt = event.receivedAt;
        this.lastCommittedAt = committedAtOf(event.result);
        const { primary } = execution.plan;
        return tracer.startActiveSpan(
          'gateway.subscription.event',
          { attributes: { 'graphql.operation.name': execution.requestContext.operationName ?? '', 'graphql.operation.type': 'subscription', 'shop.subgraph': primary.serviceName } },
          async (span) => {
            try {
              return await executeEvent(execution, { ...event.result });
            } finally {
              span.end();
            }
          },
        );
      }
      case 'complete':
        this.end('complete');
        return {};
      case 'lost':
        this.logger.warn({ subgraph: execution.plan.primary.serviceName, err: event.error }, 'subgraph subscription lost');
        this.end('SUBGRAPH_STREAM_LOST');
        return {};
      case 'overflow':
        this.logger.warn({ subgraph: execution.plan.primary.serviceName }, 'subscription events waited past their bound: dropped as a slow consumer');
        this.end('SLOW_CONSUMER');
        return {};
    }
  }
}
