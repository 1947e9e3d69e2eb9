import type { ServiceContext, Viewer } from '@shop/service-kit';

/** What the gateway forwards to every subgraph call of a request. */
export interface GatewayContext extends ServiceContext {
  /** The client's verified `Authorization` header; subgraphs check it again. */
  authorization?: string;
  /**
   * The client's W3C trace context, passed on unchanged while the gateway does not trace; when it
   * does, OpenTelemetry's propagator writes each subgraph call's own instead.
   */
  traceContext?: { traceparent: string; tracestate?: string };
  /** The client's address, as Express derives it under the trusted-proxy setting (rate limits). */
  clientAddress: string;
  /** The signed-in user, from the verified token (rate limits of password checks); absent when anonymous. */
  userId?: string;
  /** Who the verified token names, with its role and scopes (declared authorization, policies); absent when anonymous. */
  viewer?: Viewer;
}
