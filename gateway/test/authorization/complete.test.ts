import { executeSync, GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorize, deniedSelections, type Access } from '../../src/authorization/authorize.js';
import { completeDenied, type ExecutionAnswer } from '../../src/authorization/complete.js';
import { ANONYMOUS, gql, shop, signedIn } from './fixture.js';
import { answerTo } from './world.js';

interface Completed {
  data: unknown;
  /** `path: code message` of each error. */
  errors: string[];
  answer: ExecutionAnswer;
}

const describeError = (error: GraphQLError) => `${(error.path ?? []).join('.')}: ${String(error.extensions.code)} ${error.message}`;

/** Authorizes `query`, answers the planned document from WORLD (or `answer`), completes it as the executor does. */
function complete(query: string, access: Access, options: { variables?: Record<string, unknown>; operationName?: string; answer?: ExecutionAnswer } = {}): Completed {
  const { variables = {}, operationName } = options;
  const document = gql(query);
  const authorized = authorize(shop.apiSchema, shop.rules, document, operationName, access);
  if (!authorized) throw new Error('nothing denied');
  const dropped = deniedSelections(document, operationName, authorized).filter((selection) => selection.fragment);
  const answer = completeDenied(shop.apiSchema, authorized, dropped, { operationName, variables }, options.answer ?? answerTo(authorized.document, variables, operationName));
  return { data: answer.data, errors: (answer.errors ?? []).map(describeError), answer };
}

