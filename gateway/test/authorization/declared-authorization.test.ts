import { HeaderMap, type GraphQLRequestListener } from '@apollo/server';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { Kind, parse, print, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import type { GatewayContext } from '../../src/context.js';
import { sha256Hex } from '../../src/sha256.js';
import { declaredAuthorization, type AuthorizationMode } from '../../src/authorization/declared-authorization.js';
import type { Policies } from '../../src/authorization/policies.js';
import { shop } from './fixture.js';
import { answerTo } from './world.js';

const logger = testLogger('declared-authorization');
const CUSTOMER: Viewer = { userId: 'u1', role: 'CUSTOMER', scopes: [] };
const ADMIN: Viewer = { userId: 'u9', role: 'ADMIN', scopes: ['users:admin', 'c', 'pii'] };

function gatewayAuthorization(mode: AuthorizationMode, policies: Policies = {}, declares = true) {
  return declaredAuthorization({ mode, policies, policyTimeoutMs: 100, logger, cacheBytes: 1 << 20, rulesOf: () => (declares ? shop.rules : undefined) });
}

interface Request {
  query: string;
  viewer?: Viewer;
  headers?: Record<string, string>;
  operationName?: string;
  variables?: Record<string, unknown>;
}

interface Served {
  /** What reject mode answered instead of running the operation. */
  refused?: { status: number | undefined; errors: readonly GraphQLFormattedError[] };
  /** What @apollo/gateway was asked to plan, and under which hash. */
  planned?: { document: DocumentNode; queryHash: string };
  data?: unknown;
  errors?: string[];
  cacheKey: string;
}

/**
 * One request through the plugin (as Apollo Server calls it) and, unless refused, the wrapped
 * executor, with @apollo/gateway's executor answering from the world. Each request parses its
 * own document, as Apollo Server does once its document cache no longer holds it.
 */
async function serve(authorization: ReturnType<typeof gatewayAuthorization>, request: Request): Promise<Served> {
  const document = parse(request.query);
  const contextValue: GatewayContext = { requestId: 'test', logger, clientAddress: '127.0.0.1', ...(request.viewer ? { viewer: request.viewer } : {}) };
  const graphqlRequest = {
    query: request.query,
    operationName: request.operationName,
    variables: request.variables,
    http: { method: 'POST', headers: new HeaderMap(Object.entries(request.headers ?? {})), search: '', body: {} },
  };
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const requestContext = { schema: shop.apiSchema, document, operation, request: graphqlRequest, queryHash: sha256Hex(request.query), contextValue, context: contextValue, logger };
  // The parts of Apollo Server's request context the plugin and the executor read.
  const listener = (await authorization.plugin.requestDidStart?.(requestContext as never)) as GraphQLRequestListener<GatewayContext>;
  await listener.didResolveOperation?.(requestContext as never);
  const response = await listener.responseForOperation?.(requestContext as never);
  const cacheKey = authorization.cacheKeyOf(requestContext);
  if (response) {
    const body = response.body as { kind: 'single'; singleResult: { errors: readonly GraphQLFormattedError[] } };
    return { refused: { status: response.http?.status, errors: body.singleResult.errors }, cacheKey };
  }
  let planned: Served['planned'];
  const execute: GatewayExecutor = async (context) => {
    planned = { document: context.document, queryHash: context.queryHash };
    return answerTo(context.document, request.variables, request.operationName);
  };
  // Apollo Server hands the executor a request object of its own (makeGatewayGraphQLRequestContext), and the context as `context`.
  const answer = await authorization.executor(execute)({ ...requestContext, request: { ...graphqlRequest }, contextValue: undefined } as never);
  const errors = answer.errors?.map((error) => `${(error.path ?? []).join('.')}: ${String(error.extensions?.code)}`);
  return { planned, data: answer.data, ...(errors ? { errors } : {}), cacheKey };
}

describe('declared authorization at the gateway (plugin and executor)', () => {
  it('plans the filtered document under its own hash, and completes the answer to the one sent', async () => {
    const authorization = gatewayAuthorization('filter');
    const served = await serve(authorization, { query: '{ public me { id } search { ... on Invoice { total } ... on User { name } } }' });
    expect(print(served.planned!.document)).toBe(print(parse('{ public search { ... on User { name } __typename } }')));
    expect(served.planned!.queryHash).toBe(sha256Hex(print(served.planned!.document)));
    expect(served.cacheKey).toBe(served.planned!.queryHash);
    expect(served.data).toEqual({ public: 'hello', me: null, search: [{ name: 'Ann' }, {}, { name: 'Bob' }, {}] });
    expect(served.errors).toEqual(['me: UNAUTHENTICATED', 'search.1: UNAUTHENTICATED', 'search.3: UNAUTHENTICATED']);
  });

  it('runs an allowed request untouched, and keys its shared answers by nothing more', async () => {
    const authorization = gatewayAuthorization('filter');
    const query = '{ public me { id } }';
    const served = await serve(authorization, { query, viewer: CUSTOMER });
    expect(print(served.planned!.document)).toBe(print(parse(query)));
    expect(served.planned!.queryHash).toBe(sha256Hex(query));
    expect(served.cacheKey).toBe('');
    expect(served.errors).toBeUndefined();
  });

  it('does nothing for a supergraph that declares no authorization', async () => {
    const served = await serve(gatewayAuthorization('reject', {}, false), { query: '{ me { id } }' });
    expect(served.refused).toBeUndefined();
    expect(served.data).toEqual({ me: { id: 'u1' } });
  });

  it('completes each request by its own outcome, whichever parse of the document it holds', async () => {
    const authorization = gatewayAuthorization('filter');
    const query = '{ users { name email profile { bio } } }';
    // The same text three times, each parsed anew (a document cache that has dropped it), the outcome cached.
    for (let time = 0; time < 3; time++) {
      const served = await serve(authorization, { query });
      expect(served.data).toEqual({ users: [{ name: 'Ann', email: null, profile: { bio: 'hi' } }, { name: 'Bob', email: null, profile: { bio: 'yo' } }] });
      expect(served.errors).toEqual(['users.0.email: UNAUTHENTICATED', 'users.1.email: UNAUTHENTICATED']);
    }
    expect((await serve(authorization, { query, viewer: CUSTOMER })).errors).toBeUndefined();
  });

  it("decides by the supergraph's scopes only: others in a token change neither the outcome nor the key", async () => {
    const authorization = gatewayAuthorization('filter');
    const query = '{ admin users { profile { ssn } } }';
    const plain = await serve(authorization, { query, viewer: { ...ADMIN, scopes: ['c', 'pii'] } });
    const more = await serve(authorization, { query, viewer: ADMIN });
    expect(plain.errors).toBeUndefined();
    expect(more.cacheKey).toBe(plain.cacheKey);
    const fewer = await serve(authorization, { query, viewer: { ...ADMIN, scopes: ['users:admin', 'c'] } });
    expect(fewer.errors).toEqual(['users.0.profile.ssn: FORBIDDEN']);
    expect(fewer.data).toBeNull(); // through Profile.ssn: String!, Profile!, User! and [User!]!
  });

  it('asks the policies with the request, and keys the outcome by what they granted', async () => {
    const authorization = gatewayAuthorization('filter', { flag: (request) => request.headers.get('x-flag') === 'on' });
    const query = '{ public flagged }';
    const granted = await serve(authorization, { query, headers: { 'x-flag': 'on' } });
    expect(granted.data).toEqual({ public: 'hello', flagged: 'flag' });
    const denied = await serve(authorization, { query, headers: { 'x-flag': 'off' } });
    expect(denied.data).toEqual({ public: 'hello', flagged: null });
    expect(denied.errors).toEqual(['flagged: UNAUTHENTICATED']);
    expect(denied.cacheKey).not.toBe(granted.cacheKey);
    // Asked again for each request: a cached outcome does not stand for a decision.
    expect((await serve(authorization, { query, headers: { 'x-flag': 'on' } })).errors).toBeUndefined();
  });

  it('refuses a mutation whose root field is denied even in filter mode, so none of its other fields writes', async () => {
    const served = await serve(gatewayAuthorization('filter'), { query: 'mutation { publicAction adminAction }', viewer: CUSTOMER });
    expect(served.refused).toEqual({ status: 403, errors: [{ message: 'Not allowed to read Mutation.adminAction', path: ['adminAction'], extensions: { code: 'FORBIDDEN' } }] });
    expect(served.planned).toBeUndefined();
    // A denied field inside a mutation's answer is only nulled; a query with a denied root field runs the rest.
    expect((await serve(gatewayAuthorization('filter'), { query: '{ admin public }', viewer: CUSTOMER })).refused).toBeUndefined();
  });

  describe('reject mode', () => {
    it('refuses an anonymous request with any denial: 401, one error per denied selection, no data', async () => {
      const authorization = gatewayAuthorization('reject');
      const served = await serve(authorization, { query: '{ public users { a: email profile { ssn } } search { ... on Invoice { id } } }' });
      expect(served.planned).toBeUndefined();
      expect(served.refused?.status).toBe(401);
      expect(served.refused?.errors).toEqual([
        { message: 'Sign in to read User.email', path: ['users', 'a'], extensions: { code: 'UNAUTHENTICATED' } },
        { message: 'Sign in to read Profile.ssn', path: ['users', 'profile', 'ssn'], extensions: { code: 'UNAUTHENTICATED' } },
        { message: 'Sign in to read Invoice', path: ['search'], extensions: { code: 'UNAUTHENTICATED' } },
      ]);
    });

    it('refuses a signed-in request with 403 and FORBIDDEN', async () => {
      const served = await serve(gatewayAuthorization('reject'), { query: '{ admin public }', viewer: CUSTOMER });
      expect(served.refused).toEqual({ status: 403, errors: [{ message: 'Not allowed to read Query.admin', path: ['admin'], extensions: { code: 'FORBIDDEN' } }] });
    });

    it('runs an operation with nothing denied', async () => {
      const served = await serve(gatewayAuthorization('reject'), { query: '{ admin public }', viewer: ADMIN });
      expect(served.refused).toBeUndefined();
      expect(served.data).toEqual({ admin: 'root', public: 'hello' });
    });
  });
});
