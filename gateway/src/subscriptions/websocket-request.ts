import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Express, Request, Response } from 'express';

/**
 * One graphql-ws message as an Express request and response of this app, so it passes the same
 * code as an HTTP request to /graphql: the operation runner, the context (viewerOf, the client
 * address under the trusted-proxy setting, the trace context) and the request rate limit all read
 * an Express request. It is the socket's upgrade request (its headers, its socket, so `req.ip` is
 * derived as for any request) with the token of the socket's `connection_init` as its
 * Authorization: a browser cannot set that header on a WebSocket upgrade, so graphql-ws clients
 * send it in the payload. Each message gets a request id of its own for its log lines and spans.
 */
export function messageExchange(app: Express, upgrade: IncomingMessage, authorization: string | undefined): { req: Request; res: Response } {
  const { authorization: _upgradeAuthorization, ...headers } = upgrade.headers;
  // A prototype of Express's own (as express.json and the router see requests); Object.create types it loosely.
  const req = Object.create(app.request) as Request;
  Object.assign(req, {
    headers: authorization ? { ...headers, authorization } : headers,
    // Sent as a POST of JSON would be: over a socket a mutation is as deliberate as a POST's.
    method: 'POST',
    url: upgrade.url ?? '/graphql',
    socket: upgrade.socket,
  });
  const res = Object.create(app.response) as Response;
  Object.assign(res, { locals: { requestId: randomUUID() } });
  return { req, res };
}

/** The token a graphql-ws client sends in `connection_init`: `{ authorization }` (or `Authorization`), a string when present. */
export function connectionAuthorization(payload: Readonly<Record<string, unknown>> | undefined): { authorization?: string } | 'malformed' {
  const value = payload?.authorization ?? payload?.Authorization;
  if (value === undefined || value === null || value === '') return {};
  return typeof value === 'string' ? { authorization: value } : 'malformed';
}
