import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { DEMO_USERS, migrate, type Database } from '@shop/service-kit';
import { openEmptyPglite } from '../../../service-kit/test/support/empty-database.js';
import { capturingLogger, testLogger, type LogLine } from '../../../test/support/logger.js';
import { errorCodes, graphql, type GraphQLResponse } from '../../../test/support/graphql.js';
import { newSigningKeyPem } from '../../../test/support/tokens.js';
import { usersService } from '../src/service.js';
import { seedDemoUsers } from '../src/seed.js';
import { createUsersRepository } from '../src/users-repository.js';
import { hashPassword, MINIMAL_SCRYPT_FOR_TESTS } from '../src/passwords.js';

/** Opening PGlite and migrating, and a few hashes at OWASP's cost: seconds on a busy machine. */
const TIMEOUT = 60_000;
const [DEMO_ADMIN, DEMO_ALICE] = DEMO_USERS;

type UsersService = Awaited<ReturnType<typeof usersService.create>>;

interface Running {
  service: UsersService;
  url: string;
}

/** users as its definition makes it from `env`, listening on a free loopback port. */
async function startUsers(db: Database, env: Record<string, string>, logger = testLogger('users')): Promise<Running> {
  const config = await usersService.loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', JWT_PRIVATE_KEY: newSigningKeyPem(), ...env });
  const service = await usersService.create(db, config, logger);
  return { service, url: await service.listen(0, '127.0.0.1') };
}

const REGISTER = `mutation ($email: String!) { register(input: { email: $email, password: "long-enough", name: "New" }) { token } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token refreshToken } }`;
const field = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.field;
const emailsLike = async (db: Database, pattern: string) =>
  (await db.query<{ email: string }>('SELECT email FROM users WHERE email LIKE $1 ORDER BY email', [pattern])).map((row) => row.email);