describe('completeDenied: the answer to the operation the client sent', () => {
  it('answers a denied field null with its error, and everything else as the subgraphs did', () => {
    const { data, errors, answer } = complete('{ public me { id } count }', ANONYMOUS);
    expect(data).toEqual({ public: 'hello', me: null, count: 2 });
    expect(errors).toEqual(['me: UNAUTHENTICATED Sign in to read Query.me']);
    // Errors are GraphQLErrors with their code, as the rest of the gateway's.
    expect(answer.errors?.[0]).toBeInstanceOf(GraphQLError);
    expect(answer.errors?.[0]?.toJSON()).toEqual({ message: 'Sign in to read Query.me', path: ['me'], locations: [{ line: 1, column: 10 }], extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('says FORBIDDEN to a signed-in request', () => {
    expect(complete('{ admin secret public }', signedIn(['c'])).errors).toEqual(['secret: FORBIDDEN Not allowed to read Secret']);
    expect(complete('{ admin secret public }', signedIn(['c'])).data).toEqual({ admin: 'root', secret: null, public: 'hello' });
  });

  it('gives an error in each item of a list, with its index', () => {
    const { data, errors } = complete('{ users { name email } }', ANONYMOUS);
    expect(data).toEqual({ users: [{ name: 'Ann', email: null }, { name: 'Bob', email: null }] });
    expect(errors).toEqual(['users.0.email: UNAUTHENTICATED Sign in to read User.email', 'users.1.email: UNAUTHENTICATED Sign in to read User.email']);
  });

  it('propagates a null through non-null fields up to the nearest nullable parent', () => {
    // Profile.ssn: String! in Query.user: User (nullable), through User.profile: Profile!.
    const single = complete('{ public user(id: "u2") { name profile { bio ssn } } }', ANONYMOUS);
    expect(single.data).toEqual({ public: 'hello', user: null });
    expect(single.errors).toEqual(['user.profile.ssn: UNAUTHENTICATED Sign in to read Profile.ssn']);
    // Through User.friends: [User!] (nullable list of non-null users): each friends list is null.
    const friends = complete('{ users { name friends { profile { ssn } } } }', ANONYMOUS);
    expect(friends.data).toEqual({ users: [{ name: 'Ann', friends: [] }, { name: 'Bob', friends: null }] });
    expect(friends.errors).toEqual(['users.1.friends.0.profile.ssn: UNAUTHENTICATED Sign in to read Profile.ssn']);
    // Up to the root: Query.users: [User!]! nulls the data (one error: the first item's ends the list).
    const all = complete('{ users { profile { ssn } } }', ANONYMOUS);
    expect(all.data).toBeNull();
    expect(all.errors).toEqual(['users.0.profile.ssn: UNAUTHENTICATED Sign in to read Profile.ssn']);
  });

  it('gives an error under each alias of a field asked twice', () => {
    const { data, errors } = complete('{ first: user(id: "u2") { a: email b: email name } }', ANONYMOUS);
    expect(data).toEqual({ first: { a: null, b: null, name: 'Bob' } });
    expect(errors).toEqual(['first.a: UNAUTHENTICATED Sign in to read User.email', 'first.b: UNAUTHENTICATED Sign in to read User.email']);
  });

  it('gives no error for a denied field that @include or @skip leaves out', () => {
    const query = 'query ($show: Boolean!) { user(id: "u2") { name email @include(if: $show) profile @skip(if: $show) { ssn } } }';
    const hidden = complete(query, ANONYMOUS, { variables: { show: false } });
    // The field is left out of the answer, as GraphQL leaves a skipped field; its sibling's null propagates.
    expect(hidden.data).toEqual({ user: null });
    expect(hidden.errors).toEqual(['user.profile.ssn: UNAUTHENTICATED Sign in to read Profile.ssn']);
    const shown = complete(query, ANONYMOUS, { variables: { show: true } });
    expect(shown.data).toEqual({ user: { name: 'Bob', email: null } });
    expect(shown.errors).toEqual(['user.email: UNAUTHENTICATED Sign in to read User.email']);
  });

  it('denies a field through a type condition only in the items of that type', () => {
    // Named.name requires "pets" because Pet.name does: asked through Pet only, the Users keep theirs.
    const { data, errors } = complete('{ named { ... on Pet { name } ... on User { name } } }', signedIn());
    expect(data).toEqual({ named: [{ name: 'Ann' }, { name: null }, { name: 'Bob' }] });
    expect(errors).toEqual(['named.1.name: FORBIDDEN Not allowed to read Pet.name']);
    // A denied field inside a fragment on an allowed member: only that member's items.
    const search = complete('{ search { ... on User { name email } } }', ANONYMOUS);
    expect(search.data).toEqual({ search: [{ name: 'Ann', email: null }, {}, { name: 'Bob', email: null }, {}] });
    expect(search.errors).toEqual(['search.0.email: UNAUTHENTICATED Sign in to read User.email', 'search.2.email: UNAUTHENTICATED Sign in to read User.email']);
  });

  it('leaves a dropped fragment out of the objects it applied to, with an error at each of them', () => {
    const { data, errors } = complete('{ search { ... on User { id } ... on Invoice { id total } } }', ANONYMOUS);
    // The Invoices answer as if the fragment had not been asked: no null spreads through the non-null list.
    expect(data).toEqual({ search: [{ id: 'u1' }, {}, { id: 'u2' }, {}] });
    expect(errors).toEqual(['search.1: UNAUTHENTICATED Sign in to read Invoice', 'search.3: UNAUTHENTICATED Sign in to read Invoice']);
    // A named fragment on an interface with a requirement, over a list of a concrete type: every item.
    const users = complete('{ users { name ...Identified } } fragment Identified on Node { id }', ANONYMOUS);
    expect(users.data).toEqual({ users: [{ name: 'Ann' }, { name: 'Bob' }] });
    expect(users.errors).toEqual(['users.0: UNAUTHENTICATED Sign in to read Node', 'users.1: UNAUTHENTICATED Sign in to read Node']);
  });

  it('gives no error for a dropped fragment that @include or @skip leaves out', () => {
    const query = 'query ($bills: Boolean!) { search { ... on User { id } ... on Invoice @include(if: $bills) { total } } }';
    const hidden = complete(query, ANONYMOUS, { variables: { bills: false } });
    expect(hidden.data).toEqual({ search: [{ id: 'u1' }, {}, { id: 'u2' }, {}] });
    expect(hidden.errors).toEqual([]);
    const skipped = complete('{ users { name ... @skip(if: true) { ... on Node { id } } } }', ANONYMOUS);
    expect(skipped.data).toEqual({ users: [{ name: 'Ann' }, { name: 'Bob' }] });
    expect(skipped.errors).toEqual([]);
  });

  it('gives errors for a dropped fragment only where the fragments around it apply', () => {
    // Node is denied; the fragment on it sits in one on User: the Invoices of the list never had it.
    const { data, errors } = complete('{ search { ... on User { name ... on Node { id } } } }', ANONYMOUS);
    expect(data).toEqual({ search: [{ name: 'Ann' }, {}, { name: 'Bob' }, {}] });
    expect(errors).toEqual(['search.0: UNAUTHENTICATED Sign in to read Node', 'search.2: UNAUTHENTICATED Sign in to read Node']);
  });

  it('gives its errors to a dropped fragment however many denied fields come before it', () => {
    const aliases = Array.from({ length: 50 }, (_, index) => `e${index}: email`).join(' ');
    const { errors } = complete(`{ user(id: "u2") { ${aliases} } search { ... on Invoice { id } } }`, ANONYMOUS);
    expect(errors).toHaveLength(52);
    expect(errors.slice(-2)).toEqual(['search.1: UNAUTHENTICATED Sign in to read Invoice', 'search.3: UNAUTHENTICATED Sign in to read Invoice']);
  });

  it('gives one error per object and type, however many dropped fragments name it', () => {
    const { data, errors } = complete('{ users { name ...A ...B } } fragment A on User { ...Identified } fragment B on User { ...Identified } fragment Identified on Node { id }', ANONYMOUS);
    expect(data).toEqual({ users: [{ name: 'Ann' }, { name: 'Bob' }] });
    expect(errors).toEqual(['users.0: UNAUTHENTICATED Sign in to read Node', 'users.1: UNAUTHENTICATED Sign in to read Node']);
    const twice = complete('{ search { ... on Invoice { id } ... on Invoice { total } } }', ANONYMOUS);
    expect(twice.errors).toEqual(['search.1: UNAUTHENTICATED Sign in to read Invoice', 'search.3: UNAUTHENTICATED Sign in to read Invoice']);
  });

  it('keeps the values of enums and custom scalars as the subgraphs answered them', () => {
    const answer: ExecutionAnswer = { data: { level: 'HIGH', secret: { nested: [1, 'two'] } } };
    const { data, errors } = complete('{ level secret admin }', signedIn(['secrets:read']), { answer });
    expect(data).toEqual({ level: 'HIGH', secret: { nested: [1, 'two'] }, admin: null });
    expect(errors).toEqual(['admin: FORBIDDEN Not allowed to read Query.admin']);
  });

  it("tells each item's type although the client's own __typename was skipped", () => {
    const { data, errors } = complete('query ($skip: Boolean!) { me { id } search { __typename @skip(if: $skip) ... on User { id } } }', ANONYMOUS, { variables: { skip: true } });
    expect(data).toEqual({ me: null, search: [{ id: 'u1' }, {}, { id: 'u2' }, {}] });
    expect(errors).toEqual(['me: UNAUTHENTICATED Sign in to read Query.me']);
  });

  it('completes the chosen operation of a document of several, with its variables', () => {
    const query = 'query Mine($id: ID!) { user(id: $id) { name email } } query Theirs { me { id } }';
    const { data, errors } = complete(query, ANONYMOUS, { operationName: 'Mine', variables: { id: 'u2' } });
    expect(data).toEqual({ user: { name: 'Bob', email: null } });
    expect(errors).toEqual(['user.email: UNAUTHENTICATED Sign in to read User.email']);
  });

  it('completes a mutation: the denied fields null, the others as run', () => {
    const { data, errors } = complete('mutation { publicAction protectedAction adminAction }', signedIn());
    expect(data).toEqual({ publicAction: true, protectedAction: true, adminAction: null });
    expect(errors).toEqual(['adminAction: FORBIDDEN Not allowed to read Mutation.adminAction']);
  });

  it('keeps the errors already in the answer, first, and its extensions', () => {
    const failure = new GraphQLError('products is down', { path: ['public'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const answer: ExecutionAnswer = { data: { public: null, count: 2 }, errors: [failure], extensions: { cost: 1 } };
    const completed = complete('{ public count me { id } }', ANONYMOUS, { answer });
    expect(completed.data).toEqual({ public: null, count: 2, me: null });
    expect(completed.errors).toEqual(['public: SERVICE_UNAVAILABLE products is down', 'me: UNAUTHENTICATED Sign in to read Query.me']);
    expect(completed.answer.errors?.[0]).toBe(failure);
    expect(completed.answer.extensions).toEqual({ cost: 1 });
  });

  it('passes an answer without data through as it is', () => {
    const failure = new GraphQLError('planning failed');
    for (const answer of [{ data: null, errors: [failure] }, { errors: [failure] }] as ExecutionAnswer[]) {
      expect(complete('{ public me { id } }', ANONYMOUS, { answer }).answer).toBe(answer);
    }
  });

  it('answers introspection beside a denial as the served schema does', () => {
    const introspection = '{ __schema { queryType { name } types { name kind fields { name type { name kind ofType { name } } } } } __type(name: "Invoice") { name fields { name } } }';
    const expected = executeSync({ schema: shop.apiSchema, document: gql(introspection) }).data;
    const { data, errors } = complete(introspection.replace('{ __schema', '{ me { id } __schema'), ANONYMOUS);
    expect(data).toEqual({ me: null, ...expected });
    expect(errors).toEqual(['me: UNAUTHENTICATED Sign in to read Query.me']);
  });

  it('answers a whole operation denied with no data from subgraphs: only nulls and errors', () => {
    const { data, errors } = complete('{ me { id } admin }', ANONYMOUS, { answer: { data: { __typename: 'Query' } } });
    expect(data).toEqual({ me: null, admin: null });
    expect(errors).toEqual(['me: UNAUTHENTICATED Sign in to read Query.me', 'admin: UNAUTHENTICATED Sign in to read Query.admin']);
  });
});
