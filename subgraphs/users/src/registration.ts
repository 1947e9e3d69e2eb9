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

/** Checks a sign-up, field by field; the first bad field is BAD_USER_INPUT naming it. */
export function checkRegistration(input: Registration): Registration {
  const email = input.email.trim();
  const name = input.name.trim();
  if (email.length > 254 || !EMAIL.test(email)) throw new BadUserInputError('email is not a valid email address', 'email');
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new BadUserInputError(`password must have at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
  }
  if (input.password.length > MAX_PASSWORD_LENGTH) {
    throw new BadUserInputError(`password must have at most ${MAX_PASSWORD_LENGTH} characters`, 'password');
  }
  if (name.length < 1 || name.length > 100) throw new BadUserInputError('name must have 1 to 100 characters', 'name');
  return { email, password: input.password, name };
}
