import { BadUserInputError, ConflictError, DEMO_USERS } from '@shop/service-kit';

export const MIN_PASSWORD_LENGTH = 8;
/** Bounds the cost of hashing what a client sends. */
export const MAX_PASSWORD_LENGTH = 1024;
/** RFC 5321's limit on a forward path; nothing longer is an address anyone can have. */
export const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Registration {
  email: string;
  password: string;
  name: string;
}

// One check per field, so every place that takes the field (sign-up, profile changes, a new
// password) applies the same rule; `field` names the argument at fault in the error.

/** A valid email address, trimmed; else BAD_USER_INPUT naming `field`. */
export function checkEmail(email: string, field = 'email'): string {
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !EMAIL.test(trimmed)) throw new BadUserInputError(`${field} is not a valid email address`, field);
  return trimmed;
}

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
  const demo = DEMO_USERS.find((user) => user.email === email.toLowerCase());
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
