import { BadUserInputError, ConflictError, DEMO_USERS } from '@shop/service-kit';

export const MIN_PASSWORD_LENGTH = 8;
/** Bounds the cost of hashing what a client sends. */
export const MAX_PASSWORD_LENGTH = 1024;
/** RFC 5321's limit on a forward path; nothing longer is an address anyone can have. */
export const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Printable ASCII without space: what an address the shop can mail has (an internationalised domain in its `xn--` form). */
const ASCII_ADDRESS = /^[\x21-\x7e]+$/;

export interface Registration {
  email: string;
  password: string;
  name: string;
}

// One check per field, so every place that takes the field (sign-up, profile changes, a new
// password) applies the same rule; `field` names the argument at fault in the error.

/**
 * A valid email address, trimmed; else BAD_USER_INPUT naming `field`. ASCII only: emails are
 * compared by emailKey, which folds the case of ASCII letters alone, so that users and its
 * database (whatever its locale) agree on which addresses are the same.
 */
export function checkEmail(email: string, field = 'email'): string {
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !EMAIL.test(trimmed)) throw new BadUserInputError(`${field} is not a valid email address`, field);
  if (!ASCII_ADDRESS.test(trimmed)) {
    throw new BadUserInputError(`${field} must be written in ASCII (an internationalised domain in its xn-- form)`, field);
  }
  return trimmed;
}

/**
 * The form in which two emails are the same account: ASCII letters lower-cased, nothing else
 * changed. Exactly what the database compares, `lower(email COLLATE "C")` (the index that keeps
 * emails unique): unlike String#toLowerCase or lower() in the database's own locale, it folds no
 * other letter (`İ`, `K`), so no address can match here and not there, or the other way.
 */
export const emailKey = (email: string): string => email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** A password of 8 to 1024 characters, kept exactly as given; else BAD_USER_INPUT naming `field`. */
export function checkPassword(password: string, field = 'password'): string {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new BadUserInputError(`${field} must have at least ${MIN_PASSWORD_LENGTH} characters`, field);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new BadUserInputError(`${field} must have at most ${MAX_PASSWORD_LENGTH} characters`, field);
  }
  return password;
}

/** A display name of 1 to 100 characters after trimming; else BAD_USER_INPUT naming `field`. */
export function checkName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new BadUserInputError(`${field} must have 1 to 100 characters`, field);
  return trimmed;
}

/**
 * The demo accounts' emails belong to their seeded accounts (`owner`, when it is one of them, may
 * keep its own): nobody else may take one, in any environment, so nobody can pose as the demo
 * admin, nor leave an account production would take for one. CONFLICT, as for a taken email
 * (in development they are taken), so clients say what they say of one.
 */
export function refuseDemoEmail(email: string, owner?: string): string {
  const demo = DEMO_USERS.find((user) => emailKey(user.email) === emailKey(email));
  if (demo && demo.id !== owner) throw new ConflictError('This email belongs to a demo account and cannot be used');
  return email;
}

/** Checks a sign-up, field by field; the first bad field is BAD_USER_INPUT naming it. */
export function checkRegistration(input: Registration): Registration {
  const email = refuseDemoEmail(checkEmail(input.email));
  const password = checkPassword(input.password);
  const name = checkName(input.name);
  return { email, password, name };
}
