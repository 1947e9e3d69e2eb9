import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { LoginDocument, MeDocument, OrderDocument, RegisterDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { createOrder, createProduct } from './support/checkout.js';
import { ADMIN, ALICE, errorCodes, graphql, login, msUntilRefused, type GraphQLResponse } from './support/graphql.js';
import type { Stack } from './support/stack.js';

// The accounts operations have no SDK documents yet: the tests write theirs.
const UPDATE_ME = `mutation ($input: UpdateMeInput!) { updateMe(input: $input) { id email name role } }`;
const CHANGE_PASSWORD = `mutation ($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
    token accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email }
  }
}`;
const USERS = `query ($first: Int, $after: String, $search: String, $role: Role) {
  users(first: $first, after: $after, search: $search, role: $role) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } nodes { id email name role }
  }
}`;
const SET_USER_ROLE = `mutation ($id: ID!, $role: Role!) { setUserRole(id: $id, role: $role) { id role } }`;
const DELETE_ME = `mutation ($currentPassword: String!) { deleteMe(currentPassword: $currentPassword) }`;
const DELETE_USER = `mutation ($id: ID!) { deleteUser(id: $id) }`;
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { token refreshToken user { id } } }`;
const REFRESH = `mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { token refreshToken user { role } } }`;

interface UserFields {
  id: string;
  email: string;
  name: string;
  role: 'CUSTOMER' | 'ADMIN';
}
interface UsersPage {
  users: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string } }[];
    nodes: UserFields[];
  };
}

const PASSWORD = 'first-password';

/** A new customer, signed up through the gateway: their id, email, name, access and refresh token. */
async function newAccount(stack: Stack, name = 'Account Holder') {
  const email = `account-${randomUUID()}@example.com`;
  const response = await graphql<{ register: { token: string; refreshToken: string; user: { id: string } } }>(stack.gatewayUrl, REGISTER, {
    variables: { input: { email, password: PASSWORD, name } },
  });
  if (!response.data?.register) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  const { token, refreshToken, user } = response.data.register;
  return { id: user.id, email, name, token, refreshToken };
}

const refresh = (stack: Stack, refreshToken: string) =>
  graphql<{ refreshSession: { token: string; refreshToken: string; user: { role: string } } }>(stack.gatewayUrl, REFRESH, { variables: { refreshToken } });

const field = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.field;

describe('updateMe', () => {
  it('changes the name alone without a password, trimmed, and refuses bad input naming the field', async ({ stack }) => {
    const account = await newAccount(stack);
    const renamed = await graphql<{ updateMe: UserFields }>(stack.gatewayUrl, UPDATE_ME, { token: account.token, variables: { input: { name: '  New Name ' } } });
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data!.updateMe).toEqual({ id: account.id, email: account.email, name: 'New Name', role: 'CUSTOMER' });

    const emptyName = await graphql(stack.gatewayUrl, UPDATE_ME, { token: account.token, variables: { input: { name: '   ' } } });
    expect([errorCodes(emptyName), field(emptyName)]).toEqual([['BAD_USER_INPUT'], 'name']);
    const badEmail = await graphql(stack.gatewayUrl, UPDATE_ME, { token: account.token, variables: { input: { email: 'not-an-email', currentPassword: PASSWORD } } });
    expect([errorCodes(badEmail), field(badEmail)]).toEqual([['BAD_USER_INPUT'], 'email']);
    expect(errorCodes(await graphql(stack.gatewayUrl, UPDATE_ME, { variables: { input: { name: 'Anonymous' } } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('changes the email only with the current password, refuses a taken one as CONFLICT, and signs in with the new one', async ({ stack }) => {
    const account = await newAccount(stack);
    const email = `changed-${randomUUID()}@example.com`;
    const update = (input: Record<string, string>) => graphql<{ updateMe: UserFields }>(stack.gatewayUrl, UPDATE_ME, { token: account.token, variables: { input } });

    expect(errorCodes(await update({ email }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await update({ email, currentPassword: 'wrong-password' }))).toEqual(['UNAUTHENTICATED']);
    // A wrong password sent along a name change fails too: it is checked whenever it is sent.
    expect(errorCodes(await update({ name: 'X', currentPassword: 'wrong-password' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await update({ email: ALICE.email.toUpperCase(), currentPassword: PASSWORD }))).toEqual(['CONFLICT']);

    const changed = await update({ email: `  ${email}  `, name: 'Both Changed', currentPassword: PASSWORD });
    expect(changed.errors).toBeUndefined();
    expect(changed.data!.updateMe).toMatchObject({ email, name: 'Both Changed' });
    // The unchanged email may be sent back (a whole form) without a password.
    expect((await update({ email, name: 'Same Email' })).data?.updateMe.name).toBe('Same Email');

    expect(errorCodes(await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: account.email, password: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
    const me = await graphql(stack.gatewayUrl, MeDocument, { token: await login(stack.gatewayUrl, email, PASSWORD) });
    expect(me.data?.me?.id).toBe(account.id);
  });
});

describe('changePassword', () => {
  it('refuses a short new password naming newPassword and a wrong current one as UNAUTHENTICATED, changing nothing', async ({ stack }) => {
    const account = await newAccount(stack);
    const change = (currentPassword: string, newPassword: string) => graphql(stack.gatewayUrl, CHANGE_PASSWORD, { token: account.token, variables: { currentPassword, newPassword } });
    const short = await change(PASSWORD, 'short');
    expect([errorCodes(short), field(short)]).toEqual([['BAD_USER_INPUT'], 'newPassword']);
    expect(errorCodes(await change('wrong-password', 'second-password'))).toEqual(['UNAUTHENTICATED']);
    expect(await login(stack.gatewayUrl, account.email, PASSWORD)).toEqual(expect.any(String));
  });

  it('changes the password, ends every session and answers a new one for this device', async ({ stack }) => {
    const account = await newAccount(stack);
    const changed = await graphql<{ changePassword: { token: string; refreshToken: string; accessTokenExpiresAt: string; refreshTokenExpiresAt: string; user: { id: string; email: string } } }>(
      stack.gatewayUrl,
      CHANGE_PASSWORD,
      { token: account.token, variables: { currentPassword: PASSWORD, newPassword: 'second-password' } },
    );
    expect(changed.errors).toBeUndefined();
    const session = changed.data!.changePassword;
    expect(session).toMatchObject({ token: expect.any(String), refreshToken: expect.any(String), user: { id: account.id, email: account.email } });
    expect(new Date(session.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(session.refreshTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await graphql(stack.gatewayUrl, MeDocument, { token: session.token })).data?.me?.id).toBe(account.id);

    expect(errorCodes(await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: account.email, password: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
    expect(await login(stack.gatewayUrl, account.email, 'second-password')).toEqual(expect.any(String));

    // The session from before (sign-up) is over: its refresh token at once, its access token at the gateway soon.
    expect(errorCodes(await refresh(stack, account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await msUntilRefused(stack.gatewayUrl, account.token, 5_000)).toBeLessThan(5_000);
    expect((await refresh(stack, session.refreshToken)).errors).toBeUndefined();
  });
});

describe('users (admin list)', () => {
  it('is for admins only', async ({ shop: { stack, alice } }) => {
    expect(errorCodes(await graphql(stack.gatewayUrl, USERS, { token: alice }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, USERS))).toEqual(['UNAUTHENTICATED']);
  });

  it('pages every user oldest first with cursors, the total over all pages', async ({ shop: { stack, admin } }) => {
    await newAccount(stack);
    const page = async (variables: Record<string, unknown>) => {
      const response = await graphql<UsersPage>(stack.gatewayUrl, USERS, { token: admin, variables });
      expect(response.errors).toBeUndefined();
      return response.data!.users;
    };
    const all = await page({ first: 100 });
    // The seeded accounts come first, in the order they were created.
    expect(all.nodes.slice(0, 2).map((user) => user.email)).toEqual([ADMIN.email, ALICE.email]);
    expect(all.totalCount).toBe(all.nodes.length);
    expect(all.pageInfo.hasNextPage).toBe(false);

    const paged: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages <= all.totalCount; pages += 1) {
      const current = await page({ first: 2, after });
      expect(current.totalCount).toBe(all.totalCount);
      expect(current.edges.map((edge) => edge.node.id)).toEqual(current.nodes.map((node) => node.id));
      paged.push(...current.nodes.map((node) => node.id));
      after = current.pageInfo.endCursor;
      if (!current.pageInfo.hasNextPage) break;
    }
    expect(paged).toEqual(all.nodes.map((user) => user.id));

    for (const first of [0, 101]) {
      const refused = await graphql(stack.gatewayUrl, USERS, { token: admin, variables: { first } });
      expect([errorCodes(refused), field(refused)]).toEqual([['BAD_USER_INPUT'], 'first']);
    }
    const badCursor = await graphql(stack.gatewayUrl, USERS, { token: admin, variables: { after: 'not-a-cursor' } });
    expect([errorCodes(badCursor), field(badCursor)]).toEqual([['BAD_USER_INPUT'], 'after']);
  });

  it('searches name or email in any case, % and _ as themselves, and filters by role', async ({ shop: { stack, admin } }) => {
    const tag = randomUUID().slice(0, 8);
    const percent = await newAccount(stack, `Sale 100% ${tag}`);
    const underscore = await newAccount(stack, `snake_case ${tag}`);
    await newAccount(stack, `Plain 100 ${tag}`);
    const search = async (variables: Record<string, unknown>) => (await graphql<UsersPage>(stack.gatewayUrl, USERS, { token: admin, variables })).data!.users;

    expect((await search({ search: tag.toUpperCase() })).totalCount).toBe(3);
    expect((await search({ search: `100% ${tag}` })).nodes.map((user) => user.id)).toEqual([percent.id]);
    expect((await search({ search: `e_c` })).nodes.map((user) => user.id)).toEqual([underscore.id]);
    expect((await search({ search: 'ALICE@EXAMPLE' })).nodes.map((user) => user.email)).toEqual([ALICE.email]);
    expect((await search({ search: '%' })).nodes.map((user) => user.id)).toEqual([percent.id]);

    const admins = await search({ role: 'ADMIN' });
    expect(admins.nodes.every((user) => user.role === 'ADMIN')).toBe(true);
    expect(admins.nodes.map((user) => user.email)).toContain(ADMIN.email);
    expect(await search({ role: 'CUSTOMER', search: tag })).toMatchObject({ totalCount: 3 });
    expect(await search({ role: 'ADMIN', search: tag })).toMatchObject({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});

describe('setUserRole', () => {
  it('is for admins only, refuses an unknown id as NOT_FOUND and one that is not an id as BAD_USER_INPUT', async ({ shop: { stack, alice, admin } }) => {
    const account = await newAccount(stack);
    expect(errorCodes(await graphql(stack.gatewayUrl, SET_USER_ROLE, { token: alice, variables: { id: account.id, role: 'ADMIN' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, SET_USER_ROLE, { token: admin, variables: { id: randomUUID(), role: 'ADMIN' } }))).toEqual(['NOT_FOUND']);
    const malformed = await graphql(stack.gatewayUrl, SET_USER_ROLE, { token: admin, variables: { id: 'not-a-uuid', role: 'ADMIN' } });
    expect([errorCodes(malformed), field(malformed)]).toEqual([['BAD_USER_INPUT'], 'id']);
  });

  it('promotes a customer, whose session carries the role from its next refresh, and demotes them again', async ({ shop: { stack, admin } }) => {
    const account = await newAccount(stack);
    const set = (role: string) => graphql<{ setUserRole: { id: string; role: string } }>(stack.gatewayUrl, SET_USER_ROLE, { token: admin, variables: { id: account.id, role } });
    expect((await set('ADMIN')).data?.setUserRole).toEqual({ id: account.id, role: 'ADMIN' });
    const refreshed = (await refresh(stack, account.refreshToken)).data!.refreshSession;
    expect(refreshed.user.role).toBe('ADMIN');
    expect((await graphql(stack.gatewayUrl, USERS, { token: refreshed.token, variables: { first: 1 } })).errors).toBeUndefined();
    expect((await set('CUSTOMER')).data?.setUserRole).toEqual({ id: account.id, role: 'CUSTOMER' });
    // Demoted, but still holding a token that says ADMIN: users itself (which accepts that token until it expires) refuses it
    // any admin act, such as restoring the role; the gateway refuses the token within the bound; the next refresh says CUSTOMER.
    const restore = await graphql(stack.urls.users, SET_USER_ROLE, { token: refreshed.token, variables: { id: account.id, role: 'ADMIN' } });
    expect(errorCodes(restore)).toEqual(['FORBIDDEN']);
    expect(await msUntilRefused(stack.gatewayUrl, refreshed.token, 5_000)).toBeLessThan(5_000);
    const demoted = (await refresh(stack, refreshed.refreshToken)).data!.refreshSession;
    expect(demoted.user.role).toBe('CUSTOMER');
    expect(errorCodes(await graphql(stack.gatewayUrl, USERS, { token: demoted.token, variables: { first: 1 } }))).toEqual(['FORBIDDEN']);
    expect((await set('CUSTOMER')).data?.setUserRole).toEqual({ id: account.id, role: 'CUSTOMER' });
  });
});

describe('erasure', () => {
  it('deleteMe needs the current password; deleteUser is for admins and refuses an unknown id', async ({ shop: { stack, alice, admin } }) => {
    const account = await newAccount(stack);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_ME, { token: account.token, variables: { currentPassword: 'wrong-password' } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_ME, { variables: { currentPassword: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_USER, { token: alice, variables: { id: account.id } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_USER, { token: admin, variables: { id: randomUUID() } }))).toEqual(['NOT_FOUND']);

    expect((await graphql(stack.gatewayUrl, DELETE_USER, { token: admin, variables: { id: account.id } })).data).toEqual({ deleteUser: true });
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_USER, { token: admin, variables: { id: account.id } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await graphql(stack.gatewayUrl, LoginDocument, { variables: { email: account.email, password: PASSWORD } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('erases every trace of the name and email; the orders stay, their user null without an error; the email may sign up again', async ({ shop: { stack, admin } }) => {
    const name = `Erased ${randomUUID()}`;
    const account = await newAccount(stack, name);
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
    const order = (await createOrder(stack.gatewayUrl, account.token, [{ productId, quantity: 1 }])).data!.createOrder;

    expect((await graphql(stack.gatewayUrl, DELETE_ME, { token: account.token, variables: { currentPassword: PASSWORD } })).data).toEqual({ deleteMe: true });
    // The sessions ended with the account: the revocations outlive the user.
    expect(errorCodes(await refresh(stack, account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await msUntilRefused(stack.gatewayUrl, account.token, 5_000)).toBeLessThan(5_000);

    // Every row of every table of users' database, as text: neither string may appear.
    const tables = await stack.dbs.users.query<{ name: string }>(
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((table) => table.name)).toContain('public.users');
    for (const table of tables) {
      const rows = await stack.dbs.users.query<{ row: string }>(`SELECT t::text AS row FROM ${table.name} t`);
      for (const { row } of rows) {
        expect(row, table.name).not.toContain(account.email);
        expect(row, table.name).not.toContain(name);
      }
    }

    const read = await graphql(stack.gatewayUrl, OrderDocument, { token: admin, variables: { id: order.id } });
    expect(read.errors).toBeUndefined();
    // Nor any note beside the data (@apollo/gateway reports fields it had to null in extensions.valueCompletion).
    expect(read).not.toHaveProperty('extensions');
    expect(read.data?.order).toMatchObject({ id: order.id, user: null });
    expect((await graphql(stack.gatewayUrl, `query ($id: ID!) { user(id: $id) { id } }`, { token: admin, variables: { id: account.id } })).data).toEqual({ user: null });

    const again = await graphql(stack.gatewayUrl, RegisterDocument, { variables: { input: { email: account.email, password: PASSWORD, name } } });
    expect(again.errors).toBeUndefined();
    expect(again.data!.register.user.id).not.toBe(account.id);
  });

  it("answers users' entity lookup of an unknown id with null, without an error", async ({ shop: { stack, admin } }) => {
    const entities = await graphql<{ _entities: unknown[] }>(stack.urls.users, `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id name } } }`, {
      token: admin,
      variables: { representations: [{ __typename: 'User', id: randomUUID() }] },
    });
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([null]);
  });
});

describe('the last admin', () => {
  // Last in the file: it demotes and erases admins, and may demote the seeded one.
  it('cannot be demoted or erased (CONFLICT), nor lost to two admins demoting each other at once', async ({ stack }) => {
    const seededAdmin = await login(stack.gatewayUrl, ADMIN.email, ADMIN.password);
    const adminId = (await graphql(stack.gatewayUrl, MeDocument, { token: seededAdmin })).data!.me!.id;
    const listAdmins = async (token: string) => (await graphql<UsersPage>(stack.gatewayUrl, USERS, { token, variables: { role: 'ADMIN', first: 100 } })).data!.users.nodes;
    for (const other of (await listAdmins(seededAdmin)).filter((user) => user.id !== adminId)) {
      await graphql(stack.gatewayUrl, DELETE_USER, { token: seededAdmin, variables: { id: other.id } });
    }

    expect(errorCodes(await graphql(stack.gatewayUrl, SET_USER_ROLE, { token: seededAdmin, variables: { id: adminId, role: 'CUSTOMER' } }))).toEqual(['CONFLICT']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_USER, { token: seededAdmin, variables: { id: adminId } }))).toEqual(['CONFLICT']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DELETE_ME, { token: seededAdmin, variables: { currentPassword: ADMIN.password } }))).toEqual(['CONFLICT']);

    // Two admins demote each other at once: the admin rows are locked before anything is checked,
    // so one demotion waits for the other, and then its own admin is an admin no more: FORBIDDEN
    // (decisive on PostgreSQL, where the transactions overlap; PGlite runs them one after the other).
    // Sent to users itself: through the gateway, a revocation poll landing between the two could
    // refuse the demoted admin's token there first (UNAUTHENTICATED), before users decides.
    const second = await newAccount(stack);
    await graphql(stack.gatewayUrl, SET_USER_ROLE, { token: seededAdmin, variables: { id: second.id, role: 'ADMIN' } });
    const secondAdmin = await login(stack.gatewayUrl, second.email, PASSWORD);
    const results = await Promise.all([
      graphql(stack.urls.users, SET_USER_ROLE, { token: seededAdmin, variables: { id: second.id, role: 'CUSTOMER' } }),
      graphql(stack.urls.users, SET_USER_ROLE, { token: secondAdmin, variables: { id: adminId, role: 'CUSTOMER' } }),
    ]);
    expect(results.map(errorCodes).flat()).toEqual(['FORBIDDEN']);
    const remaining = await stack.dbs.users.query<{ count: number }>(`SELECT count(*)::int AS count FROM users WHERE role = 'ADMIN'`);
    expect(remaining[0]?.count).toBe(1);
  });
});
