import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/passwords.js';

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
  let stored: string;

  beforeAll(async () => {
    stored = await hashPassword(PASSWORD);
  });

  it('stores scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte hash', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
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
    const again = await hashPassword(PASSWORD);
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
    expect(await verifyPassword(PASSWORD, withPart(stored, 1, String(2 ** 14)))).toBe(false);
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
  ])('refuses anything against a scrypt value with %s', async (_case, garbage) => {
    expect(await verifyPassword(PASSWORD, garbage)).toBe(false);
  });
});
