import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { createHttpService, type HttpService, type ServiceContext } from '@shop/service-kit';
import { loadPersistedDocuments, onlyPersistedDocuments, persistedDocumentStore } from '../src/persisted-documents.js';
import { testLogger } from '../../test/support/logger.js';

const DOCUMENT = 'query Me { me { id } }';
const HASH = createHash('sha256').update(DOCUMENT).digest('hex');

async function manifestFile(content: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'manifest-')), 'persisted-documents.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('loadPersistedDocuments', () => {
  it('reads the documents by their hash', async () => {
    expect(await loadPersistedDocuments(await manifestFile({ [HASH]: DOCUMENT }))).toEqual(new Map([[HASH, DOCUMENT]]));
  });

  it('refuses a manifest whose hash does not match its document', async () => {
    await expect(loadPersistedDocuments(await manifestFile({ [HASH]: `${DOCUMENT} ` }))).rejects.toThrow(/does not have that SHA-256 hash/);
    await expect(loadPersistedDocuments(await manifestFile([DOCUMENT]))).rejects.toThrow(/not a persisted-documents manifest/);
  });
});

describe('persistedDocumentStore', () => {
  const documents = new Map([[HASH, DOCUMENT]]);

  it('keeps documents clients register, unless only listed documents are allowed', async () => {
    const open = persistedDocumentStore(documents, { onlyListed: false });
    await open.set('abc', '{ me { id } }');
    expect(await open.get('abc')).toBe('{ me { id } }');
    expect(await open.get(HASH)).toBe(DOCUMENT);

    const listed = persistedDocumentStore(documents, { onlyListed: true });
    await listed.set('abc', '{ me { id } }');
    expect(await listed.get('abc')).toBeUndefined();
    expect(await listed.get(HASH)).toBe(DOCUMENT);
  });
});

describe('onlyPersistedDocuments', () => {
  const LISTED = '{ listed }';
  const UNLISTED = '{ secret }';
  const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
  const documents = new Map([[hashOf(LISTED), LISTED]]);
  let service: HttpService<ServiceContext>;
  let url: string;

  // The gateway's HTTP pipeline as it serves (service-kit's Express app, its graphqlEndpoint and Apollo Server), with the safelist.
  beforeAll(async () => {
    const schema = buildSchema('type Query { listed: String  secret: String }');
    const fields = schema.getQueryType()!.getFields();
    fields.listed!.resolve = () => 'listed';
    fields.secret!.resolve = () => 'leaked';
    service = await createHttpService<ServiceContext>({
      logger: testLogger('gateway'),
      graphql: { schema },
      context: async ({ requestId, logger }) => ({ requestId, logger }),
      readiness: async () => [],
      sandbox: false,
      guards: [onlyPersistedDocuments(documents)],
      persistedQueries: { cache: persistedDocumentStore(documents, { onlyListed: true }) },
    });
    url = `${await service.listen(0, '127.0.0.1')}/graphql`;
  });
  afterAll(() => service.stop());

  /** Whatever the request, the secret field's resolver must never have answered. */
  async function send(init: { search?: string; body?: unknown }) {
    const response = await fetch(`${url}${init.search ?? ''}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      // A custom header makes the request non-simple, as Apollo's CSRF prevention wants (an attacker's script sends it too).
      headers: { 'apollo-require-preflight': 'true', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const json = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } | { data?: unknown }[];
    return { status: response.status, json };
  }
  const refused = { status: 400, json: { errors: [{ message: expect.any(String) as string, extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] } };
  const params = (entries: [string, string][]) => `?${new URLSearchParams(entries).toString()}`;
  const byHash = (hash: string) => JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });

  it('serves a listed document by GET and POST, as text or by hash', async () => {
    expect(await send({ search: params([['query', LISTED]]) })).toEqual({ status: 200, json: { data: { listed: 'listed' } } });
    expect(await send({ body: { query: LISTED } })).toEqual({ status: 200, json: { data: { listed: 'listed' } } });
    expect(await send({ search: params([['extensions', byHash(hashOf(LISTED))]]) })).toEqual({ status: 200, json: { data: { listed: 'listed' } } });
  });

  it('refuses an unlisted document by GET and POST', async () => {
    expect(await send({ search: params([['query', UNLISTED]]) })).toEqual(refused);
    expect(await send({ body: { query: UNLISTED } })).toEqual(refused);
  });

  it('refuses a GET whose query comes after a thousand padding parameters (Express would stop reading before it)', async () => {
    const padding = Array.from({ length: 1000 }, (_, index): [string, string] => [`p${index}`, '']);
    expect(await send({ search: params([...padding, ['query', UNLISTED]]) })).toEqual(refused);
  });

  it('refuses a GET with a duplicated or encoded query parameter holding an unlisted document', async () => {
    expect(await send({ search: params([['query', LISTED], ['query', UNLISTED]]) })).toEqual(refused);
    expect(await send({ search: params([['query', UNLISTED], ['query', LISTED]]) })).toEqual(refused);
    expect(await send({ search: `?qu%65ry=${encodeURIComponent(UNLISTED)}` })).toEqual(refused);
  });

  it('refuses an unlisted document sent with a persisted-query hash, listed or not, by GET and POST', async () => {
    expect(await send({ body: { query: UNLISTED, extensions: JSON.parse(byHash(hashOf(UNLISTED))) as unknown } })).toEqual(refused);
    expect(await send({ body: { query: UNLISTED, extensions: JSON.parse(byHash(hashOf(LISTED))) as unknown } })).toEqual(refused);
    expect(await send({ search: params([['query', UNLISTED], ['extensions', byHash(hashOf(UNLISTED))]]) })).toEqual(refused);
    // By hash alone, an unlisted hash names nothing.
    const unknown = await send({ search: params([['extensions', byHash(hashOf(UNLISTED))]]) });
    expect(unknown.json).toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('refuses a batch holding an unlisted document', async () => {
    expect(await send({ body: [{ query: LISTED }, { query: UNLISTED }] })).toEqual(refused);
  });

  it('runs only the body of a POST, whatever its URL says', async () => {
    expect(await send({ search: params([['query', UNLISTED]]), body: { query: LISTED } })).toEqual({ status: 200, json: { data: { listed: 'listed' } } });
  });
});
