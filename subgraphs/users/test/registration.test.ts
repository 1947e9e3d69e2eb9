import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@shop/service-kit';
import { DEMO_USERS } from '@shop/service-kit';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, checkEmail, checkName, checkPassword, checkRegistration, emailKey, refuseDemoEmail, type Registration } from '../src/registration.js';

const VALID: Registration = { email: 'bob@example.com', password: 'long-enough', name: 'Bob' };

/** The error checkRegistration throws for `input`; fails the test when it throws nothing. */
function refusal(input: Registration): BadUserInputError {
  try {
    checkRegistration(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return error as BadUserInputError;
  }
  return expect.fail(`expected ${JSON.stringify(input)} to be refused`);
}

describe('checkRegistration', () => {
  it('returns a valid registration unchanged', () => {
    expect(checkRegistration(VALID)).toEqual(VALID);
  });

  it('trims the email and the name', () => {
    expect(checkRegistration({ email: '  bob@example.com\n', password: 'long-enough', name: '\t Bob Smith  ' })).toEqual({
      email: 'bob@example.com',
      password: 'long-enough',
      name: 'Bob Smith',
    });
  });

  it('keeps the password exactly as given, spaces included', () => {
    expect(checkRegistration({ ...VALID, password: '  spaced out  ' }).password).toBe('  spaced out  ');
  });

  it.each(['not-an-email', 'bob@', '@example.com', 'bob@example', 'bob smith@example.com', '', '   ', `${'a'.repeat(250)}@example.com`])(
    'refuses the email %j as BAD_USER_INPUT naming email',
    (email) => {
      expect(refusal({ ...VALID, email }).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
    },
  );

  it('accepts a password of exactly the minimum and the maximum length', () => {
    expect(checkRegistration({ ...VALID, password: 'x'.repeat(MIN_PASSWORD_LENGTH) }).password).toHaveLength(8);
    expect(checkRegistration({ ...VALID, password: 'x'.repeat(MAX_PASSWORD_LENGTH) }).password).toHaveLength(1024);
  });

  it('refuses a password shorter than 8 characters as BAD_USER_INPUT naming password', () => {
    const error = refusal({ ...VALID, password: 'x'.repeat(7) });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(error.message).toContain('at least 8');
  });

  it('refuses a password longer than 1024 characters as BAD_USER_INPUT naming password', () => {
    const error = refusal({ ...VALID, password: 'x'.repeat(1025) });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(error.message).toContain('at most 1024');
  });

  it.each([
    ['empty', ''],
    ['only spaces', '    '],
    ['longer than 100 characters', 'n'.repeat(101)],
  ])('refuses a name that is %s as BAD_USER_INPUT naming name', (_case, name) => {
    expect(refusal({ ...VALID, name }).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('accepts a name of 100 characters, counted after trimming', () => {
    expect(checkRegistration({ ...VALID, name: `  ${'n'.repeat(100)}  ` }).name).toHaveLength(100);
  });
});

describe('the per-field checks', () => {
  it('apply the registration rules and name the argument they are given', () => {
    expect(checkEmail(' bob@example.com ')).toBe('bob@example.com');
    expect(checkName(' Bob ')).toBe('Bob');
    expect(() => checkPassword('short', 'newPassword')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'newPassword' } }));
    expect(() => checkEmail('nope', 'email')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'email' } }));
    expect(() => checkName(' ', 'name')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'name' } }));
  });
});

describe('refuseDemoEmail', () => {
  it("refuses a demo account's email in any case as CONFLICT, unless the demo account itself keeps it", () => {
    const [admin] = DEMO_USERS;
    expect(() => checkRegistration({ ...VALID, email: ' Admin@Example.com ' })).toThrow(expect.objectContaining({ extensions: { code: 'CONFLICT' } }));
    expect(() => refuseDemoEmail('ALICE@example.com', admin.id)).toThrow(expect.objectContaining({ extensions: { code: 'CONFLICT' } }));
    expect(refuseDemoEmail('ADMIN@example.com', admin.id)).toBe('ADMIN@example.com');
    expect(refuseDemoEmail('admin@example.org')).toBe('admin@example.org');
  });
});

describe('emails outside ASCII', () => {
  // Each is a letter that some lower() folds to an ASCII one, or a look-alike of one.
  it.for(['admİn@example.com', 'ALİCE@example.com', '\u212Aate@example.com', 'ålice@example.com', 'bob@exämple.com', 'bob@ｅxample.com', 'bo\u0301b@example.com'])(
    'refuses %j as BAD_USER_INPUT naming the field, at sign-up and wherever an email is set',
    (email) => {
      expect(refusal({ ...VALID, email }).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
      expect(() => checkEmail(email, 'newEmail')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'newEmail' } }));
    },
  );

  it('accepts an internationalised domain in its xn-- form, and every printable ASCII character a local part may hold', () => {
    expect(checkEmail('bob@xn--exmple-cua.com')).toBe('bob@xn--exmple-cua.com');
    expect(checkEmail("o'brien+shop_1.x-y!#$%&*=?^`{|}~@example.com")).toBe("o'brien+shop_1.x-y!#$%&*=?^`{|}~@example.com");
  });

  it('compares by emailKey: ASCII letters in any case, and no other letter folded', () => {
    expect(emailKey('Bob.SMITH@Example.COM')).toBe('bob.smith@example.com');
    expect(emailKey('ADMİN@EXAMPLE.COM')).toBe('admİn@example.com');
    expect(emailKey('\u212AATE@example.com')).toBe('\u212Aate@example.com');
    // So no demo account is taken for another address, or another for one.
    expect(refuseDemoEmail('admİn@example.com')).toBe('admİn@example.com');
  });
});
