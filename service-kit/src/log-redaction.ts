import { stdSerializers } from 'pino';

/** What a secret field's value becomes in the log. */
export const REDACTED = '[redacted]';
/** What stands for a value past the walk's bounds: unseen, so never written. */
export const TRUNCATED = '[truncated]';

/**
 * How far a logged value is walked. Deeper (or past the node budget) a value is replaced, not
 * written unread: a bound that let the rest through unexamined would let secrets through too.
 */
export const REDACTION_BOUNDS = { depth: 8, nodes: 2_000 } as const;

/**
 * Field names whose values are credentials, whatever their case or separators: passwords (any
 * `*password`: currentPassword, newPassword, passwordHash; pwd), tokens (refreshToken, accessToken,
 * x-csrf-token, jwt), secrets, credentials, signatures (webhook-signature), one-time codes (otp,
 * totp, otpCode, OTP_CODE: at the end of the name or before a separator or `code`, since inside
 * a word the letters are common: footprint, hotpath), keys that sign or grant, and the headers
 * that carry them. One regular expression: it runs on every key of every line.
 */
const SECRET_FIELD =
  /pass(?:word|wd|phrase)|pwd|secret|token|jwt|credential|signature|otps?(?:$|[-_ ]|code)|bearer|authori[sz]ation|cookie|(?:api|private|signing|access|encryption|session|client|master)[-_ ]?keys?$/i;
/** Fields that hold a URL or a request target, whose query string goes even without a scheme (`/graphql?query=...`). */
const URL_FIELD = /(?:url|uri|href|path|location|target|endpoint)$/i;
/** A URL inside any text: scheme, `//`, then up to whitespace or a quote. */
const URL_IN_TEXT = /[a-z][a-z\d+.-]*:\/\/[^\s"'<>]*/gi;
/** What scrubUrl takes out begins with one of these: a URL without any is left as it is. */
const HIDDEN_URL_PART = /[@?#]/;
/** Every text scrubText changes holds one of these: one search of a line that holds none, and it is returned as it came. */
const MAYBE_SECRET_IN_TEXT = /:\/\/|=|eyJ|bearer\s/i;
/** `password=...` and the like in connection strings (libpq's `host=db password=...`) and form bodies. */
const SECRET_ASSIGNMENT = /\b((?:pass(?:word|wd)?|pwd|secret|token|api[-_]?key)\s*=\s*)[^\s&;,]+/gi;
/**
 * A JWT (or JWS/JWE) in compact form: its header is base64url JSON, so it starts `eyJ` (`{"`),
 * then two to four more dot-separated base64url parts, the last (a signature) possibly empty.
 */
const JWT_IN_TEXT = /eyJ[\w-]*(?:\.[\w-]*){2,4}/g;
/**
 * `Bearer <credential>` (RFC 6750; the scheme is case-insensitive), as a header is copied into a
 * message: a credential starts with eight characters of a token (the English word keeps the
 * short word after it: "the bearer of"), and goes on to the next space or quote.
 */
const BEARER_IN_TEXT = /\b(bearer\s+)(?=[\w\-.~+/]{8})[^\s"',;]+/gi;

export const isSecretField = (key: string): boolean => SECRET_FIELD.test(key);

/**
 * A URL without its credentials, query string and fragment: `postgres://shop:pw@db:5432/users?ssl=1`
 * becomes `postgres://db:5432/users`.
 */
export function scrubUrl(url: string): string {
  const schemeEnd = url.indexOf('://') + 3;
  let rest = url.slice(schemeEnd);
  const queryAt = rest.search(/[?#]/);
  if (queryAt !== -1) rest = rest.slice(0, queryAt);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const userinfoEnd = authority.lastIndexOf('@');
  if (userinfoEnd !== -1) {
    rest = rest.slice(userinfoEnd + 1);
  } else {
    // A password holding an unescaped `/` ends the authority early (`user:pa/ss@host`): a `:`
    // there not followed by a port's digits, and an `@` later, still mark credentials.
    const strayAt = rest.lastIndexOf('@');
    if (strayAt !== -1 && /^[^:[\]]*:(?!\d*$)/.test(authority)) rest = rest.slice(strayAt + 1);
  }
  return url.slice(0, schemeEnd) + rest;
}

/**
 * Text with every URL in it scrubbed (scrubUrl), `password=...`-style assignments, JWTs and
 * `Bearer` credentials redacted.
 */
export function scrubText(text: string): string {
  // Most lines hold none of it, and pay for one search.
  if (!MAYBE_SECRET_IN_TEXT.test(text)) return text;
  let scrubbed = text;
  if (scrubbed.includes('://') && HIDDEN_URL_PART.test(scrubbed)) scrubbed = scrubbed.replace(URL_IN_TEXT, scrubUrl);
  if (scrubbed.includes('=')) scrubbed = scrubbed.replace(SECRET_ASSIGNMENT, `$1${REDACTED}`);
  if (scrubbed.includes('eyJ')) scrubbed = scrubbed.replace(JWT_IN_TEXT, REDACTED);
  scrubbed = scrubbed.replace(BEARER_IN_TEXT, `$1${REDACTED}`);
  return scrubbed;
}

interface Walk {
  nodes: number;
}

/**
 * `value` as it may be logged: every secret field's value redacted at any depth (objects, arrays,
 * errors, anything with toJSON), URLs scrubbed wherever they appear, and anything past
 * REDACTION_BOUNDS replaced. Copies only what it changes: a line with nothing to hide is
 * returned as it came.
 */
export function redactForLog<T>(value: T): T {
  // The result has the input's shape wherever nothing was found, and redacted strings elsewhere.
  return redactValue(value, undefined, 0, { nodes: 0 }) as T;
}

function redactValue(value: unknown, key: string | undefined, depth: number, walk: Walk): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (key !== undefined && isSecretField(key)) return REDACTED;
  if (++walk.nodes > REDACTION_BOUNDS.nodes) return TRUNCATED;
  if (typeof value === 'string') {
    const scrubbed = scrubText(value);
    return key !== undefined && URL_FIELD.test(key) ? scrubbed.replace(/[?#].*$/s, '') : scrubbed;
  }
  if (typeof value !== 'object') return value;
  if (depth >= REDACTION_BOUNDS.depth) return TRUNCATED;
  // An error as pino writes one (type, message with its causes', stack, own fields), then walked like any object.
  if (value instanceof Error) return redactFields(stdSerializers.err(value), depth, walk);
  // As JSON.stringify would see it: a URL object's toJSON is its href, credentials and all.
  const asJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof asJson === 'function') {
    const json: unknown = asJson.call(value, key ?? '');
    if (json !== value) return redactValue(json, key, depth, walk);
  }
  if (Array.isArray(value)) return redactItems(value as unknown[], depth, walk);
  return redactFields(value as Record<string, unknown>, depth, walk);
}

function redactItems(items: unknown[], depth: number, walk: Walk): unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    // Out of budget: the rest of a long list is one marker, not one per item.
    if (walk.nodes >= REDACTION_BOUNDS.nodes) return [...(copy ?? items).slice(0, index), TRUNCATED];
    const item = items[index];
    const redacted = redactValue(item, undefined, depth + 1, walk);
    if (redacted !== item) (copy ??= [...items])[index] = redacted;
  }
  return copy ?? items;
}

function redactFields(fields: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const field of Object.keys(fields)) {
    const item = fields[field];
    const redacted = redactValue(item, field, depth + 1, walk);
    if (redacted !== item) (copy ??= { ...fields })[field] = redacted;
  }
  return copy ?? fields;
}
