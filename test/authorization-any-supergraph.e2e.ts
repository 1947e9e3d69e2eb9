import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kind, parse, print, type DirectiveNode, type DocumentNode } from 'graphql';
import { createGatewayFromConfig, gatewayService } from '../gateway/src/service.js';
import type { Policies } from '../gateway/src/authorization/policies.js';
import { composeSubgraphs } from '../scripts/supergraph.js';
import { graphql, type GraphQLResponse } from './support/graphql.js';
import { testLogger } from './support/logger.js';
import { signToken } from './support/tokens.js';
import {
  BOOKS,
  DONATIONS,
  EVENTS,
  EXHIBITS,
  GUARDED_SCHEMAS,
  GUARDED_SUBGRAPHS,
  LOANS,
  MANUSCRIPT,
  postageOf,
  SCOPES,
  startGuardedLibrary,
  type GuardedLibrary,
  type GuardedSubgraph,
} from './support/guarded-library.js';

/*
 * Declared authorization on a supergraph that is not the shop's (test/support/guarded-library.ts):
 * each directive on a field, on a type and on one implementation of an interface, for anonymous
 * and signed-in users with no, some or all scopes, in filter and in reject mode; the answer, its
 * errors, and which subgraphs were asked at all.
 */

type Mode = 'filter' | 'reject';
type User = 'anonymous' | 'reader' | 'partial' | 'full' | 'superuser';
type Rule = 'authenticated' | 'requiresScopes' | 'policy';
type Path = (string | number)[];

