import { operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { NoUnusedVariablesRule, print, specifiedRules, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorize, deniedSelections, MAX_LISTED_DENIALS, policiesOf, satisfies, type Access, type AuthorizedOperation } from '../../src/authorization/authorize.js';
import { ANONYMOUS, composed, gql, shop, signedIn, type ComposedSupergraph } from './fixture.js';

const WITHOUT_NO_UNUSED_VARIABLES = specifiedRules.filter((rule) => rule !== NoUnusedVariablesRule);

interface Checked {
  document: DocumentNode;
  authorized: AuthorizedOperation | undefined;
  /** The filtered document as printed; undefined when nothing is denied. */
  filtered: string | undefined;
  /** `path code coordinate` of each denied selection, `(fragment)` after a dropped fragment's. */
  denials: string[];
}

const planners = new WeakMap<object, QueryPlanner>();
/** What @apollo/gateway plans for `document`: it builds the operation with operationFromDocument, then plans it. */
function planOf(schema: ComposedSupergraph, document: DocumentNode, operationName?: string): QueryPlan {
  let planner = planners.get(schema.supergraph);
  if (!planner) planners.set(schema.supergraph, (planner = new QueryPlanner(schema.supergraph)));
  return planner.buildQueryPlan(operationFromDocument(schema.supergraph.apiSchema(), document, { operationName }));
}

/**
 * Authorizes `query` (valid against the API schema) for `access`, and checks what every caller
 * relies on: the filtered document is valid (unused variables aside, see below) and is one that
 * @apollo/gateway can plan.
 */
function check(query: string, access: Access, operationName?: string, schema: ComposedSupergraph = shop): Checked {
  const document = gql(query);
  expect(validate(schema.apiSchema, document)).toEqual([]);
  const authorized = authorize(schema.apiSchema, schema.rules!, document, operationName, access);
  if (authorized) {
    expect(validate(schema.apiSchema, authorized.document, WITHOUT_NO_UNUSED_VARIABLES).map((error) => error.message)).toEqual([]);
    expect(() => planOf(schema, authorized.document, operationName)).not.toThrow();
  }
  const denials = authorized
    ? deniedSelections(document, operationName, authorized).map(({ path, code, coordinate, fragment }) => `${path.join('.')} ${code} ${coordinate}${fragment ? ' (fragment)' : ''}`)
    : [];
  return { document, authorized, filtered: authorized && print(authorized.document), denials };
}

/** `text` as graphql-js prints it, to compare a filtered document with. */
const printed = (text: string) => print(gql(text));

describe('satisfies', () => {
  const requirement = (authenticated: boolean, scopes?: string[][], policies?: string[][]) => ({ authenticated, scopes, policies });

  it('reads scopes and policies as an OR of ANDs, each independent of signing in', () => {
    const scoped = requirement(false, [['a', 'b'], ['c']]);
    expect(satisfies(scoped, signedIn(['a']))).toBe(false);
    expect(satisfies(scoped, signedIn(['a', 'b']))).toBe(true);
    expect(satisfies(scoped, signedIn(['c']))).toBe(true);
    expect(satisfies(requirement(false, undefined, [['p', 'q']]), signedIn([], ['p']))).toBe(false);
    expect(satisfies(requirement(false, undefined, [['p', 'q']]), { ...ANONYMOUS, policies: new Set(['p', 'q']) })).toBe(true);
    expect(satisfies(requirement(true, [['c']]), { ...ANONYMOUS, scopes: new Set(['c']) })).toBe(false);
    expect(satisfies(requirement(false), ANONYMOUS)).toBe(true);
  });
});

describe('authorize: what is denied, and to whom', () => {
  it('denies nothing, and returns undefined, when every selection may be read', () => {
    expect(check('{ public count users { id name profile { bio } friends { name } } search { __typename ... on User { id } } }', ANONYMOUS).authorized).toBeUndefined();
    expect(check('{ me { email } level named { ... on User { name } } }', signedIn()).authorized).toBeUndefined();
  });

  it('@authenticated on a field: UNAUTHENTICATED for an anonymous request, allowed signed in', () => {
    const { filtered, denials } = check('{ public me { id } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ public }'));
    expect(denials).toEqual(['me UNAUTHENTICATED Query.me']);
    expect(check('{ public me { id } }', signedIn()).authorized).toBeUndefined();
  });

  it('@requiresScopes: any one inner list, all of it; UNAUTHENTICATED anonymous, FORBIDDEN signed in', () => {
    const query = '{ public admin }';
    expect(check(query, ANONYMOUS).denials).toEqual(['admin UNAUTHENTICATED Query.admin']);
    expect(check(query, signedIn()).denials).toEqual(['admin FORBIDDEN Query.admin']);
    expect(check(query, signedIn(['a'])).denials).toEqual(['admin FORBIDDEN Query.admin']);
    expect(check(query, signedIn(['b', 'pii'])).denials).toEqual(['admin FORBIDDEN Query.admin']);
    expect(check(query, signedIn(['a', 'b'])).authorized).toBeUndefined();
    expect(check(query, signedIn(['c'])).authorized).toBeUndefined();
  });

  it('@policy: granted policies only, one inner list at a time', () => {
    expect(check('{ flagged }', signedIn()).denials).toEqual(['flagged FORBIDDEN Query.flagged']);
    expect(check('{ flagged }', ANONYMOUS).denials).toEqual(['flagged UNAUTHENTICATED Query.flagged']);
    expect(check('{ flagged }', signedIn([], ['flag'])).authorized).toBeUndefined();
    // A policy may grant an anonymous request: it says nothing of signing in.
    expect(check('{ flagged }', { ...ANONYMOUS, policies: new Set(['flag']) }).authorized).toBeUndefined();
    expect(check('{ flaggedBoth }', signedIn([], ['flag'])).denials).toEqual(['flaggedBoth FORBIDDEN Query.flaggedBoth']);
    expect(check('{ flaggedBoth }', signedIn([], ['flag', 'other'])).authorized).toBeUndefined();
  });

  it('a scalar or an enum with a requirement denies each field returning it, naming the type', () => {
    expect(check('{ public secret level }', ANONYMOUS).denials).toEqual(['secret UNAUTHENTICATED Secret', 'level UNAUTHENTICATED Level']);
    expect(check('{ public secret level }', signedIn()).denials).toEqual(['secret FORBIDDEN Secret']);
    expect(check('{ secret }', signedIn(['secrets:read'])).authorized).toBeUndefined();
  });

  it('an object type with a requirement denies a field returning it and any fragment on it', () => {
    const { filtered, denials } = check('{ search { ... on Invoice { id total } ... on User { id } } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ search { ... on User { id } __typename } }'));
    expect(denials).toEqual(['search UNAUTHENTICATED Invoice (fragment)']);
    expect(check('{ users { invoices { id } } }', ANONYMOUS).denials).toEqual(['users.invoices UNAUTHENTICATED Invoice']);
    expect(check('{ users { invoices { id } } search { ... on Invoice { id } } }', signedIn()).authorized).toBeUndefined();
  });

  it('an interface carries what composition propagated from its implementations', () => {
    // Node is @authenticated because Invoice is: a field returning it, and a fragment on it, are denied, even over users.
    expect(check('{ node(id: "1") { id } }', ANONYMOUS).denials).toEqual(['node UNAUTHENTICATED Node']);
    expect(check('{ users { name ... on Node { id } } }', ANONYMOUS).denials).toEqual(['users UNAUTHENTICATED Node (fragment)']);
    // Named.name requires "pets" because Pet.name does; through User, the field requires nothing.
    expect(check('{ named { name } }', signedIn()).denials).toEqual(['named.name FORBIDDEN Named.name']);
    expect(check('{ named { ... on User { name } } }', signedIn()).authorized).toBeUndefined();
    expect(check('{ named { ... on Pet { name } ... on User { name } } }', signedIn()).denials).toEqual(['named.name FORBIDDEN Pet.name']);
    expect(check('{ named { name } }', signedIn(['pets'])).authorized).toBeUndefined();
  });

  it('denies nested fields where they are, and keeps their siblings', () => {
    const { filtered, denials } = check('{ users { id profile { bio ssn } friends { email profile { ssn } } } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ users { id profile { bio } friends { profile { __typename } } } }'));
    expect(denials).toEqual(['users.profile.ssn UNAUTHENTICATED Profile.ssn', 'users.friends.email UNAUTHENTICATED User.email', 'users.friends.profile.ssn UNAUTHENTICATED Profile.ssn']);
    expect(check('{ users { id profile { bio ssn } friends { email profile { ssn } } } }', signedIn(['pii'])).authorized).toBeUndefined();
  });

  it('names a denied selection by its alias, and the same field under two aliases twice', () => {
    const { filtered, denials } = check('{ users { a: email b: email name } first: user(id: "1") { e: email } second: user(id: "2") { name } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ users { name } first: user(id: "1") { __typename } second: user(id: "2") { name } }'));
    expect(denials).toEqual(['users.a UNAUTHENTICATED User.email', 'users.b UNAUTHENTICATED User.email', 'first.e UNAUTHENTICATED User.email']);
  });

  it('asks for __typename where a selection set is left empty, so that its parent still answers', () => {
    expect(check('{ users { email } }', ANONYMOUS).filtered).toBe(printed('{ users { __typename } }'));
    // The root too: an operation with nothing left to read fetches from no subgraph.
    expect(check('{ me { id } admin }', ANONYMOUS).filtered).toBe(printed('{ __typename }'));
    // An aliased __typename is a selection like any other.
    expect(check('{ users { t: __typename email } }', ANONYMOUS).filtered).toBe(printed('{ users { t: __typename } }'));
  });

  it('sends no request to a subgraph whose whole fetch is denied', () => {
    const fetchesOf = (document: DocumentNode) => JSON.stringify(planOf(shop, document)).match(/"serviceName":"\w+"/g) ?? [];
    expect(fetchesOf(check('{ me { id } admin }', ANONYMOUS).authorized!.document)).toEqual([]);
    expect(fetchesOf(check('mutation { adminAction }', signedIn()).authorized!.document)).toEqual([]);
    expect(fetchesOf(check('{ public users { invoices { total } } }', ANONYMOUS).authorized!.document)).toEqual(['"serviceName":"accounts"']);
    // Unfiltered, the same operation asks billing too.
    expect(fetchesOf(gql('{ public users { invoices { total } } }'))).toEqual(['"serviceName":"accounts"', '"serviceName":"billing"']);
  });

  it('asks for __typename in every abstract selection, so that completion can tell the type of each item', () => {
    const { filtered } = check('{ me { id } search { ... on User { id } } named { ... on User { name } } users { name } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ search { ... on User { id } __typename } named { ... on User { name } __typename } users { name } }'));
    // Asked already, unaliased: not twice. Aliased, it does not count.
    expect(check('{ me { id } search { __typename } }', ANONYMOUS).filtered).toBe(printed('{ search { __typename } }'));
    expect(check('{ me { id } search { t: __typename } }', ANONYMOUS).filtered).toBe(printed('{ search { t: __typename __typename } }'));
  });

  it('asks for __typename in an abstract selection whose own __typename may be skipped', () => {
    // With $skip true the answer would hold no __typename, and completion could not tell an item's type (complete.test.ts).
    const { filtered } = check('query ($skip: Boolean!) { me { id } search { __typename @skip(if: $skip) ... on User { id } } }', ANONYMOUS);
    expect(filtered).toBe(printed('query ($skip: Boolean!) { search { __typename @skip(if: $skip) ... on User { id } __typename } }'));
  });

  it('keeps the planned document valid when the client names another field __typename', () => {
    // `__typename: name` takes the response key the added __typename needs. Merged with it,
    // @apollo/gateway answers the name as the type, and completion cannot tell the items' types.
    const { authorized } = check('{ me { id } named { __typename: name } }', { ...ANONYMOUS, scopes: new Set(['pets']) });
    expect(validate(shop.apiSchema, authorized!.document)).toEqual([]);
  });

  it('drops an inline fragment on a denied type, keeps one on an allowed type or without a type, filtering inside', () => {
    const { filtered, denials } = check('{ search { ... on Invoice { total } ... on User { id email } ... { __typename } } users { ... { email name } } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ search { ... on User { id } ... { __typename } __typename } users { ... { name } } }'));
    expect(denials).toEqual(['search UNAUTHENTICATED Invoice (fragment)', 'search.email UNAUTHENTICATED User.email', 'users.email UNAUTHENTICATED User.email']);
  });

  it('drops a spread of a fragment on a denied type, and the fragment with it', () => {
    const { filtered, denials } = check('{ search { ...Bill ...Person } } fragment Bill on Invoice { id total } fragment Person on User { id }', ANONYMOUS);
    expect(filtered).toBe(printed('{ search { ...Person __typename } } fragment Person on User { id }'));
    expect(denials).toEqual(['search UNAUTHENTICATED Invoice (fragment)']);
  });

  it('filters a fragment on an allowed type once, wherever it is spread, and lists each place it denies', () => {
    const { filtered, denials } = check('{ users { ...Person } user(id: "1") { friends { ...Person } } } fragment Person on User { id email }', ANONYMOUS);
    expect(filtered).toBe(printed('{ users { ...Person } user(id: "1") { friends { ...Person } } } fragment Person on User { id }'));
    expect(denials).toEqual(['users.email UNAUTHENTICATED User.email', 'user.friends.email UNAUTHENTICATED User.email']);
  });

  it('leaves a fragment emptied of its fields asking for __typename', () => {
    const { filtered, denials } = check('{ users { name ...Contact } } fragment Contact on User { email }', ANONYMOUS);
    expect(filtered).toBe(printed('{ users { name ...Contact } } fragment Contact on User { __typename }'));
    expect(denials).toEqual(['users.email UNAUTHENTICATED User.email']);
  });

  it('keeps only the fragments the filtered operation still spreads (no unused fragment)', () => {
    const { filtered } = check('{ me { ...Person } search { ...Bill } public } fragment Person on User { name ...Deep } fragment Deep on User { id } fragment Bill on Invoice { total }', ANONYMOUS);
    expect(filtered).toBe(printed('{ search { __typename } public }'));
  });

  it('removes a denied field whatever its @include or @skip, and says whether its variable stays declared', () => {
    const query = 'query ($show: Boolean!, $hide: Boolean!) { users { name email @include(if: $show) profile @skip(if: $hide) { ssn } } }';
    const { filtered, authorized, denials } = check(query, ANONYMOUS);
    expect(filtered).toBe(printed('query ($show: Boolean!, $hide: Boolean!) { users { name profile @skip(if: $hide) { __typename } } }'));
    expect(denials).toEqual(['users.email UNAUTHENTICATED User.email', 'users.profile.ssn UNAUTHENTICATED Profile.ssn']);
    // $show was used only by the denied field: still declared, now unused. graphql's validation
    // would refuse that document (NoUnusedVariables), which is why check() leaves that rule out;
    // @apollo/gateway does not validate the document it plans (operationFromDocument accepts it).
    expect(validate(shop.apiSchema, authorized!.document).map((error) => error.message)).toEqual(['Variable "$show" is never used.']);
  });

  it('keeps the chosen operation only, with its own fragments; another operation of the document denies nothing', () => {
    const query = 'query Mine { me { ...Person } public } query Theirs { users { ...Person name } } query Open { public } fragment Person on User { email }';
    const mine = check(query, ANONYMOUS, 'Mine');
    expect(mine.filtered).toBe(printed('query Mine { public }'));
    expect(mine.denials).toEqual(['me UNAUTHENTICATED Query.me']);
    const theirs = check(query, ANONYMOUS, 'Theirs');
    expect(theirs.filtered).toBe(printed('query Theirs { users { ...Person name } } fragment Person on User { __typename }'));
    expect(theirs.denials).toEqual(['users.email UNAUTHENTICATED User.email']);
    expect(check(query, ANONYMOUS, 'Open').authorized).toBeUndefined();
    // No such operation, or no name for several: nothing to decide (Apollo Server refuses those first).
    expect(authorize(shop.apiSchema, shop.rules, gql(query), 'Missing', ANONYMOUS)).toBeUndefined();
    expect(authorize(shop.apiSchema, shop.rules, gql(query), undefined, ANONYMOUS)).toBeUndefined();
  });

  it('never denies introspection: __typename, __schema, __type', () => {
    expect(check('{ __typename __schema { queryType { name } } __type(name: "Invoice") { name fields { name } } }', ANONYMOUS).authorized).toBeUndefined();
    const { filtered } = check('{ __typename me { id } __schema { types { name } } __type(name: "Invoice") { name } search { __typename } }', ANONYMOUS);
    expect(filtered).toBe(printed('{ __typename __schema { types { name } } __type(name: "Invoice") { name } search { __typename } }'));
  });

  it('filters mutations as queries: a denied mutation field is not run', () => {
    const query = 'mutation { publicAction protectedAction adminAction }';
    expect(check(query, ANONYMOUS).filtered).toBe(printed('mutation { publicAction }'));
    expect(check(query, ANONYMOUS).denials).toEqual(['protectedAction UNAUTHENTICATED Mutation.protectedAction', 'adminAction UNAUTHENTICATED Mutation.adminAction']);
    expect(check(query, signedIn()).denials).toEqual(['adminAction FORBIDDEN Mutation.adminAction']);
    expect(check(query, signedIn(['admin'])).authorized).toBeUndefined();
    expect(check('mutation { adminAction }', signedIn()).filtered).toBe(printed('mutation { __typename }'));
  });

  it("keeps the operation's name and variables", () => {
    const { filtered } = check('query Named($id: ID!) { user(id: $id) { name email } }', ANONYMOUS, 'Named');
    expect(filtered).toBe(printed('query Named($id: ID!) { user(id: $id) { name } }'));
  });
});

