import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { connectionAuthorization, messageExchange } from '../../src/subscriptions/websocket-request.js';

/** An upgrade request as Node hands it over: headers, URL, and the socket its peer address is read from. */
function upgrade(headers: Record<string, string>, remoteAddress = '10.0.0.7'): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
  return { headers, url: '/graphql', method: 'GET', socket } as unknown as IncomingMessage;
}

describe('messageExchange', () => {
  it("makes each message a POST of the app with the connection's token as its Authorization, not the upgrade's", () => {
    const app = express();
    const { req, res } = messageExchange(app, upgrade({ authorization: 'Bearer from-upgrade', 'x-forwarded-for': '203.0.113.9', traceparent: 'tp' }), 'Bearer from-init');
    expect(req.method).toBe('POST');
    expect(req.get('authorization')).toBe('Bearer from-init');
    expect(req.get('traceparent')).toBe('tp');
    expect(typeof res.locals.requestId).toBe('string');
    const anonymous = messageExchange(app, upgrade({ authorization: 'Bearer from-upgrade' }), undefined);
    expect(anonymous.req.get('authorization')).toBeUndefined();
    expect(anonymous.res.locals.requestId).not.toBe(res.locals.requestId);
  });

  it("derives the client's address as Express does for a request, under the trusted-proxy setting", () => {
    const app = express();
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    expect(messageExchange(app, upgrade(headers), undefined).req.ip).toBe('10.0.0.7');
    app.set('trust proxy', 1);
    expect(messageExchange(app, upgrade(headers), undefined).req.ip).toBe('203.0.113.9');
  });
});

describe('connectionAuthorization', () => {
  it('reads `authorization` or `Authorization` from connection_init, and refuses one that is not a string', () => {
    expect(connectionAuthorization({ authorization: 'Bearer a' })).toEqual({ authorization: 'Bearer a' });
    expect(connectionAuthorization({ Authorization: 'Bearer b' })).toEqual({ authorization: 'Bearer b' });
    expect(connectionAuthorization(undefined)).toEqual({});
    expect(connectionAuthorization({ authorization: '' })).toEqual({});
    expect(connectionAuthorization({ authorization: ['Bearer a'] })).toBe('malformed');
  });
});
