import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '@shop/service-kit';

/** What graphql-ws hands each callback about a socket: the socket and the upgrade request. */
export interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

/**
 * graphql-ws's protocol server (`makeServer`, its documented way to run on a socket library) on
 * `ws`, as its own `useServer` does it, but with the gateway's logger: `useServer` writes every
 * socket error to the console, and the commonest is a client's, a message past the body limit
 * (ws closes the socket with 1009 itself). Here a socket's error is logged once with its code,
 * at info, since the client caused it; the socket is closed 1011 if ws has not closed it already.
 * Idle sockets are pinged every `keepAliveMs`, and one whose pong does not come within as long
 * is cut off (a dead peer holds no subscription).
 */
export function serveGraphqlWs<Connection extends Record<PropertyKey, unknown>>(
  options: ServerOptions<Record<string, unknown> | undefined, SocketExtra & Partial<Connection>>,
  wss: WebSocketServer,
  keepAliveMs: number,
  logger: Logger,
) {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => logger.error({ err: error }, 'the WebSocket server failed'));
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.once('error', (error: Error & { code?: string }) => {
      logger.info({ err: error, code: error.code }, 'a WebSocket closed on an error of its client');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    let pongWait: NodeJS.Timeout | undefined;
    const pings = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) {
              resolve();
              return;
            }
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(textOf(data)).catch((error: unknown) => {
              // The gateway's callbacks answer every refusal themselves: what reaches here is a bug, logged once.
              logger.error({ err: error }, 'a graphql-ws message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      // The connection's own fields (Connection) are set by the callbacks, from connection_init on.
      { socket, request } as SocketExtra & Partial<Connection>,
    );
    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pings);
      void closed(code, String(reason));
    });
  });
  return {
    /** Closes every socket (1001 Going away), then the server. */
    dispose: async (): Promise<void> => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A message's text: ws hands a text frame over as a Buffer (an array of them when fragmented, an ArrayBuffer when so configured). */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