describe('authorize: a requirement on a root operation type', () => {
  const ROOT_GUARDED = composed({
    guarded: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@authenticated", "@requiresScopes"])
      type Query @authenticated { public: String }
      type Mutation @requiresScopes(scopes: [["write"]]) { act: Boolean }
    `,
  });

  it('is in the supergraph: composition keeps @authenticated on Query and @requiresScopes on Mutation', () => {
    expect(ROOT_GUARDED.rules?.types.get('Query')?.authenticated).toBe(true);
    expect(ROOT_GUARDED.rules?.types.get('Mutation')?.scopes).toEqual([['write']]);
  });

  it('denies every field of the root type (as the Apollo Router refuses the operation)', () => {
    // A fragment on Query is denied already; its fields directly must be too.
    expect(check('{ ... on Query { public } }', ANONYMOUS, undefined, ROOT_GUARDED).denials).toEqual([' UNAUTHENTICATED Query (fragment)']);
    expect(check('{ public }', ANONYMOUS, undefined, ROOT_GUARDED).denials).toEqual(['public UNAUTHENTICATED Query']);
    expect(check('mutation { act }', signedIn(), undefined, ROOT_GUARDED).denials).toEqual(['act FORBIDDEN Mutation']);
    expect(check('{ public }', signedIn(), undefined, ROOT_GUARDED).authorized).toBeUndefined();
  });
});

describe('deniedSelections', () => {
  it(`lists at most ${MAX_LISTED_DENIALS} denied selections`, () => {
    const aliases = Array.from({ length: MAX_LISTED_DENIALS + 10 }, (_, index) => `e${index}: email`).join(' ');
    const { authorized, document } = check(`{ users { name ${aliases} } }`, ANONYMOUS);
    expect(authorized?.denied.size).toBe(MAX_LISTED_DENIALS + 10);
    const listed = deniedSelections(document, undefined, authorized!);
    expect(listed).toHaveLength(MAX_LISTED_DENIALS);
    expect(listed[0]).toEqual({ code: 'UNAUTHENTICATED', coordinate: 'User.email', path: ['users', 'e0'], fragment: false });
  });

  it('stops at the cap inside nested selections too', () => {
    const aliases = Array.from({ length: 30 }, (_, index) => `e${index}: email`).join(' ');
    const { authorized, document } = check(`{ a: users { ${aliases} } b: users { ${aliases} } c: users { ${aliases} } }`, ANONYMOUS);
    const listed = deniedSelections(document, undefined, authorized!);
    expect(listed).toHaveLength(MAX_LISTED_DENIALS);
    expect(listed.at(-1)?.path).toEqual(['b', 'e19']);
  });

  it('lists nothing for an operation the document does not have', () => {
    const { authorized, document } = check('{ me { id } }', ANONYMOUS);
    expect(deniedSelections(document, 'Other', authorized!)).toEqual([]);
  });
});

describe('a document of nested fragments (a fragment bomb)', () => {
  /** Fragment F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^depth paths in a document of `depth` fragments. */
  function bomb(depth: number): string {
    const fragments = Array.from({ length: depth }, (_, level) =>
      level + 1 < depth ? `fragment F${level} on User { email a${level}: friends { ...F${level + 1} } b${level}: friends { ...F${level + 1} } }` : `fragment F${level} on User { email name }`,
    );
    return `{ users { ...F0 } } ${fragments.join(' ')}`;
  }

  it('is authorized, listed and searched for policies without walking every path', () => {
    const document = gql(bomb(40));
    const authorized = authorize(shop.apiSchema, shop.rules, document, undefined, ANONYMOUS);
    // One denial per fragment, not one per path.
    expect(authorized?.denied.size).toBe(40);
    expect(deniedSelections(document, undefined, authorized!)).toHaveLength(MAX_LISTED_DENIALS);
    expect(policiesOf(shop.apiSchema, shop.rules, document, undefined)).toEqual([]);
    expect(validate(shop.apiSchema, authorized!.document)).toEqual([]);
  });

  it('is as cheap when a fragment on a denied type is spread at every level', () => {
    const fragments = Array.from({ length: 40 }, (_, level) =>
      level + 1 < 40 ? `fragment F${level} on User { ...Bill a${level}: friends { ...F${level + 1} } b${level}: friends { ...F${level + 1} } }` : `fragment F${level} on User { name }`,
    );
    const document = gql(`{ search { ...Bill ... on User { ...F0 } } } fragment Bill on Invoice { id } ${fragments.join(' ')}`);
    const authorized = authorize(shop.apiSchema, shop.rules, document, undefined, ANONYMOUS);
    expect(authorized?.dropped.size).toBe(40);
    expect(deniedSelections(document, undefined, authorized!)).toHaveLength(MAX_LISTED_DENIALS);
  });
});

describe('policiesOf: the policies to decide for an operation', () => {
  it('names the policies of the chosen operation, through fragments, and no others', () => {
    const query = 'query A { ...Flags } query B { public } query C { flaggedBoth } fragment Flags on Query { flagged }';
    expect(policiesOf(shop.apiSchema, shop.rules, gql(query), 'A')).toEqual(['flag']);
    expect(policiesOf(shop.apiSchema, shop.rules, gql(query), 'B')).toEqual([]);
    expect(policiesOf(shop.apiSchema, shop.rules, gql(query), 'C').sort()).toEqual(['flag', 'other']);
  });

  it('names a policy on a type, reached by a field returning it or a fragment on it', () => {
    const typed = composed({
      typed: `
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@policy"])
        type Query { doc: Doc  any: Thing }
        type Doc @policy(policies: [["reader"]]) { text: String }
        union Thing = Doc | Other
        type Other { name: String }
      `,
    });
    expect(policiesOf(typed.apiSchema, typed.rules!, gql('{ doc { text } }'), undefined)).toEqual(['reader']);
    expect(policiesOf(typed.apiSchema, typed.rules!, gql('{ any { ... on Doc { text } } }'), undefined)).toEqual(['reader']);
    expect(policiesOf(typed.apiSchema, typed.rules!, gql('{ any { ... on Other { name } } }'), undefined)).toEqual([]);
    expect(check('{ any { ... on Doc { text } ... on Other { name } } }', ANONYMOUS, undefined, typed).denials).toEqual(['any UNAUTHENTICATED Doc (fragment)']);
    expect(check('{ any { ... on Doc { text } } }', { ...ANONYMOUS, policies: new Set(['reader']) }, undefined, typed).authorized).toBeUndefined();
  });

  it('names a policy on a root type', () => {
    const rooted = composed({
      rooted: `
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@policy"])
        type Query @policy(policies: [["open"]]) { public: String }
      `,
    });
    expect(policiesOf(rooted.apiSchema, rooted.rules!, gql('{ public }'), undefined)).toEqual(['open']);
  });
});
