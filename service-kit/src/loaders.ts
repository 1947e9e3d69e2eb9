import DataLoader from 'dataloader';

/**
 * A per-request DataLoader over a "list rows by ids" query: one statement per batch, results
 * in the order of the keys, null for ids with no row.
 */
export function loaderById<Row extends { id: string }>(list: (ids: readonly string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    const rows = await list(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** As loaderById, for one-to-many: every key gets the (possibly empty) list of its rows. */
export function loaderOfLists<Row>(list: (keys: readonly string[]) => Promise<Row[]>, keyOf: (row: Row) => string) {
  return new DataLoader<string, Row[]>(async (keys) => {
    const rows = await list(keys);
    const byKey = new Map<string, Row[]>();
    for (const row of rows) {
      const key = keyOf(row);
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  });
}