/** Who each user is: role and scope claim. `full` is the one librarian (the `librarian` policy reads the role). */
const USERS: Record<Exclude<User, 'anonymous'>, { role: 'CUSTOMER' | 'ADMIN'; scope: string }> = {
  reader: { role: 'CUSTOMER', scope: '' },
  partial: { role: 'CUSTOMER', scope: 'a:read' },
  full: { role: 'ADMIN', scope: 'a:read b:read' },
  // The other branch of the OR: scopes from the claim, not from the role.
  superuser: { role: 'CUSTOMER', scope: 'super' },
};
const EVERYONE: User[] = ['anonymous', 'reader', 'partial', 'full', 'superuser'];
/** Whom each rule lets through: `@authenticated`, `@requiresScopes(scopes: SCOPES)`, `@policy(policies: [["librarian"]])`. */
const ALLOWED: Record<Rule, User[]> = {
  authenticated: ['reader', 'partial', 'full', 'superuser'],
  requiresScopes: ['full', 'superuser'],
  policy: ['full'],
};
const codeFor = (user: User) => (user === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');

const POLICY_TIMEOUT_MS = 50;
/** librarian reads the viewer; cardholder a header; slow never answers; "unregistered" is in the schema only. */
const POLICIES: Policies = {
  librarian: ({ viewer }) => viewer?.role === 'ADMIN',
  cardholder: ({ headers }) => headers.get('x-library-card') === 'valid',
  slow: () => new Promise<boolean>(() => undefined),
};

/** One cell of the matrix: a query guarded by one rule in one place, and what each outcome looks like. */
interface Case {
  rule: Rule;
  place: string;
  query: string;
  /** The response key that is guarded: no subgraph may be sent it when it is denied. */
  field: string;
  allowed: unknown;
  /** Filter mode's data when denied, and the paths of its errors. */
  denied: unknown;
  deniedPaths: Path[];
  /** Reject mode's error paths: response keys from the root, no list indices. */
  rejectedPaths: Path[];
  /** The subgraphs asked (how many times) when allowed, and when denied in filter mode; every other one is asked nothing. */
  reaches: { allowed: Partial<Record<GuardedSubgraph, number>>; denied: Partial<Record<GuardedSubgraph, number>> };
  /** A mutation whose root field is denied: refused whole in filter mode too, so none of its other fields writes. */
  refusedWhole?: true;
}

const eachBook = (field: string): Path[] => BOOKS.map((_, index) => ['books', index, field]);
const booksWith = (field: string, value: (book: (typeof BOOKS)[number]) => unknown) => ({ books: BOOKS.map((book) => ({ id: book.id, [field]: value(book) })) });
/** A guarded field of Book, in the list of books: one error per book. */
const bookField = (rule: Rule, place: string, field: string, value: (book: (typeof BOOKS)[number]) => unknown, allowedReaches: Partial<Record<GuardedSubgraph, number>> = { catalogue: 1 }): Case => ({
  rule,
  place,
  query: `{ books { id ${field} } }`,
  field,
  allowed: booksWith(field, value),
  denied: booksWith(field, () => null),
  deniedPaths: eachBook(field),
  rejectedPaths: [['books', field]],
  reaches: { allowed: allowedReaches, denied: { catalogue: 1 } },
});
/** A root field whose type (or an implementation of it) is guarded: denied, nothing is asked. */
const guardedRoot = (rule: Rule, place: string, field: string, selection: string, allowed: unknown, subgraph: GuardedSubgraph): Case => ({
  rule,
  place,
  query: `{ ${field} { ${selection} } }`,
  field,
  allowed: { [field]: allowed },
  denied: { [field]: null },
  deniedPaths: [[field]],
  rejectedPaths: [[field]],
  reaches: { allowed: { [subgraph]: 1 }, denied: {} },
});

const CASES: Case[] = [
  bookField('authenticated', 'a field', 'isbn', (book) => book.isbn),
  bookField('requiresScopes', 'a field', 'acquisitionCents', (book) => book.acquisitionCents),
  bookField('policy', 'a field', 'donor', (book) => book.donor),
  guardedRoot('authenticated', 'a type', 'loans', 'id dueInDays', LOANS.map(({ id, dueInDays }) => ({ id, dueInDays })), 'circulation'),
  {
    // The type's subgraph is reached for nothing else: denied, appraisals is asked nothing.
    ...bookField('requiresScopes', 'a type', 'appraisal', (book) => book.appraisal, { catalogue: 1, appraisals: 1 }),
    query: '{ books { id appraisal { cents by } } }',
  },
  guardedRoot('policy', 'a type', 'donations', 'id amountCents', DONATIONS, 'circulation'),
  guardedRoot('authenticated', 'an interface implementation', 'holdings', 'id title', [...BOOKS.map(({ id, title }) => ({ id, title })), { id: MANUSCRIPT.id, title: MANUSCRIPT.title }], 'catalogue'),
  guardedRoot('requiresScopes', 'an interface implementation', 'exhibits', 'id label', EXHIBITS.map(({ id, label }) => ({ id, label })), 'catalogue'),
  guardedRoot('policy', 'an interface implementation', 'events', 'id name', EVENTS.map(({ id, name }) => ({ id, name })), 'circulation'),
  // The field it requires is @authenticated, so it is too; denied, shipping is asked nothing.
  bookField('authenticated', 'a field with @requires', 'postage', (book) => postageOf(book.weightGrams), { catalogue: 1, shipping: 1 }),
  {
    rule: 'authenticated',
    place: 'a non-null field under a nullable parent',
    query: '{ book(id: "b1") { id shelfCode } }',
    field: 'shelfCode',
    allowed: { book: { id: 'b1', shelfCode: 'A-1' } },
    denied: { book: null },
    deniedPaths: [['book', 'shelfCode']],
    rejectedPaths: [['book', 'shelfCode']],
    reaches: { allowed: { catalogue: 1 }, denied: { catalogue: 1 } },
  },
  {
    rule: 'requiresScopes',
    place: 'a mutation field beside a public one',
    query: 'mutation { recommend(title: "Dune") stampBook(id: "b1") }',
    field: 'stampBook',
    allowed: { recommend: true, stampBook: expect.any(Number) },
    denied: undefined,
    deniedPaths: [['stampBook']],
    rejectedPaths: [['stampBook']],
    reaches: { allowed: { catalogue: 1 }, denied: {} },
    refusedWhole: true,
  },
  {
    rule: 'authenticated',
    place: 'a field in what a public mutation answers',
    query: 'mutation { reshelve(id: "b1") { id isbn } }',
    field: 'isbn',
    allowed: { reshelve: { id: 'b1', isbn: BOOKS[0]!.isbn } },
    denied: { reshelve: { id: 'b1', isbn: null } },
    deniedPaths: [['reshelve', 'isbn']],
    rejectedPaths: [['reshelve', 'isbn']],
    reaches: { allowed: { catalogue: 1 }, denied: { catalogue: 1 } },
  },
];

/** Each subgraph's count, zero where none is given. */
const countsOf = (given: Partial<Record<GuardedSubgraph, number>>) => Object.fromEntries(GUARDED_SUBGRAPHS.map((name) => [name, given[name] ?? 0]));
/** Errors as (path, code), in path order: what the matrix compares. */
const errorsOf = (response: GraphQLResponse) =>
  (response.errors ?? []).map((error) => ({ path: error.path ?? null, code: error.extensions?.code })).sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
const expectedErrors = (paths: Path[], code: string) => paths.map((path) => ({ path, code })).sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));

