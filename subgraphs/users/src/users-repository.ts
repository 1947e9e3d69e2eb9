import { isUuid, type Queryable, type Role } from '@shop/service-kit';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

export interface UserWithPasswordRow extends UserRow {
  password_hash: string;
}

export interface NewUser {
  id?: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

const COLUMNS = 'id, email, name, role, created_at';
const UNIQUE_VIOLATION = '23505';

export class EmailTakenError extends Error {
  constructor() {
    super('email taken');
  }
}

export function createUsersRepository(db: Queryable) {
  return {
    /** Rows for the ids that exist, in any order; one statement whatever the count. */
    async listUsersByIds(ids: readonly string[]): Promise<UserRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [valid]);
    },

    async findUserWithPasswordByEmail(email: string): Promise<UserWithPasswordRow | null> {
      const rows = await db.query<UserWithPasswordRow>(
        `SELECT ${COLUMNS}, password_hash FROM users WHERE lower(email) = lower($1)`,
        [email],
      );
      return rows[0] ?? null;
    },

    /** Throws EmailTakenError when the email is in use, whatever its case. */
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
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new EmailTakenError();
        throw error;
      }
    },

    async countUsers(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
      return rows[0]?.count ?? 0;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
