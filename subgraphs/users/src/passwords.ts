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

/**
 * The time and memory traffic of one scrypt, in its own unit: p lanes, run one after another, of
 * 2N mixes of r blocks each. What a failed sign-in is padded by (paddingFor).
 */
export const scryptWork = ({ N, r, p }: ScryptParams): number => N * r * p;

/** Told of the scrypt work each derivation did (scryptWork of its parameters), once it is done. */
export type WorkMeter = (work: number) => void;

async function derive(password: string, salt: Buffer, params: ScryptParams, meter?: WorkMeter): Promise<Buffer> {
  // OpenSSL refuses to allocate more than maxmem: its V array (128 * N * r) plus its B array (128 * r * p), with room to spare.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.r * (2 * params.N + params.p) };
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
  meter?.(scryptWork(params));
  return key;
}

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT, meter?: WorkMeter): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params, meter);
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

/** The parts of a stored hash this service wrote; undefined for anything else. */
function parseStored(stored: string): { params: ScryptParams; salt: string; hash: string } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = storedParams(n, r, p);
  return scheme === 'scrypt' && salt && hash && params ? { params, salt, hash } : undefined;
}

/** Whether `password` matches `stored`; false, never an error, for a malformed stored value. */
export async function verifyPassword(password: string, stored: string, meter?: WorkMeter): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, 'base64');
  const actual = await derive(password, Buffer.from(parsed.salt, 'base64'), parsed.params, meter);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Below this N a remainder of padding is left out: under 1/32 of a lane at OWASP's N, and each call costs a thread hop. */
const MIN_PADDING_N = 2 ** 10;

/**
 * The scrypt runs that make a failed verification of `stored` cost what one of `current` costs
 * (scryptWork): nothing for a hash as strong or stronger; for a weaker one (stored before the
 * cost was raised), lanes of `current`'s N and r for the difference, then the remainder in
 * powers of two down to MIN_PADDING_N; for a value that is no hash (or none at all: an unknown
 * email), all of `current`. Lanes at `current`'s N take its memory too, so the time matches, not
 * only the count of operations.
 */
export function paddingFor(stored: string, current: ScryptParams): ScryptParams[] {
  const storedParams = parseStored(stored)?.params;
  let missing = scryptWork(current) - (storedParams ? scryptWork(storedParams) : 0);
  if (missing <= 0) return [];
  const padding: ScryptParams[] = [];
  const lanes = Math.floor(missing / (current.N * current.r));
  if (lanes > 0) padding.push({ N: current.N, r: current.r, p: lanes });
  missing -= lanes * current.N * current.r;
  for (let N = current.N / 2; N >= MIN_PADDING_N; N /= 2) {
    if (missing >= N * current.r) {
      padding.push({ N, r: current.r, p: 1 });
      missing -= N * current.r;
    }
  }
  return padding;
}

/** Spends the time of `padding` (paddingFor) on `password`, as a verification would; the keys are thrown away. */
export async function spendPadding(password: string, padding: readonly ScryptParams[], meter?: WorkMeter): Promise<void> {
  for (const params of padding) await derive(password, randomBytes(16), params, meter);
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
