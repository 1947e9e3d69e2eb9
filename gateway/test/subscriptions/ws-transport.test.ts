import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import express from 'express';
import type { FormattedExecutionResult } from 'graphql';
import WebSocket from 'ws';
import type { FederatedSubscription } from '../../src/subscriptions/federated-subscription.js';
import type { OperationRunner, WholeOrSubscription } from '../../src/subscriptions/operation-runner.js';
import { graphqlOverWebSocket, type WebSocketTransport } from '../../src/subscriptions/ws-transport.js';
import { eventually } from '../../../test/support/poll.js';
import { capturingLogger } from '../../../test/support/logger.js';

/** A subscription stand-in: yields `count` events of `size` characters as fast as they are taken, until it is ended. */
function fakeSubscription(count: number, size = 16) {
  const ended: string[] = [];
  let started = false;
  const subscription = {
    ended,
    get started() {
      return started;
    },
    async *events(): AsyncGenerator<FormattedExecutionResult> {
      started = true;
      const filler = 'x'.repeat(size);
      for (let index = 0; index < count && ended.length === 0; index += 1) yield { data: { filler, index } };
      // Waits for its end, as an open subscription does between events; then says why, as FederatedSubscription does.
      while (ended.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      if (ended[0] !== 'client_closed') yield { errors: [{ message: 'ended', extensions: { code: 'RATE_LIMITED', reason: ended[0] } }] };
    },
    end(reason: string) {
      if (ended.length === 0) ended.push(reason);
    },
    close() {
      if (ended.length === 0) ended.push('client_closed');
    },
  };
  return subscription;
}

/** A graphql-transport-ws client by hand, so the test decides when it reads. */
async function connect(base: string) {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await eventually(async () => messages.some((message) => message.type === 'connection_ack'), 'the connection is acknowledged');
  return { socket, messages, subscribe: (id: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { s }' } })) };
}

describe('graphqlOverWebSocket', () => {
  let server: Server;
  let base: string;
  let transport: WebSocketTransport;
  let answers: (() => WholeOrSubscription)[] = [];
  const logged = capturingLogger();
  const run: OperationRunner = async () => answers.shift()!();
  // The stand-in has what the transport uses of a FederatedSubscription.
  const opened = (subscription: ReturnType<typeof fakeSubscription>): WholeOrSubscription => ({ kind: 'subscription', subscription: subscription as unknown as FederatedSubscription });

  beforeAll(async () => {
    server = createServer();
    transport = graphqlOverWebSocket(server, {
      app: express(),
      run,
      verifyAuthorization: async () => undefined,
      admit: async () => undefined,
      allowedOrigins: true,
      maxPayloadBytes: 10_000,
      keepAliveMs: 300,
      maxBufferedBytes: 16 * 1024,
      logger: logged.logger,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a query once, then complete; streams events; says why the server ended a stream, then complete', async () => {
    const stream = fakeSubscription(2);
    answers = [() => ({ kind: 'single', body: '{"data":{"ok":true}}' }), () => opened(stream)];
    const client = await connect(base);
    client.subscribe('q');
    client.subscribe('s');
    await eventually(async () => client.messages.filter((message) => message.id === 's' && message.type === 'next').length === 2, 'both events arrive');
    stream.end('SUPERGRAPH_RELOADED');
    await eventually(async () => client.messages.some((message) => message.id === 's' && message.type === 'complete'), 'the stream completes');
    const of = (id: string) => client.messages.filter((message) => message.id === id).map(({ type, payload }) => [type, payload]);
    expect(of('q')).toEqual([['next', { data: { ok: true } }], ['complete', undefined]]);
    expect(of('s').at(-2)).toEqual(['next', { errors: [{ message: 'ended', extensions: { code: 'RATE_LIMITED', reason: 'SUPERGRAPH_RELOADED' } }] }]);
    client.socket.close();
  });

  it('closes a subscription its client completes, or whose socket closes, even before its first event was taken', async () => {
    const completed = fakeSubscription(0);
    const left = fakeSubscription(0);
    answers = [() => opened(completed), () => opened(left)];
    const client = await connect(base);
    client.subscribe('a');
    client.socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    await eventually(async () => completed.ended.length > 0, 'the completed one is closed');
    expect(completed.ended).toEqual(['client_closed']);
    client.subscribe('b');
    await eventually(async () => answers.length === 0, 'the second is opened');
    client.socket.terminate();
    await eventually(async () => left.ended.length > 0, 'the one whose socket closed is closed');
    expect(left.ended).toEqual(['client_closed']);
  });

  it("closes a socket whose message is past the limit with 1009, logging the client's error once with its code, not to the console", async () => {
    const consoleError = vi.spyOn(console, 'error');
    try {
      const client = await connect(base);
      const closed = new Promise<number>((resolve) => client.socket.once('close', resolve));
      client.socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `subscription { s } # ${'x'.repeat(10_000)}` } }));
      expect(await closed).toBe(1009);
      await eventually(async () => logged.lines.some((line) => line.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'), 'the error is logged');
      expect(logged.lines.filter((line) => line.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).toMatchObject([{ level: 30, msg: 'a WebSocket closed on an error of its client' }]);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });

  // What bounds a socket that is not read: graphql-ws awaits each send, so its events wait in the
  // subgraph stream (whose own bound drops them), and the socket is closed at its first missed ping.
  it('closes a socket that is not read once it misses a ping, and its subscriptions with it', async () => {
    const idle = fakeSubscription(0);
    answers = [() => opened(idle)];
    const client = await connect(base);
    client.subscribe('idle');
    await eventually(async () => answers.length === 0, 'the subscription is opened');
    client.socket.pause();
    await eventually(async () => idle.ended.length > 0, 'the socket is closed after a missed ping', { timeoutMs: 10_000 });
    expect(idle.ended).toEqual(['client_closed']);
    client.socket.terminate();
  });
});