describe('users: password work, demo accounts and ids (in process)', { timeout: TIMEOUT }, () => {
  let db: Database;
  let users: Running;

  beforeAll(async () => {
    db = await openEmptyPglite();
    await migrate(db, fileURLToPath(usersService.migrations));
    // As development leaves it: the demo accounts with their published passwords.
    await seedDemoUsers(createUsersRepository(db), testLogger('users'), MINIMAL_SCRYPT_FOR_TESTS);
    // The cheapest hashes, except where the cost itself is under test.
    users = await startUsers(db, { PASSWORD_HASH_COST: 'minimal-for-tests', PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE: '4' });
  }, TIMEOUT);
  afterAll(async () => {
    await users?.service.stop();
    await db?.close();
  });

  /** Sends `document` to users and says how many password hashes it cost. */
  async function hashesOf(document: string, variables: Record<string, unknown> = {}, token?: string) {
    const before = users.service.passwords.computed;
    const response = await graphql(users.url, document, { variables, token });
    return { response, hashes: users.service.passwords.computed - before };
  }

  describe('one password field per operation', () => {
    it('refuses 15 aliased registrations as BAD_USER_INPUT before hashing anything, and creates no account', async () => {
      const fields = Array.from({ length: 15 }, (_, n) => `r${n}: register(input: { email: "aliased-${n}@example.com", password: "long-enough", name: "A" }) { token }`);
      const { response, hashes } = await hashesOf(`mutation { ${fields.join(' ')} }`);
      expect(errorCodes(response)[0]).toBe('BAD_USER_INPUT');
      expect(response.data).toBeNull();
      expect(hashes).toBe(0);
      expect(await emailsLike(db, 'aliased-%')).toEqual([]);
    });

    it.for<[string, string, Record<string, unknown>]>([
      ['two aliased logins', `mutation { a: login(email: "x@example.com", password: "guess-one") { token } b: login(email: "x@example.com", password: "guess-two") { token } }`, {}],
      ['two logins in fragments', `mutation { ...A ... on Mutation { b: login(email: "x@example.com", password: "guess-two") { token } } } fragment A on Mutation { a: login(email: "x@example.com", password: "guess-one") { token } }`, {}],
      ['a login and an updateMe whose variable carries a password', `mutation ($input: UpdateMeInput!) { login(email: "x@example.com", password: "guess-one") { token } updateMe(input: $input) { name } }`, { input: { currentPassword: 'guess-two' } }],
      ['changePassword and deleteMe', `mutation { changePassword(currentPassword: "a-guess", newPassword: "another-one") { token } deleteMe(currentPassword: "b-guess") }`, {}],
    ])('refuses %s as BAD_USER_INPUT without hashing', async ([, document, variables]) => {
      const { response, hashes } = await hashesOf(document, variables);
      expect(errorCodes(response)[0]).toBe('BAD_USER_INPUT');
      expect(hashes).toBe(0);
    });

    it('lets one password field run beside fields that check none, skipped ones and repeats of one response key', async () => {
      const { response, hashes } = await hashesOf(
        `mutation ($skip: Boolean!) {
          login(email: "${DEMO_ALICE.email}", password: "${DEMO_ALICE.password}") { token }
          login(email: "${DEMO_ALICE.email}", password: "${DEMO_ALICE.password}") { token }
          again: login(email: "x@example.com", password: "guess") @skip(if: $skip) { token }
          updateMe(input: { name: "Alice Renamed", currentPassword: null }) { name }
        }`,
        { skip: true },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toMatchObject({ updateMe: { name: 'Alice Renamed' } });
      expect(hashes).toBe(1);
    });
  });

  describe('bounded hashing', () => {
    it('answers SERVICE_UNAVAILABLE at once when the hash slots and their queue are taken, and signs in again once they are free', async () => {
      const { bound } = users.service.passwords;
      const releases: (() => void)[] = [];
      // Every slot and every place in the queue taken by a job that waits for the test.
      const held = Array.from({ length: 2 + 4 }, () => bound(() => new Promise<void>((release) => releases.push(release))));
      await new Promise((resolve) => setImmediate(resolve));
      expect([bound.running, bound.waiting]).toEqual([2, 4]);

      const { response, hashes } = await hashesOf(LOGIN, { email: DEMO_ALICE.email, password: DEMO_ALICE.password });
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(hashes).toBe(0);
      expect(errorCodes((await hashesOf(REGISTER, { email: 'while-busy@example.com' })).response)).toEqual(['SERVICE_UNAVAILABLE']);

      while (releases.length > 0 || bound.running > 0) {
        releases.splice(0).forEach((release) => release());
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(held);
      expect((await hashesOf(LOGIN, { email: DEMO_ALICE.email, password: DEMO_ALICE.password })).response.errors).toBeUndefined();
    });
  });

  describe('hashes renewed at sign-in', () => {
    it("verifies a hash of weaker parameters, replaces it with one at OWASP's minimum, and only once", async () => {
      const owasp = await startUsers(db, {});
      try {
        const email = 'weak-hash@example.com';
        await createUsersRepository(db).createUser({ email, name: 'Old', role: 'CUSTOMER', passwordHash: await hashPassword('old-password', { N: 2 ** 15, r: 8, p: 1 }) });
        const stored = async () => (await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [email]))[0]!.password_hash;
        const signIn = async (password: string) => {
          const before = owasp.service.passwords.computed;
          const response = await graphql(owasp.url, LOGIN, { variables: { email, password } });
          return { response, hashes: owasp.service.passwords.computed - before };
        };

        const first = await signIn('old-password');
        expect(first.response.errors).toBeUndefined();
        expect(first.hashes).toBe(2);
        expect(await stored()).toMatch(/^scrypt\$32768\$8\$3\$/);

        const second = await signIn('old-password');
        expect(second.response.errors).toBeUndefined();
        expect(second.hashes).toBe(1);
        expect(errorCodes((await signIn('wrong-password')).response)).toEqual(['UNAUTHENTICATED']);
      } finally {
        await owasp.service.stop();
      }
    });
  });

  describe('demo emails', () => {
    it.for(['admin@example.com', '  ALICE@Example.com '])('refuses to register %j as CONFLICT, without hashing, even with no such account', async (email) => {
      await db.query('UPDATE users SET email = $2 WHERE id = $1', [DEMO_ADMIN.id, 'renamed-admin@example.com']);
      try {
        const { response, hashes } = await hashesOf(REGISTER, { email });
        expect(errorCodes(response)).toEqual(['CONFLICT']);
        expect(response.errors?.[0]?.message).toMatch(/demo account/);
        expect(hashes).toBe(0);
      } finally {
        await db.query('UPDATE users SET email = $2 WHERE id = $1', [DEMO_ADMIN.id, DEMO_ADMIN.email]);
      }
    });

    it("refuses to change another account's email to a demo one", async () => {
      const registered = await graphql<{ register: { token: string } }>(users.url, REGISTER, { variables: { email: 'wants-admin@example.com' } });
      const change = await graphql(users.url, `mutation { updateMe(input: { email: "Admin@example.com", currentPassword: "long-enough" }) { email } }`, {
        token: registered.data!.register.token,
      });
      expect(errorCodes(change)).toEqual(['CONFLICT']);
      expect(change.errors?.[0]?.message).toMatch(/demo account/);
    });

    it('lets a demo account keep its own email when it sends it back', async () => {
      const admin = await graphql<{ login: { token: string } }>(users.url, LOGIN, { variables: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } });
      const same = await graphql(users.url, `mutation { updateMe(input: { email: "ADMIN@example.com", name: "Ada Admin", currentPassword: "${DEMO_ADMIN.password}" }) { email } }`, {
        token: admin.data!.login.token,
      });
      expect(same.errors).toBeUndefined();
      await db.query('UPDATE users SET email = $2 WHERE id = $1', [DEMO_ADMIN.id, DEMO_ADMIN.email]);
    });
  });

  describe('emails: one comparison in code and database', () => {
    it('refuses to register an address outside ASCII as BAD_USER_INPUT, without hashing', async () => {
      const { response, hashes } = await hashesOf(REGISTER, { email: 'admİn@example.com' });
      expect([errorCodes(response), field(response)]).toEqual([['BAD_USER_INPUT'], 'email']);
      expect(hashes).toBe(0);
    });

    it("finds and keeps unique an account by its ASCII letters in any case, and by no other letter, whatever lower() would fold (İ, K)", async () => {
      const repository = createUsersRepository(db);
      const account = (email: string) => ({ email, name: 'Case', role: 'CUSTOMER' as const, passwordHash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==' });
      // As a row from before non-ASCII addresses were refused would be.
      const dotted = await repository.createUser(account('case-İ@example.com'));
      const kelvin = await repository.createUser(account('case-\u212A@example.com'));
      expect((await repository.findUserWithPasswordByEmail('CASE-İ@EXAMPLE.COM'))?.id).toBe(dotted.id);
      expect((await repository.findUserWithPasswordByEmail('case-\u212A@Example.com'))?.id).toBe(kelvin.id);
      // The addresses users' checks take for others are others here too: free, and not found as these.
      for (const other of ['case-i@example.com', 'case-k@example.com']) {
        expect(await repository.findUserWithPasswordByEmail(other)).toBeNull();
        await repository.createUser(account(other));
      }
      await expect(repository.createUser(account('CASE-I@example.COM'))).rejects.toThrow('email taken');
    });
  });

  describe('ids from clients', () => {
    it.for<[string, string]>([
      ['user', `query ($id: ID!) { user(id: $id) { id } }`],
      ['setUserRole', `mutation ($id: ID!) { setUserRole(id: $id, role: ADMIN) { id } }`],
      ['deleteUser', `mutation ($id: ID!) { deleteUser(id: $id) }`],
    ])('%s refuses an id that is not a uuid as BAD_USER_INPUT naming id', async ([, document]) => {
      const admin = await graphql<{ login: { token: string } }>(users.url, LOGIN, { variables: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } });
      for (const id of ['not-a-uuid', 'x'.repeat(5000)]) {
        const response = await graphql(users.url, document, { token: admin.data!.login.token, variables: { id } });
        expect([errorCodes(response), field(response)]).toEqual([['BAD_USER_INPUT'], 'id']);
        expect(response.errors?.[0]?.message).not.toContain(id);
      }
    });

    it('answers an entity lookup of an id that is not a uuid with null, without an error (the gateway sends those)', async () => {
      const entities = await graphql(users.url, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`, {
        variables: { r: [{ __typename: 'User', id: 'not-a-uuid' }] },
      });
      expect(entities.errors).toBeUndefined();
      expect(entities.data).toEqual({ _entities: [null] });
    });
  });

  // Last: it disables the demo admin of this file's database.
  describe('a demo account in production', () => {
    const production = { NODE_ENV: 'production' };
    const errors = (lines: LogLine[], level: number) => lines.filter((line) => line.level === level && /demo account/.test(line.msg));

    it('is disabled when it keeps its published password, its sessions ended, said at error level; the service starts', async () => {
      // Signed in before the production start: a session it must end.
      const before = await graphql<{ login: { token: string; refreshToken: string } }>(users.url, LOGIN, { variables: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } });
      const { sid } = decodeJwt(before.data!.login.token);
      // Alice chose a password of her own: her account stays as it is.
      await createUsersRepository(db).replacePasswordHash(
        DEMO_ALICE.id,
        (await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [DEMO_ALICE.id]))[0]!.password_hash,
        await hashPassword('her-own-password', MINIMAL_SCRYPT_FOR_TESTS),
      );

      const { logger, lines } = capturingLogger('warn');
      const live = await startUsers(db, production, logger);
      try {
        expect(errors(lines, 50)).toEqual([expect.objectContaining({ userId: DEMO_ADMIN.id, email: DEMO_ADMIN.email })]);
        const login = await graphql(live.url, LOGIN, { variables: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } });
        expect(errorCodes(login)).toEqual(['UNAUTHENTICATED']);
        const refresh = await graphql(live.url, `mutation ($t: String!) { refreshSession(refreshToken: $t) { token } }`, { variables: { t: before.data!.login.refreshToken } });
        expect(errorCodes(refresh)).toEqual(['UNAUTHENTICATED']);
        // What the gateway reads to refuse the access token still out.
        expect(await live.service.sessions.revocationsAfter('0')).toContainEqual(expect.objectContaining({ sessionId: sid, ended: true }));
        expect((await graphql(live.url, LOGIN, { variables: { email: DEMO_ALICE.email, password: 'her-own-password' } })).errors).toBeUndefined();
      } finally {
        await live.service.stop();
      }

      // The next start says it again, as a warning: the account stays disabled.
      const again = capturingLogger('warn');
      const restarted = await startUsers(db, production, again.logger);
      await restarted.service.stop();
      expect(errors(again.lines, 50)).toEqual([]);
      expect(errors(again.lines, 40)).toEqual([expect.objectContaining({ userId: DEMO_ADMIN.id })]);
    });

    it('is known by its fixed id: an account that took a demo email (before they were refused) keeps no one from starting', async () => {
      await db.query('DELETE FROM users WHERE id = $1', [DEMO_ADMIN.id]);
      const squatter = await createUsersRepository(db).createUser({
        email: DEMO_ADMIN.email,
        name: 'Squatter',
        role: 'CUSTOMER',
        passwordHash: await hashPassword(DEMO_ADMIN.password, MINIMAL_SCRYPT_FOR_TESTS),
      });
      const live = await startUsers(db, production);
      await live.service.stop();
      expect((await db.query('SELECT disabled_at FROM users WHERE id = $1', [squatter.id]))[0]).toEqual({ disabled_at: null });
    });
  });
});
