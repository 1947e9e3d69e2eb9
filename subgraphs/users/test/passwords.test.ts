import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, MINIMAL_SCRYPT_FOR_TESTS, needsRehash, OWASP_SCRYPT, verifyPassword } from '../src/passwords.js';

const PASSWORD = 'correct horse battery staple';

/** `stored` with part `index` of `scrypt$N$r$p$salt$hash` replaced. */
function withPart(stored: string, index: number, value: string): string {
  const parts = stored.split('$');
  parts[index] = value;
  return parts.join('$');
}

/** A base64 string of the same length with its first byte changed. */
function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = bytes[0]! ^ 0xff;
  return bytes.toString('base64');
}

describe('hashPassword and verifyPassword', () => {
  // What follows holds at any cost: checked at the cheapest, so that the file takes no seconds of CPU.
  let stored: string;

  beforeAll(async () => {
    stored = await hashPassword(PASSWORD, MINIMAL_SCRYPT_FOR_TESTS);
  });

  it("hashes at OWASP's minimum (N=2^15, r=8, p=3) unless told otherwise, and verifies that", async () => {
    const owasp = await hashPassword(PASSWORD);
    expect(owasp).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword(PASSWORD, owasp)).toBe(true);
  });

  it('stores scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte hash', () => {
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    const [, , , , salt, hash] = stored.split('$');
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
  });

  it('never contains the password itself', () => {
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('accepts the right password', async () => {
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
  });

  it.each(['wrong password', 'correct horse battery stapl', `${PASSWORD} `, 'Correct horse battery staple', ''])(
    'refuses the wrong password %j',
    async (attempt) => {
      expect(await verifyPassword(attempt, stored)).toBe(false);
    },
  );

  it('salts: two hashes of one password differ, and each verifies', async () => {
    const again = await hashPassword(PASSWORD, MINIMAL_SCRYPT_FOR_TESTS);
    expect(again).not.toBe(stored);
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4]);
    expect(await verifyPassword(PASSWORD, again)).toBe(true);
  });

  it('refuses the right password against a tampered hash', async () => {
    const hash = stored.split('$')[5]!;
    expect(await verifyPassword(PASSWORD, withPart(stored, 5, flipFirstByte(hash)))).toBe(false);
  });

  it('refuses the right password against a tampered salt', async () => {
    const salt = stored.split('$')[4]!;
    expect(await verifyPassword(PASSWORD, withPart(stored, 4, flipFirstByte(salt)))).toBe(false);
  });

  it('refuses the right password against a hash cut short', async () => {
    const hash = stored.split('$')[5]!;
    expect(await verifyPassword(PASSWORD, withPart(stored, 5, Buffer.from(hash, 'base64').subarray(0, 16).toString('base64')))).toBe(false);
  });

  it('refuses the right password when the stored cost parameters were changed', async () => {
    expect(await verifyPassword(PASSWORD, withPart(stored, 1, String(2 ** 11)))).toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', PASSWORD],
    ['another scheme', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
    ['a hash without its salt and hash', 'scrypt$32768$8$1'],
    ['a hash with an empty salt', 'scrypt$32768$8$1$$aGFzaA=='],
  ])('refuses anything against %s as the stored value', async (_case, garbage) => {
    expect(await verifyPassword(PASSWORD, garbage)).toBe(false);
  });

  it.each([
    ['a non-numeric N', 'scrypt$abc$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA=='],
    ['an N that is not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA=='],
    ['parameters that would take 4 GiB', 'scrypt$1048576$32$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA=='],
  ])('refuses anything against a scrypt value with %s', async (_case, garbage) => {
    expect(await verifyPassword(PASSWORD, garbage)).toBe(false);
  });
});

describe('hashes of other parameters', () => {
  // What this service stored before OWASP's minimum: N=2^15, r=8, p=1.
  const OLD = { N: 2 ** 15, r: 8, p: 1 };

  it('still verifies a hash stored with older, weaker parameters', async () => {
    const old = await hashPassword(PASSWORD, OLD);
    expect(old).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(PASSWORD, old)).toBe(true);
    expect(await verifyPassword('wrong password', old)).toBe(false);
  });

  it('says a hash needs renewing exactly when its parameters are not the current ones', async () => {
    expect(needsRehash(await hashPassword(PASSWORD, OLD), OWASP_SCRYPT)).toBe(true);
    expect(needsRehash(await hashPassword(PASSWORD, MINIMAL_SCRYPT_FOR_TESTS), OWASP_SCRYPT)).toBe(true);
    expect(needsRehash(await hashPassword(PASSWORD, MINIMAL_SCRYPT_FOR_TESTS), MINIMAL_SCRYPT_FOR_TESTS)).toBe(false);
  });

  it("makes OWASP's minimum at most 32 MiB a hash, and never less work than N=2^13, r=8, p=10 (OWASP's cheapest line)", () => {
    expect(128 * OWASP_SCRYPT.N * OWASP_SCRYPT.r).toBeLessThanOrEqual(32 * 2 ** 20);
    expect(OWASP_SCRYPT.N * OWASP_SCRYPT.r * OWASP_SCRYPT.p).toBeGreaterThanOrEqual(2 ** 13 * 8 * 10);
    expect(OWASP_SCRYPT.r).toBeGreaterThanOrEqual(8);
  });
});
