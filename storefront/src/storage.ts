/**
 * The browser's localStorage as typed JSON: what the shopper keeps across reloads (the session,
 * the cart and its checkout key). A value that does not parse, or that `parse` refuses (written by
 * an older version, or by hand), reads as absent.
 */
export function readStored<T>(key: string, parse: (value: unknown) => T | undefined): T | undefined {
  const text = localStorage.getItem(key);
  if (text === null) return undefined;
  try {
    return parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function writeStored(key: string, value: unknown): void {
  if (value === undefined) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

/** A plain object's fields, to check a stored value's shape. */
export function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
