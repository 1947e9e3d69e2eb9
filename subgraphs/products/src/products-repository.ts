import { decodeCursor, isUuid, pageOf, type Page, type Queryable } from '@shop/service-kit';

export interface ProductRow {
  id: string;
  seq: string;
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  stock: number;
  created_at: Date;
  updated_at: Date;
}

export interface ProductFields {
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  stock: number;
}

export type ProductPage = Page<ProductRow>;

// seq leaves as text (cursors carry it); SQL that sorts must name the table's column, not this alias.
const COLUMNS = 'id, seq::text AS seq, name, description, price_cents, currency, stock, created_at, updated_at';

/** `%`, `_` and `\` are wildcards in LIKE; a search for them means the characters themselves. */
const likePattern = (search: string) => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createProductsRepository(db: Queryable) {
  return {
    async listProductsByIds(ids: readonly string[]): Promise<ProductRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::uuid[])`, [valid], { prepare: true });
    },

    /**
     * One page (`limit` rows after the cursor) and the number of all matches, in one statement:
     * the total is joined to the page, so it arrives even when the page is empty.
     */
    async listProductsPage({ limit, after, search }: { limit: number; after?: string | null; search?: string | null }): Promise<ProductPage> {
      const afterSeq = after ? decodeCursor(after) : null;
      const rows = await db.query<ProductRow & { total_count: number }>(
        `WITH matching AS (
           SELECT * FROM products WHERE $1::text IS NULL OR name ILIKE $1 OR description ILIKE $1
         ), total AS (SELECT count(*)::int AS total_count FROM matching)
         SELECT total.total_count, page.*
         FROM total LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM matching WHERE $2::bigint IS NULL OR matching.seq > $2::bigint ORDER BY matching.seq LIMIT $3
         ) page ON true
         ORDER BY page.seq::bigint`,
        [search ? likePattern(search) : null, afterSeq, limit],
      );
      return pageOf(rows);
    },

    async createProduct(fields: ProductFields & { id?: string }): Promise<ProductRow> {
      const rows = await db.query<ProductRow>(
        `INSERT INTO products (id, name, description, price_cents, currency, stock)
         VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6)
         RETURNING ${COLUMNS}`,
        [fields.id ?? null, fields.name, fields.description, fields.priceCents, fields.currency, fields.stock],
      );
      return rows[0]!;
    },

    /** Sets the given fields; null when there is no such product. */
    async updateProduct(id: string, fields: Partial<ProductFields>): Promise<ProductRow | null> {
      if (!isUuid(id)) return null;
      const rows = await db.query<ProductRow>(
        `UPDATE products SET
           name = COALESCE($2, name),
           description = COALESCE($3, description),
           price_cents = COALESCE($4, price_cents),
           currency = COALESCE($5, currency),
           stock = COALESCE($6, stock),
           updated_at = now()
         WHERE id = $1
         RETURNING ${COLUMNS}`,
        [id, fields.name ?? null, fields.description ?? null, fields.priceCents ?? null, fields.currency ?? null, fields.stock ?? null],
      );
      return rows[0] ?? null;
    },

    async countProducts(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM products');
      return rows[0]?.count ?? 0;
    },
  };
}

export type ProductsRepository = ReturnType<typeof createProductsRepository>;
