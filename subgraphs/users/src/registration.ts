import { BadUserInputError } from '@shop/service-kit';

export const MIN_PASSWORD_LENGTH = 8;
/** Bounds the cost of hashing what a client sends. */
export const MAX_PASSWORD_LENGTH = 1024;
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
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) throw new BadUserInputError(`${field} is not a valid email address`, field);
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

/** Checks a sign-up, field by field; the first bad field is BAD_USER_INPUT naming it. */
export function checkRegistration(input: Registration): Registration {
  const email = checkEmail(input.email);
  const password = checkPassword(input.password);
  const name = checkName(input.name);
  return { email, password, name };
}
