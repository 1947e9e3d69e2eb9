import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt's cost: N (CPU and memory, a power of two), r (block size), p (parallel lanes, run one after another). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's minimum (Password Storage Cheat Sheet), in the line that keeps memory at 32 MiB a hash
 * (128 * N * r bytes): N = 2^17 would take 128 MiB each, too much beside the other services on a
 * laptop. About 0.2 s of one core a hash on the machine that measured it.
 */
export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };

/**
 * For test suites only (config refuses it outside NODE_ENV=test): about 1 ms a hash, so that the
 * hundreds of sign-ins a test run makes do not cost a minute of CPU.
 */
export const MINIMAL_SCRYPT_FOR_TESTS: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // OpenSSL refuses to allocate more than maxmem: its V array (128 * N * r) plus its B array (128 * r * p), with room to spare.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.r * (2 * params.N + params.p) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The most memory one hash may take (N = 2^17 with r = 8 takes 128 MiB): a stored value asking for more is refused, not computed. */
const MAX_HASH_MEMORY = 256 * 2 ** 20;

/** Parameters a stored hash may name: anything else is not a hash this service wrote. */
function storedParams(n: string | undefined, r: string | undefined, p: string | undefined): ScryptParams | undefined {
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const isPowerOfTwo = Number.isInteger(Math.log2(params.N));
  const valid =
    isPowerOfTwo && params.N >= 2 ** 10 && params.N <= 2 ** 20 && inRange(params.r, 1, 32) && inRange(params.p, 1, 16) && 128 * params.N * params.r <= MAX_HASH_MEMORY;
  return valid ? params : undefined;
}

const inRange = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** Whether `password` matches `stored`; false, never an error, for a malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = storedParams(n, r, p);
  if (scheme !== 'scrypt' || !salt || !hash || !params) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Whether a stored hash (one that verified) was made with other parameters than `params`: it is
 * hashed again at the next sign-in, when the password is at hand, so raising the cost reaches
 * every account that signs in.
 */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const [, n, r, p] = stored.split('$');
  return Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p;
}
