import { defineCounter, defineGauge } from '@shop/service-kit';
import { boundedWork } from './bounded-work.js';
import { hashPassword, needsRehash, paddingFor, spendPadding, verifyPassword, type ScryptParams } from './passwords.js';

export interface PasswordHasherOptions {
  /** The parameters of new hashes; stored hashes of others are verified with theirs, and renewed at sign-in. */
  params: ScryptParams;
  /** Hashes computed at once (each holds a libuv thread, 128 * N * r bytes and a core). */
  concurrency: number;
  /** Hashes waiting for a turn; past that, SERVICE_UNAVAILABLE at once. */
  queueLength: number;
}

function passwordHashMetrics() {
  const computed = defineCounter({ name: 'users_password_hashes_total', help: 'Password hashes computed (sign-ins, sign-ups, password checks and changes)' });
  const running = defineGauge({ name: 'users_password_hashes_running', help: 'Password hashes (sign-ins, sign-ups, password checks) being computed' });
  const waiting = defineGauge({ name: 'users_password_hashes_waiting', help: 'Password hashes waiting for a turn (bounded by PASSWORD_HASH_QUEUE)' });
  const refused = defineCounter({
    name: 'users_password_hashes_refused_total',
    help: 'Password hashes refused with SERVICE_UNAVAILABLE because PASSWORD_HASH_CONCURRENCY were running and PASSWORD_HASH_QUEUE waiting',
  });
  // The gauges are the process's, and a process may hold several services (tests): each adds its own changes.
  let last = { running: 0, waiting: 0 };
  return {
    computed,
    onChange: (now: { running: number; waiting: number; refused: boolean }) => {
      running.inc(now.running - last.running);
      waiting.inc(now.waiting - last.waiting);
      if (now.refused) refused.inc();
      last = { running: now.running, waiting: now.waiting };
    },
  };
}

/**
 * Every password hash users computes, bounded: at most `concurrency` at once and `queueLength`
 * waiting, so a flood of sign-ins or sign-ups costs users a bounded amount of CPU and memory and
 * everyone else a bounded wait, never a queue without end.
 *
 * A failed check costs what one at the current parameters costs, whatever it was checked
 * against: a hash stored with weaker parameters is padded with the difference, and an unknown
 * email (no hash at all) with all of it, inside the same turn of the bound. So the time of a
 * wrong guess tells no account from another, nor an account from an unknown email.
 */
export function createPasswordHasher({ params, concurrency, queueLength }: PasswordHasherOptions) {
  const metrics = passwordHashMetrics();
  const bounded = boundedWork({ concurrency, queueLength, onChange: metrics.onChange });
  let computed = 0;
  let work = 0;
  const meter = (done: number) => {
    work += done;
  };
  const counted = <T>(job: () => Promise<T>) =>
    bounded(() => {
      computed += 1;
      metrics.computed.inc();
      return job();
    });
  const hash = (password: string) => counted(() => hashPassword(password, params, meter));
  /** Whether `password` matches `stored`; when it does not, only after the time a current-parameter check takes. */
  const verify = (password: string, stored: string) =>
    counted(async () => {
      const matches = await verifyPassword(password, stored, meter);
      // A match is not padded: the sign-in renews a weak hash at the current cost anyway.
      if (!matches) await spendPadding(password, paddingFor(stored, params), meter);
      return matches;
    });
  return {
    params,
    hash,
    verify,
    /**
     * Checks `password` against no hash (an unknown email) as long as against a stored one: the
     * work of a current-parameter check, in the bound like every other. Nothing is kept between
     * calls, so no failure of one (a refusal, an error) stays for the next.
     */
    async verifyDecoy(password: string): Promise<false> {
      await verify(password, '');
      return false;
    },
    /** Whether a stored hash that just verified should be replaced by one with the current parameters. */
    needsRehash: (stored: string) => needsRehash(stored, params),
    /** Hashes computed so far (verifications included, with their padding). */
    get computed() {
      return computed;
    },
    /** The scrypt work done so far (scryptWork of every derivation, padding included). */
    get work() {
      return work;
    },
    /** The bound every hash runs under (what is running and waiting; a test may take a slot of it). */
    bound: bounded,
    get waiting() {
      return bounded.waiting;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