/** What a cell must answer. */
function expectedAnswer(mode: Mode, user: User, cell: Case) {
  if (ALLOWED[cell.rule].includes(user)) return { status: 200, data: cell.allowed, errors: [], counts: countsOf(cell.reaches.allowed), sentGuardedField: true };
  const code = codeFor(user);
  if (mode === 'filter' && !cell.refusedWhole) return { status: 200, data: cell.denied, errors: expectedErrors(cell.deniedPaths, code), counts: countsOf(cell.reaches.denied), sentGuardedField: false };
  return { status: user === 'anonymous' ? 401 : 403, data: undefined, errors: expectedErrors(cell.rejectedPaths, code), counts: countsOf({}), sentGuardedField: false };
}

describe('declared authorization on a supergraph that is not the shop', () => {
  let library: GuardedLibrary;
  let dir: string;
  const gateways = {} as Record<Mode, string>;
  const tokens = {} as Record<User, string | undefined>;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    library = await startGuardedLibrary();
    stops.push(() => library.close());
    dir = await mkdtemp(join(tmpdir(), 'guarded-supergraph-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'supergraph.graphql');
    await writeFile(path, library.supergraph);

    // The gateway's keys given inline (JWKS): no users service, no subgraph named users.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = 'guarded-library';
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }] });
    for (const [user, { role, scope }] of Object.entries(USERS)) {
      tokens[user as User] = await signToken(privateKey, kid, { sub: `${user}-id`, role, scope });
    }
    for (const mode of ['filter', 'reject'] as const) {
      const config = await gatewayService.loadConfig({
        NODE_ENV: 'test',
        METRICS_PORT: '0',
        RATE_LIMIT_REQUESTS: '1000000',
        SUPERGRAPH_PATH: path,
        JWKS: jwks,
        AUTHORIZATION_MODE: mode,
        POLICY_TIMEOUT_MS: String(POLICY_TIMEOUT_MS),
      });
      const gateway = await createGatewayFromConfig(config, testLogger(`gateway-${mode}`), { policies: POLICIES });
      gateways[mode] = await gateway.listen(0, '127.0.0.1');
      stops.push(() => gateway.stop());
    }
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  /** One request as `user`, the subgraphs' counts started afresh. */
  async function ask(mode: Mode, user: User, query: string, headers: Record<string, string> = {}) {
    library.forget();
    const token = tokens[user];
    return graphql(gateways[mode], query, { ...(token ? { token } : {}), headers });
  }

  it('serves the requirements composition wrote: an implementation\'s are copied onto its interface, a field with @requires carries its required field\'s', () => {
    const document = parse(library.supergraph);
    expect(guardsOf(document, 'Holding')).toEqual(['@authenticated']);
    expect(guardsOf(document, 'Exhibit')).toEqual([`@requiresScopes(scopes: ${SCOPES})`]);
    expect(guardsOf(document, 'Event')).toEqual(['@policy(policies: [["librarian"]])']);
    // A field: Manuscript's condition guards Holding's, not Book's.
    expect(guardsOf(document, 'Holding.condition')).toEqual([`@requiresScopes(scopes: ${SCOPES})`]);
    expect(guardsOf(document, 'Book.condition')).toEqual([]);
    // Nothing is copied onto a union.
    expect(guardsOf(document, 'Find')).toEqual([]);
    expect(guardsOf(document, 'Book.postage')).toEqual(['@authenticated']);
    // Without it, composition refuses the supergraph.
    const unguarded = { ...GUARDED_SCHEMAS, shipping: GUARDED_SCHEMAS.shipping.replace('@requires(fields: "weightGrams") @authenticated', '@requires(fields: "weightGrams")') };
    expect(() => composeSubgraphs(GUARDED_SUBGRAPHS.map((name) => ({ name, url: library.urls[name], sdl: unguarded[name] })))).toThrow(/Book\.postage.*auth requirements/);
  });

  const cells = (['filter', 'reject'] as const).flatMap((mode) => CASES.flatMap((cell) => EVERYONE.map((user) => ({ mode, user, cell }))));
  it.for(cells.map((entry) => [`${entry.mode} mode`, `@${entry.cell.rule} on ${entry.cell.place}`, entry.user, entry] as const))(
    '%s: %s, as %s',
    async ([, , , { mode, user, cell }]) => {
      const response = await ask(mode, user, cell.query);
      const sent = GUARDED_SUBGRAPHS.flatMap((name) => library.requests[name]).some((request) => new RegExp(`\\b${cell.field}\\b`).test(request.query));
      expect({ status: response.status, data: response.data, errors: errorsOf(response), counts: library.counts(), sentGuardedField: sent }).toEqual(
        expectedAnswer(mode, user, cell),
      );
    },
  );

  describe.each(['filter', 'reject'] as const)('in %s mode', (mode) => {
    it('asks no subgraph at all when every root field is denied', async () => {
      const response = await ask(mode, 'anonymous', '{ loans { id } holdings { id } exhibits { id } }');
      expect(library.counts()).toEqual(countsOf({}));
      if (mode === 'filter') {
        expect(response.status).toBe(200);
        expect(response.data).toEqual({ loans: null, holdings: null, exhibits: null });
        expect(errorsOf(response)).toEqual(expectedErrors([['loans'], ['holdings'], ['exhibits']], 'UNAUTHENTICATED'));
      } else {
        expect(response.status).toBe(401);
        expect(response.data).toBeUndefined();
        expect(errorsOf(response)).toEqual(expectedErrors([['loans'], ['holdings'], ['exhibits']], 'UNAUTHENTICATED'));
      }
    });

    it('denies, within POLICY_TIMEOUT_MS, a policy that never answers, and one nobody registered', async () => {
      for (const field of ['conservationNotes', 'provenance']) {
        const started = performance.now();
        const response = await ask(mode, 'full', `{ books { id ${field} } }`);
        // Bounded at all is the point (a policy that never answers would hold the request forever); the margin is for a loaded machine.
        expect(performance.now() - started, field).toBeLessThan(POLICY_TIMEOUT_MS + 3_000);
        if (mode === 'filter') {
          expect({ status: response.status, data: response.data, errors: errorsOf(response) }, field).toEqual({
            status: 200,
            data: booksWith(field, () => null),
            errors: expectedErrors(eachBook(field), 'FORBIDDEN'),
          });
        } else {
          expect({ status: response.status, data: response.data, errors: errorsOf(response), counts: library.counts() }, field).toEqual({
            status: 403,
            data: undefined,
            errors: expectedErrors([['books', field]], 'FORBIDDEN'),
            counts: countsOf({}),
          });
        }
      }
    });

    it('grants an OR of policies on the branch that answers, though the other never does', async () => {
      const librarian = await ask(mode, 'full', '{ books { id restorationLog } }');
      expect({ status: librarian.status, data: librarian.data, errors: librarian.errors }).toEqual({ status: 200, data: booksWith('restorationLog', (book) => `restored ${book.id}`), errors: undefined });
      const reader = await ask(mode, 'reader', '{ books { id restorationLog } }');
      expect(errorsOf(reader)).toEqual(expectedErrors(mode === 'filter' ? eachBook('restorationLog') : [['books', 'restorationLog']], 'FORBIDDEN'));
    });

    it('drops a fragment on a guarded member of a union, and keeps the rest', async () => {
      const query = '{ find { __typename ... on Book { title } ... on Manuscript { folios } } }';
      const reader = await ask(mode, 'reader', query);
      expect({ status: reader.status, data: reader.data, errors: reader.errors }).toEqual({
        status: 200,
        data: { find: [{ __typename: 'Book', title: BOOKS[0]!.title }, { __typename: 'Manuscript', folios: MANUSCRIPT.folios }] },
        errors: undefined,
      });
      const anonymous = await ask(mode, 'anonymous', query);
      if (mode === 'filter') {
        // The Manuscript comes without the fragment's fields (not nulled: folios is non-null), with an error at its own path.
        expect({ status: anonymous.status, data: anonymous.data, errors: errorsOf(anonymous) }).toEqual({
          status: 200,
          data: { find: [{ __typename: 'Book', title: BOOKS[0]!.title }, { __typename: 'Manuscript' }] },
          errors: [{ path: ['find', 1], code: 'UNAUTHENTICATED' }],
        });
        expect(library.requests.catalogue.map((request) => request.query).join('\n')).not.toMatch(/\bfolios\b/);
      } else {
        expect({ status: anonymous.status, data: anonymous.data, errors: errorsOf(anonymous), counts: library.counts() }).toEqual({
          status: 401,
          data: undefined,
          errors: [{ path: ['find'], code: 'UNAUTHENTICATED' }],
          counts: countsOf({}),
        });
      }
    });

    it('judges an interface field by the interface, and a concrete one by its own type', async () => {
      // Holding.condition carries Manuscript's requirement; Book.condition carries none.
      const concrete = await ask(mode, 'partial', '{ books { id condition } holdings { id ... on Book { condition } } }');
      expect({ status: concrete.status, data: concrete.data, errors: concrete.errors }).toEqual({
        status: 200,
        data: {
          books: BOOKS.map(({ id, condition }) => ({ id, condition })),
          holdings: [...BOOKS.map(({ id, condition }) => ({ id, condition })), { id: MANUSCRIPT.id }],
        },
        errors: undefined,
      });
      const throughInterface = await ask(mode, 'partial', '{ holdings { id condition } }');
      if (mode === 'filter') {
        expect({ data: throughInterface.data, errors: errorsOf(throughInterface) }).toEqual({
          data: { holdings: [...BOOKS, MANUSCRIPT].map(({ id }) => ({ id, condition: null })) },
          errors: expectedErrors([0, 1, 2].map((index) => ['holdings', index, 'condition']), 'FORBIDDEN'),
        });
      } else {
        expect({ status: throughInterface.status, errors: errorsOf(throughInterface) }).toEqual({ status: 403, errors: expectedErrors([['holdings', 'condition']], 'FORBIDDEN') });
      }
      const full = await ask(mode, 'full', '{ holdings { id condition } }');
      expect(full.data).toEqual({ holdings: [...BOOKS, MANUSCRIPT].map(({ id, condition }) => ({ id, condition })) });
    });

    it('puts errors at response keys (aliases, fragments) and answers a selection left empty', async () => {
      const aliased = await ask(mode, 'anonymous', '{ shelf: books { code: isbn title } }');
      const fragment = await ask(mode, 'anonymous', 'query Isbns { books { ...Isbn } } fragment Isbn on Book { id isbn }');
      const emptied = await ask(mode, 'anonymous', '{ book(id: "b1") { isbn } }');
      if (mode === 'filter') {
        expect({ data: aliased.data, errors: errorsOf(aliased) }).toEqual({
          data: { shelf: BOOKS.map(({ title }) => ({ code: null, title })) },
          errors: expectedErrors([0, 1].map((index) => ['shelf', index, 'code']), 'UNAUTHENTICATED'),
        });
        expect({ data: fragment.data, errors: errorsOf(fragment) }).toEqual({ data: booksWith('isbn', () => null), errors: expectedErrors(eachBook('isbn'), 'UNAUTHENTICATED') });
        expect({ data: emptied.data, errors: errorsOf(emptied) }).toEqual({ data: { book: { isbn: null } }, errors: expectedErrors([['book', 'isbn']], 'UNAUTHENTICATED') });
      } else {
        expect(errorsOf(aliased)).toEqual(expectedErrors([['shelf', 'code']], 'UNAUTHENTICATED'));
        expect(errorsOf(fragment)).toEqual(expectedErrors([['books', 'isbn']], 'UNAUTHENTICATED'));
        expect(errorsOf(emptied)).toEqual(expectedErrors([['book', 'isbn']], 'UNAUTHENTICATED'));
        expect([aliased, fragment, emptied].map((response) => response.status)).toEqual([401, 401, 401]);
      }
    });

    it('gives each of two users sending the same document in turn their own outcome (the plan and the check are not shared)', async () => {
      const query = '{ books { id isbn acquisitionCents donor } }';
      for (let round = 0; round < 4; round += 1) {
        for (const user of EVERYONE) {
          const response = await ask(mode, user, query);
          const granted = (rule: Rule) => ALLOWED[rule].includes(user);
          const deniedFields = [['isbn', 'authenticated'], ['acquisitionCents', 'requiresScopes'], ['donor', 'policy']].filter(([, rule]) => !granted(rule as Rule)).map(([field]) => field!);
          const label = `round ${round}, ${user}`;
          if (deniedFields.length === 0) {
            expect({ status: response.status, data: response.data, errors: response.errors }, label).toEqual({ status: 200, data: { books: BOOKS.map(({ id, isbn, acquisitionCents, donor }) => ({ id, isbn, acquisitionCents, donor })) }, errors: undefined });
          } else if (mode === 'filter') {
            expect({ data: response.data, errors: errorsOf(response) }, label).toEqual({
              data: { books: BOOKS.map((book) => ({ id: book.id, isbn: deniedFields.includes('isbn') ? null : book.isbn, acquisitionCents: deniedFields.includes('acquisitionCents') ? null : book.acquisitionCents, donor: deniedFields.includes('donor') ? null : book.donor })) },
              errors: expectedErrors(deniedFields.flatMap(eachBook), codeFor(user)),
            });
          } else {
            expect({ status: response.status, data: response.data, errors: errorsOf(response) }, label).toEqual({
              status: user === 'anonymous' ? 401 : 403,
              data: undefined,
              errors: expectedErrors(deniedFields.map((field) => ['books', field]), codeFor(user)),
            });
          }
        }
      }
    });

    it('keeps the entity cache from carrying one user\'s entities to another whose scopes differ', async () => {
      const query = '{ loans { id book { title acquisitionCents } } }';
      let catalogueAsked = 0;
      const rounds = 4;
      for (let round = 0; round < rounds; round += 1) {
        for (const user of ['full', 'partial'] as const) {
          const response = await ask(mode, user, query);
          catalogueAsked += library.counts().catalogue;
          const label = `round ${round}, ${user}`;
          const books = LOANS.map((loan) => BOOKS.find((book) => book.id === loan.bookId)!);
          if (user === 'full') {
            expect({ data: response.data, errors: response.errors }, label).toEqual({
              data: { loans: LOANS.map((loan, index) => ({ id: loan.id, book: { title: books[index]!.title, acquisitionCents: books[index]!.acquisitionCents } })) },
              errors: undefined,
            });
          } else if (mode === 'filter') {
            expect({ data: response.data, errors: errorsOf(response) }, label).toEqual({
              data: { loans: LOANS.map((loan, index) => ({ id: loan.id, book: { title: books[index]!.title, acquisitionCents: null } })) },
              errors: expectedErrors(LOANS.map((_, index) => ['loans', index, 'book', 'acquisitionCents']), 'FORBIDDEN'),
            });
          } else {
            expect({ status: response.status, errors: errorsOf(response) }, label).toEqual({ status: 403, errors: expectedErrors([['loans', 'book', 'acquisitionCents']], 'FORBIDDEN') });
          }
        }
      }
      // Not vacuous: the catalogue's books came from the entity cache after the first round.
      expect(catalogueAsked).toBeLessThan(rounds * (mode === 'filter' ? 2 : 1));
    });
  });

  it('keeps the response cache from carrying a policy\'s grant to an anonymous client it denies', async () => {
    // The control: an anonymous public answer is served from the cache (the catalogue is asked once).
    await ask('filter', 'anonymous', '{ books { id title } }');
    const again = await ask('filter', 'anonymous', '{ books { id title } }');
    expect(again.data).toEqual({ books: BOOKS.map(({ id, title }) => ({ id, title })) });
    expect(library.counts().catalogue).toBe(0);

    const query = '{ books { id readingRoomHours } }';
    for (let round = 0; round < 3; round += 1) {
      const withCard = await ask('filter', 'anonymous', query, { 'x-library-card': 'valid' });
      expect({ data: withCard.data, errors: withCard.errors }, `round ${round}, with a card`).toEqual({ data: booksWith('readingRoomHours', () => '9-17'), errors: undefined });
      const withoutCard = await ask('filter', 'anonymous', query);
      expect({ data: withoutCard.data, errors: errorsOf(withoutCard) }, `round ${round}, without`).toEqual({
        data: booksWith('readingRoomHours', () => null),
        errors: expectedErrors(eachBook('readingRoomHours'), 'UNAUTHENTICATED'),
      });
    }
  });
});

/** The authorization directives on a type or field (`Type` or `Type.field`) of a supergraph, as written. */
function guardsOf(document: DocumentNode, coordinate: string): string[] {
  const [typeName, fieldName] = coordinate.split('.');
  const type = document.definitions.find(
    (definition) =>
      (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION || definition.kind === Kind.UNION_TYPE_DEFINITION) &&
      definition.name.value === typeName,
  );
  if (!type || !('directives' in type)) throw new Error(`no type ${typeName}`);
  let directives: readonly DirectiveNode[] | undefined = type.directives;
  if (fieldName) {
    const field = 'fields' in type ? type.fields?.find((candidate) => candidate.name.value === fieldName) : undefined;
    if (!field) throw new Error(`no field ${coordinate}`);
    directives = field.directives;
  }
  return (directives ?? []).filter((directive) => ['authenticated', 'requiresScopes', 'policy'].includes(directive.name.value)).map((directive) => print(directive));
}
