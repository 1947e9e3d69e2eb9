import { decodeCursor, isUuid, pageOf, type Database, type Page, type Queryable, type Role, type Transaction } from '@shop/service-kit';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

/** A user in a page of the admin list, with its keyset position (oldest account first), as text: cursors carry it. */
export interface UserPageRow extends UserRow {
  seq: string;
}

export interface UserWithPasswordRow extends UserRow {
  password_hash: string;
  /** When the account was disabled (nobody may sign in as it); null while it is not. */
  disabled_at: Date | null;
}

export interface NewUser {
  id?: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

/** Profile fields a user may change; absent ones stay as they are. */
export interface UserChanges {
  email?: string;
  name?: string;
}

export interface UsersPageQuery {
  limit: number;
  after?: string | null;
  search?: string | null;
  role?: Role | null;
}

const COLUMNS = 'id, email, name, role, created_at';
const WITH_PASSWORD = `${COLUMNS}, password_hash, disabled_at`;
const UNIQUE_VIOLATION = '23505';

/** `%`, `_` and `\` are wildcards in LIKE; a search for them means the characters themselves. */
const likePattern = (search: string) => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function emailTaken(error: unknown): never {
  if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new EmailTakenError();
  throw error;
}

export class EmailTakenError extends Error {
  constructor() {
    super('email taken');
  }
}

/** SQL of accounts. Writes take an optional transaction (`tx`) and run on their own without one. */
export function createUsersRepository(db: Database) {
  return {
    /** Runs `work` in one transaction: commits when it returns, rolls back when it throws. */
    transaction: <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => db.transaction(work),

    /** Rows for the ids that exist, in any order; one statement whatever the count. */
    async listUsersByIds(ids: readonly string[]): Promise<UserRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [valid], { prepare: true });
    },

    /** The account of `email`, compared as emailKey does (ASCII letters in any case), through the unique index. */
    async findUserWithPasswordByEmail(email: string): Promise<UserWithPasswordRow | null> {
      const rows = await db.query<UserWithPasswordRow>(
        `SELECT ${WITH_PASSWORD} FROM users WHERE lower(email COLLATE "C") = lower($1 COLLATE "C")`,
        [email],
      );
      return rows[0] ?? null;
    },

    async findUserById(id: string): Promise<UserRow | null> {
      if (!isUuid(id)) return null;
      const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },

    async findUserWithPasswordById(id: string): Promise<UserWithPasswordRow | null> {
      if (!isUuid(id)) return null;
      const rows = await db.query<UserWithPasswordRow>(`SELECT ${WITH_PASSWORD} FROM users WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },

    /**
     * One page (`limit` rows after the cursor) of the users matching `search` (name or email, any
     * case) and `role`, oldest first, and the number of all matches, in one statement.
     */
    async listUsersPage({ limit, after, search, role }: UsersPageQuery): Promise<Page<UserPageRow>> {
      const afterSeq = after ? decodeCursor(after) : null;
      // seq leaves as text (cursors carry it); SQL that sorts must name the table's column, not this alias.
      const rows = await db.query<UserPageRow & { total_count: number }>(
        `WITH matching AS (
           SELECT * FROM users
           WHERE ($1::text IS NULL OR name ILIKE $1 OR email ILIKE $1) AND ($2::text IS NULL OR role = $2)
         ), total AS (SELECT count(*)::int AS total_count FROM matching)
         SELECT total.total_count, page.*
         FROM total LEFT JOIN LATERAL (
           SELECT ${COLUMNS}, seq::text AS seq FROM matching WHERE $3::bigint IS NULL OR matching.seq > $3::bigint ORDER BY matching.seq LIMIT $4
         ) page ON true
         ORDER BY page.seq::bigint`,
        [search ? likePattern(search) : null, role ?? null, afterSeq, limit],
      );
      return pageOf(rows);
    },

    /**
     * Locks every admin's row and the user's (in id order, so two such transactions cannot
     * deadlock) and returns them: a count of admins taken under these locks stays true until
     * the transaction ends, whatever other demotions or erasures run meanwhile.
     */
    async listUserAndAdminsForUpdate(id: string, tx: Queryable): Promise<UserRow[]> {
      return tx.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE role = 'ADMIN' OR id = $1::uuid ORDER BY id FOR UPDATE`,
        [isUuid(id) ? id : null],
      );
    },

    /** Sets the given fields; null when there is no such user. Throws EmailTakenError when the email is in use. */
    async updateUser(id: string, changes: UserChanges, tx: Queryable = db): Promise<UserRow | null> {
      if (!isUuid(id)) return null;
      try {
        const rows = await tx.query<UserRow>(
          `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name) WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, changes.email ?? null, changes.name ?? null],
        );
        return rows[0] ?? null;
      } catch (error) {
        return emailTaken(error);
      }
    },

    async updatePasswordHash(id: string, passwordHash: string, tx: Queryable = db): Promise<UserRow | null> {
      if (!isUuid(id)) return null;
      const rows = await tx.query<UserRow>(`UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, passwordHash]);
      return rows[0] ?? null;
    },

    /**
     * Replaces a hash that verified by one of the current parameters, unless the password changed
     * meanwhile (then the new one stays); whether it was replaced.
     */
    async replacePasswordHash(id: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
      const rows = await db.query('UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 RETURNING id', [id, verifiedHash, passwordHash]);
      return rows.length === 1;
    },

    /** Nobody may sign in as the account from now on; `reason` says why, for whoever reads the table. */
    async disableUser(id: string, reason: string, tx: Queryable = db): Promise<void> {
      await tx.query('UPDATE users SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL', [id, reason]);
    },

    async updateUserRole(id: string, role: Role, tx: Queryable = db): Promise<UserRow | null> {
      if (!isUuid(id)) return null;
      const rows = await tx.query<UserRow>(`UPDATE users SET role = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, role]);
      return rows[0] ?? null;
    },

    /** Deletes the account (its sessions cascade); false when there is no such user. */
    async deleteUser(id: string, tx: Queryable = db): Promise<boolean> {
      if (!isUuid(id)) return false;
      const rows = await tx.query('DELETE FROM users WHERE id = $1 RETURNING id', [id]);
      return rows.length === 1;
    },

    /** Throws EmailTakenError when the email is in use, whatever the case of its ASCII letters. */
    async createUser(user: NewUser): Promise<UserRow> {
      try {
        const rows = await db.query<UserRow>(
          `INSERT INTO users (id, email, name, role, password_hash)
           VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5)
           RETURNING ${COLUMNS}`,
          [user.id ?? null, user.email, user.name, user.role, user.passwordHash],
        );
        return rows[0]!;
      } catch (error) {
        return emailTaken(error);
      }
    },

    async countUsers(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
      return rows[0]?.count ?? 0;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
