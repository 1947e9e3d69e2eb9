import { BadUserInputError } from '@shop/service-kit';

/** Event ids are sequences (the stream's or the outbox's): 1 to 15 digits, well inside a safe integer. */
const EVENT_ID = /^\d{1,15}$/;

/**
 * The event id a client resumes after (`after`, or the `Last-Event-ID` header), as a number; null
 * when it sent none (follow from now on). Anything else is BAD_USER_INPUT naming `field`; the
 * message does not echo the value (a client chooses its length).
 */
export function parseEventCursor(value: string | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!EVENT_ID.test(value)) throw new BadUserInputError(`${field} is not an event id (the id of an event this subscription sent)`, field);
  return Number(value);
}
