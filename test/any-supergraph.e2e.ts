import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway } from '@apollo/gateway';
import { gatewayService } from '../scripts/services.js';
import { startLibrarySubgraphs, type LibrarySubgraphs } from './support/library-subgraphs.js';
import { eventually } from './support/poll.js';
import { capturingLogger } from './support/logger.js';
import { signToken } from './support/tokens.js';
import { GUARDED_SCHEMAS, GUARDED_SUBGRAPHS } from './support/guarded-library.js';
import { composeSubgraphs } from '../scripts/supergraph.js';
import type { Logger } from '@shop/service-kit';

type Answer = { data?: unknown; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] };
type Gateway = Awaited<ReturnType<typeof gatewayService.create>>;

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

async function post(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; answer: Answer }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, answer: (await response.json()) as Answer };
}

/** What two gateways must agree on: the data, and where each error is (messages and codes are each gateway's own). */
const comparable = ({ data, errors }: Answer) => ({ data, errorPaths: (errors ?? []).map((error) => error.path ?? null) });

/** Queries that make the planner work: every subgraph, entity interfaces, a union, @requires, @provides, failing fields. */
const QUERIES: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: 'a subgraph named users, behind a path', query: '{ readers { id name email } }' },
  { name: 'an entity interface, with an @interfaceObject field', query: '{ items { __typename id title timesBorrowed ... on Book { pages } ... on Film { minutes } } }' },
  {
    name: 'a union whose members gain fields in two other subgraphs, @requires among them',
    query: '{ search(term: "the") { __typename ... on Book { title postage reviews { rating author { name email } } } ... on Film { title reviews { body } } } }',
  },
  { name: '@provides, and an interface across subgraphs', query: '{ loans { id dueInDays reader { name } item { __typename title ... on Book { pages } } } }' },
  { name: 'from orders to users and back', query: '{ loans { reader { email loans { id item { id } } } } }' },
  { name: 'a field that fails, with variables', query: 'query Loan($id: ID!) { loan(id: $id) { id note overdueFine reader { name } } }', variables: { id: 'l2' } },
  { name: 'nulls for what does not exist', query: '{ item(id: "none") { id } reader(id: "none") { name } }' },
  { name: 'aliases and fragments', query: '{ a: items { ...itemFields } b: search(term: "long") { ... on Film { id minutes } } } fragment itemFields on Item { id title }' },
  { name: 'a non-resolvable entity stub resolved by its owner', query: '{ topReview { rating body author { name } } }' },
  { name: 'a mutation across subgraphs', query: 'mutation { setNote(loanId: "l1", note: "renewed") { id note reader { email } item { title } } }' },
];

/** Our gateway as `npm start` builds it, from nothing but these variables (no subgraph URL among them). */
async function startGateway(env: Record<string, string>, logger = capturingLogger().logger): Promise<{ gateway: Gateway; url: string }> {
  const config = await gatewayService.loadConfig({ NODE_ENV: 'test', METRICS_PORT: '0', RATE_LIMIT_REQUESTS: '1000000', ...env });
  const gateway = await gatewayService.create(config, logger);
  return { gateway, url: await gateway.listen(0, '127.0.0.1') };
}

/** Replaces the file at once, as `npm run compose`, an editor or a ConfigMap update does. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.next`, text);
  await rename(`${path}.next`, path);
}

async function servedHash(url: string): Promise<string | undefined> {
  const ready = (await (await fetch(`${url}/ready`)).json()) as { supergraph?: { hash: string } };
  return ready.supergraph?.hash;
}


describe('the gateway on a supergraph that is not the shop', () => {
  let library: LibrarySubgraphs;
  let dir: string;
  let full: string;
  let withoutReviews: string;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    library = await startLibrarySubgraphs();
    stops.push(() => library.close());
    dir = await mkdtemp(join(tmpdir(), 'shop-supergraph-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    full = library.supergraph();
    withoutReviews = library.supergraph(['users', 'products', 'orders']);
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  /** A gateway serving `text` from a file of its own. */
  async function gatewayOn(text: string, name: string, logger?: Logger) {
    const path = join(dir, `${name}.graphql`);
    await writeFile(path, text);
    const started = await startGateway({ SUPERGRAPH_PATH: path }, logger);
    stops.push(() => started.gateway.stop());
    return { ...started, path };
  }

  it("answers as stock @apollo/gateway does, routing each subgraph to the supergraph's URL, path and query string included", async () => {
    const ours = await gatewayOn(full, 'compared');
    const stock = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: full }) });
    const { url: stockUrl } = await startStandaloneServer(stock, { listen: { port: 0, host: '127.0.0.1' } });
    stops.push(() => stock.stop());

    expect(Object.fromEntries(ours.gateway.servedSupergraph()!.subgraphs)).toEqual(library.urls);
    for (const { name, query, variables } of QUERIES) {
      const [mine, theirs] = await Promise.all([post(ours.url, query, variables), post(stockUrl.replace(/\/$/, ''), query, variables)]);
      expect(mine.status, name).toBe(200);
      expect(comparable(mine.answer), name).toEqual(comparable(theirs.answer));
      // Not vacuous: each query reaches data.
      expect(mine.answer.data, name).toBeTruthy();
    }
  });

  it('swaps a changed supergraph file under load with no failed request, and says which it serves', async () => {
    const { url, path } = await gatewayOn(withoutReviews, 'under-load');
    expect(await servedHash(url)).toBe(hashOf(withoutReviews));
    const query = '{ loans { id reader { name } item { title timesBorrowed } } }';
    const expected = (await post(url, query)).answer;
    expect(expected.errors).toBeUndefined();

    let loading = true;
    const failures: unknown[] = [];
    let answered = 0;
    const client = async () => {
      while (loading) {
        try {
          const { status, answer } = await post(url, query);
          if (status !== 200 || JSON.stringify(answer) !== JSON.stringify(expected)) failures.push({ status, answer });
          answered += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await sleep(300);
    await replaceFile(path, full);
    await eventually(async () => (await servedHash(url)) === hashOf(full), 'the new supergraph is served', { intervalMs: 50 });
    await sleep(300);
    loading = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(20);
    // The new subgraph's fields are served at once.
    const { answer } = await post(url, '{ topReview { rating author { name } } }');
    expect(answer).toEqual({ data: { topReview: { rating: 5, author: { name: 'Brian' } } } });
  });

  it('finishes a request in flight on the supergraph it started on', async () => {
    const { url, path, gateway } = await gatewayOn(full, 'in-flight');
    const started = library.slowReviewsStarted();
    const slow = post(url, '{ items { id ... on Book { reviews(delayMs: 1000) { rating } } } }');
    await started;
    await replaceFile(path, withoutReviews);
    await gateway.reloadSupergraph();
    expect(await servedHash(url)).toBe(hashOf(withoutReviews));
    // New requests get the new supergraph, where reviews no longer exist...
    const refused = await post(url, '{ items { id ... on Book { reviews { rating } } } }');
    expect(refused.answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // ...and the one already running finishes on the old one, with everything it asked for.
    const { status, answer } = await slow;
    expect(status).toBe(200);
    expect(answer).toEqual({ data: { items: [{ id: 'b1', reviews: [{ rating: 5 }, { rating: 4 }] }, { id: 'b2', reviews: [] }, { id: 'f1' }] } });
  });

  it('refuses a file that does not parse or is no valid supergraph with one log line, and keeps serving the old one', async () => {
    const { logger, lines } = capturingLogger();
    const { url, path, gateway } = await gatewayOn(withoutReviews, 'refused', logger);
    const query = '{ readers { name } }';
    const before = await post(url, query);
    for (const broken of ['type Query {', 'type Query { hello: String }', full.replace('@join__graph(name: "users"', '@join__graph(name: "')]) {
      const logged = lines.length;
      await replaceFile(path, broken);
      await gateway.reloadSupergraph();
      expect(await servedHash(url), broken.slice(0, 40)).toBe(hashOf(withoutReviews));
      expect(await post(url, query)).toEqual(before);
      // Offered again (the watcher's own event, a SIGHUP, a poll's 304), it is not refused, or logged, twice.
      await gateway.reloadSupergraph();
      await sleep(150);
      // The supergraph's lines only (no users service answers this gateway's revocation polls, which it logs once).
      const written = lines.slice(logged).filter((line) => line.msg.startsWith('supergraph'));
      expect(written.map((line) => line.msg)).toEqual(['supergraph refused: still serving the one loaded']);
      expect(written[0]).toMatchObject({ level: 50, refused: hashOf(broken), served: hashOf(withoutReviews), location: path });
    }
    // A good file after the broken ones is served.
    await replaceFile(path, full);
    await gateway.reloadSupergraph();
    expect(await servedHash(url)).toBe(hashOf(full));
  });

  it('polls SUPERGRAPH_URL, asking with its ETag, and reloads at once on SIGHUP', async () => {
    const { createServer } = await import('node:http');
    let served = withoutReviews;
    let notModified = 0;
    const registry = createServer((req, res) => {
      const etag = `"${hashOf(served)}"`;
      if (req.headers['if-none-match'] === etag) {
        notModified += 1;
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(served);
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => registry.close(resolve)));
    const registryUrl = `http://127.0.0.1:${(registry.address() as { port: number }).port}/supergraph`;

    const polled = await startGateway({ SUPERGRAPH_URL: registryUrl, SUPERGRAPH_POLL_SECONDS: '0.2' });
    stops.push(() => polled.gateway.stop());
    expect(await servedHash(polled.url)).toBe(hashOf(withoutReviews));
    await eventually(async () => notModified >= 2, 'two polls were answered 304', { intervalMs: 50 });
    served = full;
    await eventually(async () => (await servedHash(polled.url)) === hashOf(full), 'the polled supergraph is served', { intervalMs: 50 });

    // Polling hourly: only the signal brings the change in.
    const signalled = await startGateway({ SUPERGRAPH_URL: registryUrl, SUPERGRAPH_POLL_SECONDS: '3600' });
    stops.push(() => signalled.gateway.stop());
    expect(await servedHash(signalled.url)).toBe(hashOf(full));
    served = withoutReviews;
    process.emit('SIGHUP', 'SIGHUP');
    await eventually(async () => (await servedHash(signalled.url)) === hashOf(withoutReviews), 'SIGHUP brought the change in', { intervalMs: 50 });
  });

  it('verifies tokens in production with keys given inline (JWKS), with no USERS_URL and no users service asked', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'library-1', alg: 'EdDSA', use: 'sig' }] };
    const { logger, lines } = capturingLogger();
    const path = join(dir, 'production-jwks.graphql');
    await writeFile(path, withoutReviews);
    const { gateway, url } = await startGateway({ NODE_ENV: 'production', SUPERGRAPH_PATH: path, JWKS: JSON.stringify(jwks) }, logger);
    stops.push(() => gateway.stop());
    // The subgraph named users is served where the supergraph says, not at a shop default.
    expect(Object.fromEntries(gateway.servedSupergraph()!.subgraphs)).toEqual({ users: library.urls.users, products: library.urls.products, orders: library.urls.orders });

    const query = '{ readers { id name } }';
    const bearer = async (key: typeof privateKey) => ({ authorization: `Bearer ${await signToken(key, 'library-1', { sub: 'r1', role: 'CUSTOMER' })}` });
    const anonymous = await post(url, query);
    expect(anonymous.answer.data).toBeTruthy();
    const signedIn = await post(url, query, undefined, await bearer(privateKey));
    expect(signedIn).toEqual(anonymous);
    // Another issuer's token carries no shop role: with JWKS the gateway judges by scopes and needs none.
    const roleless = await signToken(privateKey, 'library-1', { sub: 'r1', role: '', scope: 'a:read' });
    expect(await post(url, query, undefined, { authorization: `Bearer ${roleless}` })).toEqual(anonymous);
    // Not vacuous: a token signed with another key is refused.
    const forged = await post(url, query, undefined, await bearer(generateKeyPairSync('ed25519').privateKey));
    expect(forged.status).toBe(401);
    expect(forged.answer.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);

    // Nothing polls a users service: ready, with nothing about sessions but the one line saying what to set.
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    const sessionLines = lines.filter((line) => /session/i.test(line.msg));
    expect(sessionLines.map((line) => [line.level, line.msg])).toEqual([
      [30, "not polling session revocations: a token counts until it expires (set SESSION_REVOCATIONS_URL to refuse ended sessions' tokens sooner)"],
    ]);
  });

  it('refuses every token in production when no keys are given, and serves anonymous requests', async () => {
    const path = join(dir, 'production-no-keys.graphql');
    await writeFile(path, withoutReviews);
    const { gateway, url } = await startGateway({ NODE_ENV: 'production', SUPERGRAPH_PATH: path });
    stops.push(() => gateway.stop());
    const query = '{ readers { id name } }';
    expect((await post(url, query)).answer.data).toBeTruthy();
    const { privateKey } = generateKeyPairSync('ed25519');
    const refused = await post(url, query, undefined, { authorization: `Bearer ${await signToken(privateKey, 'k', { sub: 'r1', role: 'CUSTOMER' })}` });
    expect(refused.status).toBe(401);
    expect(refused.answer.errors).toEqual([
      expect.objectContaining({ message: 'This gateway verifies no tokens (set JWKS_URL or JWKS)', extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
    expect((await fetch(`${url}/ready`)).status).toBe(200);

    // With no keys, a supergraph that declares authorization cannot be enforced: refused at start, and on reload.
    const guarded = composeSubgraphs(GUARDED_SUBGRAPHS.map((name) => ({ name, url: `http://127.0.0.1:9/${name}`, sdl: GUARDED_SCHEMAS[name] })));
    const guardedPath = join(dir, 'production-no-keys-guarded.graphql');
    await writeFile(guardedPath, guarded);
    await expect(startGateway({ NODE_ENV: 'production', SUPERGRAPH_PATH: guardedPath })).rejects.toThrow(/declares authorization .* no keys to verify tokens/);
    await writeFile(`${path}.next`, guarded);
    await rename(`${path}.next`, path);
    await gateway.reloadSupergraph();
    expect(gateway.servedSupergraph()!.hash).toBe(hashOf(withoutReviews));
  });

  it('answers SERVICE_UNAVAILABLE on the paths of a subgraph it cannot reach, and only there', async () => {
    const { url } = await gatewayOn(full, 'outage');
    await library.stop('reviews');
    const { status, answer } = await post(url, '{ items { id title ... on Book { postage reviews { rating } } ... on Film { reviews { rating } } } }');
    expect(status).toBe(200);
    expect(answer.data).toEqual({
      items: [
        { id: 'b1', title: 'The Federated Planner', postage: null, reviews: null },
        { id: 'b2', title: 'Joins Considered Harmful', postage: null, reviews: null },
        { id: 'f1', title: 'The Long Query', reviews: null },
      ],
    });
    expect(new Set(answer.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expect(answer.errors?.every((error) => error.path?.[0] === 'items')).toBe(true);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    // Beside it: no users service answers this gateway's session-revocation polls.
    expect(((await ready.json()) as { problems: string[] }).problems).toContain('reviews: unreachable');
  });
});
